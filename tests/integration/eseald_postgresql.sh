#!/usr/bin/env bash
# The same end-to-end tests on PostgreSQL: a throwaway cluster (initdb +
# pg_ctl on a free loopback port), two eseald nodes sharing it (the second
# sees what the first wrote), then the cluster is stopped.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/pg.sh"
. "$here/cases.sh"
need curl jq openssl xxd
pg_start
make_pki
start_eseald "$PG_URL"
run_cases
# a second node on the same database, with the same master key
FIRST_PID=$ESEALD_PID; FIRST_URL=$URL
start_eseald "$PG_URL"
TOKEN=$(login orgadmin)
api GET "/api/v1/seals/$ESID3"; expect 200 "second node sees the first node's seal"
api POST "/api/v1/seals/$ESID3/suspend" '{"reason":"node 2"}'; expect 200 "second node writes"
SECOND_PID=$ESEALD_PID; SECOND_URL=$URL
ESEALD_PID=$FIRST_PID; URL=$FIRST_URL
TOKEN=; api GET "/api/v1/seals/$ESID3/status"
[ "$(jqb .content.status)" = suspended ]; check $? "first node answers the second node's change"
TOKEN=$(login user)
printf 'node test' > "$T/n.txt"
api POST "/api/v1/seals/$ESID3/sign" "{\"data\":\"$(base64 -w0 "$T/n.txt")\"}"; expect 409 "first node refuses a seal suspended on the second"
stop_eseald
ESEALD_PID=$SECOND_PID; URL=$SECOND_URL
TOKEN=$(login auditor)
api GET /api/v1/audit/verify; [ "$(jqb .intact)" = true ]; check $? "one audit chain across nodes"
stop_eseald
finish
