#!/usr/bin/env bash
# End-to-end tests of eseald on SQLite over real HTTP on loopback; then a
# restart on the same database (state and audit chain survive) and a
# graceful SIGTERM.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/cases.sh"
need curl jq openssl xxd sqlite3
make_pki
# the command line and the configuration file
"$ESEALD" --help >/dev/null; check $? "--help"
printf 'listen = 127.0.0.1:0\nthreads = lots\n' > "$T/bad.conf"
"$ESEALD" --config "$T/bad.conf" 2>"$T/err"; [ $? -eq 2 ] && grep -q "bad.conf:2" "$T/err"; check $? "a bad configuration file names the line"
"$ESEALD" --listen 127.0.0.1:0 --db "sqlite:$T/x.db" --master-key "$T/mk0" --create-master-key 2>"$T/err"; [ $? -ne 0 ] && grep -q "platform" "$T/err"; check $? "the platform key is required"
"$ESEALD" --frobnicate 2>/dev/null; [ $? -eq 2 ]; check $? "unknown flag"
start_eseald "sqlite:$T/eseald.db"
run_cases
stop_eseald
printf 'db = sqlite:%s\nstatus_ttl_s = 60\nsweep_s = 5\n' "$T/eseald.db" > "$T/eseald.conf"
start_eseald "sqlite:$T/other.db" --config "$T/eseald.conf" --db "sqlite:$T/eseald.db"
TOKEN=$(login auditor)
api GET /api/v1/audit/verify; expect 200 "audit after restart"
[ "$(jqb .intact)" = true ]; check $? "chain intact after restart"
TOKEN=$(login orgadmin)
api GET "/api/v1/seals/$ESID3"; expect 200 "seal survives a restart"
[ "$(jqb .status)" = active ]; check $? "state survives a restart"
# expiry: a seal past its validity reads as expired at once, and the sweep
# makes it durable with an event by "system"
stop_eseald
sqlite3 "$T/eseald.db" "UPDATE seals SET valid_end = strftime('%s','now') - 10 WHERE esid = '$ESID3'"
check $? "validity moved into the past"
start_eseald "sqlite:$T/eseald.db" --set sweep_s=1
TOKEN=$(login orgadmin)
api GET "/api/v1/seals/$ESID3"; [ "$(jqb .status)" = expired ]; check $? "past its validity: expired"
for _ in $(seq 1 50); do
  api GET "/api/v1/seals/$ESID3/events"
  [ "$(jqb '.events[-1].action')" = expire ] && break
  sleep 0.2
done
[ "$(jqb '.events[-1].action')" = expire ] && [ "$(jqb '.events[-1].actor')" = system ]; check $? "the sweep records the expiry"
api POST "/api/v1/seals/$ESID3/suspend" '{}'; expect 409 "suspend an expired seal"
TOKEN=; api GET "/api/v1/seals/$ESID3/status"; [ "$(jqb .content.status)" = expired ]; check $? "status answer: expired"
# graceful shutdown: a request whose body is still arriving when SIGTERM
# comes is answered before the daemon exits
exec 3<>"/dev/tcp/127.0.0.1/${URL##*:}"
body='{"username":"orgadmin","password":"demo"}'
printf 'POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' "${#body}" "${body:0:20}" >&3
sleep 0.5
kill -TERM "$ESEALD_PID"
sleep 0.5
printf '%s' "${body:20}" >&3
timeout 20 cat <&3 > "$T/inflight" || true
exec 3<&-
head -n 1 "$T/inflight" | grep -q '200 OK'; check $? "a request in flight at SIGTERM is answered"
rc=0; wait "$ESEALD_PID" || rc=$?; ESEALD_PID=
[ "$rc" -eq 0 ]; check $? "clean exit after SIGTERM ($rc)"
curl -s -o /dev/null "$URL/api/v1/health"; [ $? -ne 0 ]; check $? "no longer listening"
finish
