# tests/integration/lib.sh - helpers for the end-to-end tests of eseald over
# real HTTP on loopback: a throwaway PKI, starting and stopping the daemon,
# calling the API with curl, and counting results. Sourced, not run.
# Needs: ESEALD (the daemon), ESEAL (the CLI), curl, jq.
set -uo pipefail
PASSES=0
BODY=
STATUS=
FAILS=0
T=$(mktemp -d /tmp/eseald-it-XXXXXX)
ESEALD_PID=
cleanup() {
  if [ -n "$ESEALD_PID" ] && kill -0 "$ESEALD_PID" 2>/dev/null; then
    kill -KILL "$ESEALD_PID" 2>/dev/null; wait "$ESEALD_PID" 2>/dev/null
  fi
  type pg_stop >/dev/null 2>&1 && pg_stop
  rm -rf "$T"
}
trap cleanup EXIT

need() {
  for t in "$@"; do
    command -v "$t" >/dev/null 2>&1 || { echo "SKIP: $t is not installed"; exit 77; }
  done
  [ -x "${ESEALD:-}" ] || { echo "SKIP: ESEALD is not set"; exit 77; }
  [ -x "${ESEAL:-}" ] || { echo "SKIP: ESEAL is not set"; exit 77; }
}

make_pki() {
  "$ESEAL" pki init "$T/pki" --pass test >/dev/null || { echo "FAIL: pki init"; exit 1; }
}

# start_eseald DB_URL [more flags]: waits until it answers.
start_eseald() {
  local db=$1; shift
  rm -f "$T/port"
  "$ESEALD" --listen 127.0.0.1:0 --port-file "$T/port" --db "$db" \
    --platform-key "$T/pki/maker.key" --platform-cert "$T/pki/maker.pem" --pass pass:test \
    --ca-key "$T/pki/root-ca.key" --ca-cert "$T/pki/root-ca.pem" --ca-pass pass:test \
    --master-key "$T/master.key" --create-master-key --seed-demo --demo-password demo \
    --threads 2 --max-body 1 --quiet "$@" >>"$T/eseald.log" 2>&1 &
  ESEALD_PID=$!
  for _ in $(seq 1 300); do
    if [ -s "$T/port" ]; then
      URL=http://127.0.0.1:$(cat "$T/port")
      curl -s -o /dev/null "$URL/api/v1/health" && return 0
    fi
    kill -0 "$ESEALD_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "FAIL: eseald did not start"; cat "$T/eseald.log"; exit 1
}

# stop_eseald: SIGTERM, and the exit status must be 0 (no leak under ASan).
stop_eseald() {
  kill -TERM "$ESEALD_PID"
  local rc=0
  wait "$ESEALD_PID" || rc=$?
  ESEALD_PID=
  if [ "$rc" -ne 0 ]; then
    echo "FAIL: eseald exited with $rc after SIGTERM"; tail -n 40 "$T/eseald.log"
    FAILS=$((FAILS + 1))
  else
    PASSES=$((PASSES + 1))
  fi
}

# api METHOD PATH [JSON] : uses $TOKEN; sets STATUS and BODY.
api() {
  local m=$1 p=$2 d=${3-}
  local args=(-s -o "$T/resp" -w '%{http_code}' -X "$m" "$URL$p")
  [ -n "${TOKEN:-}" ] && args+=(-H "Authorization: Bearer $TOKEN")
  if [ -n "$d" ]; then
    printf '%s' "$d" > "$T/req"
    args+=(-H 'Content-Type: application/json' --data-binary "@$T/req")
  fi
  STATUS=$(curl "${args[@]}")
  BODY=$(cat "$T/resp")
}

# api_file METHOD PATH FILE : the body from a file.
api_file() {
  local args=(-s -o "$T/resp" -w '%{http_code}' -X "$1" "$URL$2" -H 'Content-Type: application/json' --data-binary "@$3")
  [ -n "${TOKEN:-}" ] && args+=(-H "Authorization: Bearer $TOKEN")
  STATUS=$(curl "${args[@]}")
  BODY=$(cat "$T/resp")
}

# expect STATUS WHAT
expect() {
  if [ "$STATUS" != "$1" ]; then
    echo "FAIL: $2: expected HTTP $1, got $STATUS: ${BODY:0:300}"
    FAILS=$((FAILS + 1))
  else
    PASSES=$((PASSES + 1))
  fi
}

# check CONDITION-EXIT-STATUS WHAT : for jq tests etc.
check() {
  if [ "$1" -ne 0 ]; then
    echo "FAIL: $2 (${BODY:0:300})"
    FAILS=$((FAILS + 1))
  else
    PASSES=$((PASSES + 1))
  fi
}

# jqb FILTER : jq over $BODY
jqb() { printf '%s' "$BODY" | jq -r "$@"; }

# login USER -> prints the token
login() {
  local TOKEN=
  api POST /api/v1/login "{\"username\":\"$1\",\"password\":\"demo\"}"
  [ "$STATUS" = 200 ] || { echo "FAIL: login $1: $STATUS $BODY" >&2; echo none; return; }
  jqb .token
}

# active_seal NAME ORG REV MAKER [MEMBERS] : applies for a seal (seal_type 2,
# plus the JSON MEMBERS, e.g. ',"valid_days":365') with the tokens of an org
# admin, reviewer and maker of one organisation, then approves, makes,
# registers and activates it. Sets ESID; STATUS and BODY are the activation's
# answer and TOKEN is left as ORG (who may grant).
active_seal() {
  local app
  TOKEN=$2; api POST /api/v1/applications "{\"seal_name\":\"$1\",\"seal_type\":2${5-}}"; app=$(jqb .id)
  TOKEN=$3; api POST "/api/v1/applications/$app/approve" '{}'
  TOKEN=$4; api POST "/api/v1/applications/$app/make" '{}'; ESID=$(jqb .esid)
  TOKEN=$3; api POST "/api/v1/seals/$ESID/register" '{}'
  TOKEN=$2; api POST "/api/v1/seals/$ESID/activate" '{}'
}

finish() {
  echo
  echo "$PASSES passed, $FAILS failed"
  [ "$FAILS" -eq 0 ]
}
