#!/usr/bin/env bash
# Crash test: SIGKILL the daemon during a burst of life-cycle writes; after a
# restart every acknowledged change is there and the audit chain verifies.
# On SQLite (WAL, synchronous=FULL), and on PostgreSQL when its server
# binaries are installed.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/pg.sh"
need curl jq
make_pki

writer() { # N OUTFILE: applications, then approvals; acknowledged ids go to OUTFILE
  local TOKEN=$A_ORG i
  for i in $(seq 1 "$1"); do
    api POST /api/v1/applications "{\"seal_name\":\"Burst seal $i\"}" 2>/dev/null || break
    if [ "$STATUS" = 201 ]; then
      local id; id=$(jqb .id)
      echo "app $id" >> "$2"
      TOKEN=$A_REV api POST "/api/v1/applications/$id/approve" '{}' 2>/dev/null
      [ "$STATUS" = 200 ] && echo "approved $id" >> "$2"
      TOKEN=$A_ORG
    elif [ "$STATUS" = 000 ]; then
      break
    fi
  done
}

burst() { # DB_URL
  start_eseald "$1"
  A_ORG=$(login orgadmin); A_REV=$(login reviewer)
  : > "$T/acked1"; : > "$T/acked2"; : > "$T/acked3"
  ( T=$T/w1; mkdir -p "$T"; writer 400 "$T/../acked1" ) & w1=$!
  ( T=$T/w2; mkdir -p "$T"; writer 400 "$T/../acked2" ) & w2=$!
  ( T=$T/w3; mkdir -p "$T"; writer 400 "$T/../acked3" ) & w3=$!
  # let the burst run, then pull the plug
  for _ in $(seq 1 100); do
    [ "$(cat "$T"/acked* | wc -l)" -ge 40 ] && break
    sleep 0.1
  done
  kill -KILL "$ESEALD_PID"; wait "$ESEALD_PID" 2>/dev/null; ESEALD_PID=
  wait $w1 $w2 $w3 2>/dev/null
  local n; n=$(cat "$T"/acked* | wc -l)
  [ "$n" -ge 10 ]; check $? "burst acknowledged $n writes before the kill"
  start_eseald "$1"
  local TOKEN; TOKEN=$(login reviewer)
  local lost=0 kind id
  while read -r kind id; do
    api GET "/api/v1/applications/$id"
    if [ "$STATUS" != 200 ]; then lost=$((lost + 1)); continue; fi
    if [ "$kind" = approved ] && [ "$(jqb .status)" != approved ]; then lost=$((lost + 1)); fi
  done < <(cat "$T"/acked*)
  [ "$lost" -eq 0 ]; check $? "no acknowledged change lost ($lost of $n missing)"
  TOKEN=$(login auditor)
  api GET /api/v1/audit/verify; expect 200 "audit chain check after the crash"
  [ "$(jqb .intact)" = true ]; check $? "audit chain intact after the crash"
  TOKEN=$(login orgadmin)
  api POST /api/v1/applications '{"seal_name":"after the crash"}'; expect 201 "writes work after the crash"
  stop_eseald
}

burst "sqlite:$T/crash.db"
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  pg_start
  burst "$PG_URL"
  pg_stop
fi
finish
