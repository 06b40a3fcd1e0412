#!/usr/bin/env bash
# End-to-end tests of eseald on SQLite over real HTTP on loopback; then a
# restart on the same database (state and audit chain survive) and a
# graceful SIGTERM.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/cases.sh"
need curl jq openssl xxd
make_pki
start_eseald "sqlite:$T/eseald.db"
run_cases
stop_eseald
start_eseald "sqlite:$T/eseald.db"
TOKEN=$(login auditor)
api GET /api/v1/audit/verify; expect 200 "audit after restart"
[ "$(jqb .intact)" = true ]; check $? "chain intact after restart"
TOKEN=$(login orgadmin)
api GET "/api/v1/seals/$ESID3"; expect 200 "seal survives a restart"
[ "$(jqb .status)" = active ]; check $? "state survives a restart"
stop_eseald
finish
