#!/usr/bin/env bash
# Federation end to end (issue 7, docs/federation.md): a national node and
# two sub-centres on loopback, each with its own SQLite database and its own
# platform key. A seal registered in sub-centre A is verified through
# sub-centre B; a cancellation in A reaches the national node and B within a
# bounded time; with the national node stopped, A's events queue in its
# outbox and are delivered once it returns, none lost and none duplicated;
# a replayed event is acknowledged and not applied twice; a forged one is
# refused; a leaf rewritten in A's log and a log rewritten in B before it
# grew are both detected by the national node (fork alarms).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
need curl jq openssl sqlite3 python3

declare -A PORT PID DB
for n in N A B; do
  PORT[$n]=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "$ESEAL" pki init "$T/pki-$n" --pass test >/dev/null || { echo "FAIL: pki init"; exit 1; }
done
# each node verifies documents sealed anywhere: every node's CA is an anchor
mkdir -p "$T/anchors"
for n in N A B; do cp "$T/pki-$n/root-ca.pem" "$T/anchors/root-$n.pem"; done
TTL=4

conf() { # conf NODE ROLE [national]
  {
    printf 'node_id = %s\nrole = %s\n' "$1" "$2"
    [ -n "${3-}" ] && printf 'national = %s\n' "$3"
    for p in N A B; do
      [ "$p" = "$1" ] || printf 'peer = %s http://127.0.0.1:%s %s\n' "$p" "${PORT[$p]}" "$T/pki-$p/maker.pem"
    done
    printf 'status_ttl_s = %s\nfed_poll_s = 1\nfed_retry_max_s = 2\nfed_timeout_ms = 1000\n' "$TTL"
  } > "$T/$1.conf"
}
conf N national; conf A subcentre N; conf B subcentre N

start_node() { # start_node NODE
  local n=$1
  "$ESEALD" --config "$T/$n.conf" --listen "127.0.0.1:${PORT[$n]}" --db "${DB[$n]:-sqlite:$T/$n.db}" \
    --platform-key "$T/pki-$n/maker.key" --platform-cert "$T/pki-$n/maker.pem" --pass pass:test \
    --ca-key "$T/pki-$n/root-ca.key" --ca-cert "$T/pki-$n/root-ca.pem" --ca-pass pass:test \
    --trust "$T/anchors" --master-key "$T/master-$n.key" --create-master-key --seed-demo \
    --demo-password demo --threads 2 --quiet >>"$T/$n.log" 2>&1 &
  PID[$n]=$!
  for _ in $(seq 1 300); do
    curl -s -o /dev/null "http://127.0.0.1:${PORT[$n]}/api/v1/health" && return 0
    kill -0 "${PID[$n]}" 2>/dev/null || break
    sleep 0.1
  done
  echo "FAIL: node $n did not start"; cat "$T/$n.log"; exit 1
}
stop_node() { # stop_node NODE: SIGTERM, exit status 0
  kill -TERM "${PID[$1]}"; local rc=0; wait "${PID[$1]}" || rc=$?; PID[$1]=
  [ "$rc" -eq 0 ]; check $? "node $1 stops cleanly ($rc)"
}
cleanup_nodes() {
  for n in N A B; do
    [ -n "${PID[$n]-}" ] && kill -KILL "${PID[$n]}" 2>/dev/null && wait "${PID[$n]}" 2>/dev/null
  done
  cleanup
}
trap cleanup_nodes EXIT
on() { URL=http://127.0.0.1:${PORT[$1]}; } # the node the next api calls go to
# until SECONDS CMD...: polls CMD every 0.2 s until it succeeds or time is up
until_ok() { local end=$((SECONDS + $1)); shift; until "$@"; do [ $SECONDS -ge $end ] && return 1; sleep 0.2; done; }
b64() { base64 -w0 < "$1"; }
# leaf_hash TEXT : hex SM3(0x00 || TEXT), a log leaf's hash
leaf_hash() { { printf '\0'; printf '%s' "$1"; } | openssl dgst -sm3 -r | cut -d' ' -f1; }
# rewrite_leaf DB INDEX SED-EXPR : edits a leaf's entry behind the node's back, hash recomputed
rewrite_leaf() {
  local entry; entry=$(sqlite3 "$1" "SELECT entry FROM tlog_leaves WHERE leaf_index = $2" | sed "$3")
  sqlite3 "$1" "UPDATE tlog_leaves SET entry = '$entry', leaf_hash = '$(leaf_hash "$entry")' WHERE leaf_index = $2"
}

# a new active seal on the current node; prints its esid
new_seal() {
  local org rev maker ESID
  org=$(login orgadmin); rev=$(login reviewer); maker=$(login maker)
  active_seal "$1" "$org" "$rev" "$maker"
  [ "$STATUS" = 200 ] || { echo "FAIL: making a seal on $URL: $STATUS $BODY" >&2; return 1; }
  printf '%s' "$ESID"
}

# ---- configuration errors are named ----
printf 'role = subcentre\n' > "$T/bad1.conf"
"$ESEALD" --config "$T/bad1.conf" --listen 127.0.0.1:0 --db "sqlite:$T/bad.db" \
  --platform-key "$T/pki-A/maker.key" --platform-cert "$T/pki-A/maker.pem" --pass pass:test \
  --master-key "$T/mk-bad" --create-master-key 2>"$T/err"
[ $? -ne 0 ] && grep -q "national" "$T/err"; check $? "a sub-centre without a national node is refused"
printf 'peer = X ftp://host %s\n' "$T/pki-A/maker.pem" > "$T/bad2.conf"
"$ESEALD" --config "$T/bad2.conf" 2>"$T/err"; [ $? -eq 2 ] && grep -q "bad2.conf:1" "$T/err"; check $? "a bad peer line names the line"
printf 'role = capital\n' > "$T/bad3.conf"
"$ESEALD" --config "$T/bad3.conf" 2>"$T/err"; [ $? -eq 2 ] && grep -q "role" "$T/err"; check $? "an unknown role is refused"

start_node N; start_node A; start_node B
sqlite3 "$T/A.db" ".backup '$T/A-backup.db'" # A as it was before any seal: restored at the end

# ---- a seal of sub-centre A, verified through sub-centre B ----
on A
ESID=$(new_seal "甲分中心合同专用章") || exit 1
ORG_A=$(login orgadmin); USER_A=$(login user)
now=$(date +%s)
TOKEN=$ORG_A; api POST "/api/v1/seals/$ESID/grants" "{\"user\":\"user\",\"not_after\":$((now + 3600))}"; expect 201 "grant in A"
printf 'Contract sealed in sub-centre A\n' > "$T/doc.txt"
TOKEN=$USER_A; api POST "/api/v1/seals/$ESID/sign" "{\"name\":\"doc.txt\",\"data\":\"$(b64 "$T/doc.txt")\"}"; expect 200 "sealed in A"
printf '%s' "$BODY" | jq -r .signature | base64 -d > "$T/doc.sig"
api POST "/api/v1/seals/$ESID/sign" "{\"name\":\"doc.txt\",\"data\":\"$(b64 "$T/doc.txt")\",\"embed_status\":true}"
expect 200 "sealed in A with A's status answer embedded"
[ "$(jqb .status_embedded)" = true ]; check $? "status_embedded"
printf '%s' "$BODY" | jq -r .signature | base64 -d > "$T/doc-emb.sig"
api POST "/api/v1/seals/$ESID/sign" "{\"data\":\"$(b64 "$T/doc.txt")\",\"format\":\"ofd\",\"embed_status\":true}"; expect 400 "embed_status is for detached signatures"
api POST "/api/v1/seals/$ESID/sign" "{\"data\":\"$(b64 "$T/doc.txt")\",\"embed_status\":1}"; expect 400 "embed_status must be a boolean"
TOKEN=; api GET "/api/v1/seals/$ESID/status"; expect 200 "A answers for its own seal"
[ "$(jqb .content.node)" = A ] && [ "$(jqb .content.status)" = active ]; check $? "A's answer names A, active"
jqb -e '.content.log.sth.content.type == "eseal-sth/1" and (.content.log.path | type) == "array" and .content.log.tree_size > .content.log.leaf_index' >/dev/null
check $? "A's status answer carries an inclusion proof and a signed tree head"
jqb -c .content.log.sth > "$T/sth-early.json"
serial_of() { openssl x509 -in "$1" -noout -serial | cut -d= -f2 | tr 'A-F' 'a-f' | sed 's/^0*//'; }
SER_A=$(serial_of "$T/pki-A/maker.pem")

on B; TOKEN=
until_ok 10 eval 'api GET "/api/v1/seals/$ESID/status"; [ "$STATUS" = 200 ]'; check $? "B answers for A's seal"
[ "$(jqb .content.node)" = A ] && [ "$(jqb .content.esid)" = "$ESID" ]; check $? "B's answer is A's (node A, same esid)"
[ "$(jqb .signer | tr 'A-F' 'a-f' | sed 's/^0*//')" = "$SER_A" ]; check $? "signed with A's platform key"
printf '{"file":"%s","data":"%s","name":"doc.txt"}' "$(b64 "$T/doc.sig")" "$(b64 "$T/doc.txt")" > "$T/v.json"
api_file POST /api/v1/verify "$T/v.json"; expect 200 "verify A's document through B"
[ "$(jqb .verdict)" = TOTAL-PASSED ]; check $? "B: TOTAL-PASSED"
[ "$(jqb .registry_ok)" = true ]; check $? "B: registry ok"
[ "$(jqb '.report.signatures[0].registry.owner')" = A ] && [ "$(jqb '.report.signatures[0].registry.status_at_signing')" = active ]
check $? "B: registry part from A's signed answer, active at signing"
printf '{"file":"%s","data":"%s","name":"doc.txt"}' "$(b64 "$T/doc-emb.sig")" "$(b64 "$T/doc.txt")" > "$T/v-emb.json"
api_file POST /api/v1/verify "$T/v-emb.json"; expect 200 "verify through B a signature carrying A's status answer"
[ "$(jqb .verdict)" = TOTAL-PASSED ] && [ "$(jqb '[.. | objects | select(.id? == "status_answer")][0].result')" = PASSED ]
check $? "B: the embedded status answer (A's signature, its log proof) checks out"
api GET "/api/v1/seals/NO-SUCH-SEAL/status"; expect 404 "a seal no node knows"
on N; api GET "/api/v1/seals/$ESID/status"; expect 200 "the national node answers for A's seal"
[ "$(jqb .content.node)" = A ]; check $? "national: A's answer"

# ---- a cancellation in A reaches the national node and B in bounded time ----
sleep 1 # history has one-second resolution: cancel after the second of signing
on A; TOKEN=$ORG_A; api POST "/api/v1/seals/$ESID/cancel" '{"reason":"dissolution"}'; expect 200 "cancel in A"
TOKEN=
t0=$SECONDS
on N; until_ok 10 eval 'api GET "/api/v1/seals/$ESID/status"; [ "$(jqb .content.status)" = cancelled ]'
check $? "national sees the cancellation (within 10 s)"
on B; until_ok $((TTL + 10)) eval 'api GET "/api/v1/seals/$ESID/status"; [ "$(jqb .content.status)" = cancelled ]'
check $? "B sees the cancellation (within the answer validity + 10 s)"
echo "cancellation seen everywhere after $((SECONDS - t0)) s"
api_file POST /api/v1/verify "$T/v.json"
[ "$(jqb '.report.signatures[0].registry.status_now')" = cancelled ] && [ "$(jqb '.report.signatures[0].registry.status_at_signing')" = active ]
check $? "B: cancelled now, active when the document was sealed"

# ---- the national node down: A's events queue, then arrive once ----
stop_node N
on A
ESID2=$(new_seal "甲分中心财务专用章") || exit 1
TOKEN=$ORG_A
for _ in 1 2 3; do
  api POST "/api/v1/seals/$ESID2/suspend" '{}'; expect 200 "suspend while national is down"
  api POST "/api/v1/seals/$ESID2/resume" '{}'; expect 200 "resume while national is down"
done
TOKEN=; api GET /api/v1/federation/peers
[ "$(jqb .outbox.pending)" -ge 9 ]; check $? "events queue in A's outbox ($(jqb .outbox.pending) pending)"
sleep 3 # a few failed attempts, backing off
[ "$(sqlite3 "$T/A.db" 'SELECT MAX(attempts) FROM fed_outbox WHERE delivered_at = 0')" -ge 2 ]; check $? "delivery retried with back-off"
start_node N
until_ok 20 eval 'api GET /api/v1/federation/peers; [ "$(jqb .outbox.pending)" = 0 ]'; check $? "the outbox drains once national is back"
TOTAL_A=$(jqb .outbox.total)
on N; api GET /api/v1/federation/peers
[ "$(jqb '.peers[] | select(.node == "A") | .events_received')" = "$TOTAL_A" ]; check $? "national received every event of A ($TOTAL_A)"
[ "$(sqlite3 "$T/N.db" "SELECT COUNT(*) = COUNT(DISTINCT seq) AND MAX(seq) = COUNT(*) FROM fed_inbox WHERE origin = 'A'")" = 1 ]
check $? "no event twice, none missing (seqs 1..$TOTAL_A)"
[ "$(sqlite3 "$T/A.db" 'SELECT COUNT(*) FROM tlog_leaves')" = "$TOTAL_A" ]; check $? "one log leaf per event in A"
api GET "/api/v1/seals/$ESID2/status"; [ "$(jqb .content.status)" = active ] && [ "$(jqb .content.node)" = A ]
check $? "national: the last state of the queued seal, in order"

# ---- idempotent and authenticated delivery ----
sqlite3 "$T/A.db" 'SELECT body FROM fed_outbox WHERE seq = 2' > "$T/ev2.json"
api_file POST /api/v1/federation/events "$T/ev2.json"; expect 200 "a replayed event is acknowledged"
[ "$(jqb .duplicate)" = true ]; check $? "and marked duplicate"
api GET /api/v1/federation/peers; [ "$(jqb '.peers[] | select(.node == "A") | .events_received')" = "$TOTAL_A" ]; check $? "not applied twice"
jq -c '.content.seq = 999 | .tbs = (.content | tojson | @base64)' "$T/ev2.json" > "$T/forged.json"
api_file POST /api/v1/federation/events "$T/forged.json"; expect 403 "a forged event is refused"
on B; api_file POST /api/v1/federation/events "$T/ev2.json"; expect 403 "a sub-centre takes no events"

# ---- the log: tree head, proofs, entries ----
on A; api GET /api/v1/log/sth; expect 200 "A's tree head"
[ "$(jqb .content.tree_size)" = "$TOTAL_A" ] && [ "$(jqb .content.node)" = A ]; check $? "tree head: size and node"
api GET "/api/v1/log/entries?start=0&end=1"; expect 200 "log entries"
[ "$(jqb '.entries[0]' | base64 -d | jq -r .type)" = eseal-log-entry/1 ]; check $? "entries are eseal-log-entry/1 documents"
api GET "/api/v1/log/consistency?first=3&second=$TOTAL_A"; expect 200 "consistency proof"
api GET "/api/v1/log/proof?index=$TOTAL_A"; expect 400 "an index past the log"
api GET "/api/v1/log/proof?index=1&size=$TOTAL_A"; expect 200 "inclusion proof"
# the same checked offline with the CLI against A's platform certificate
if "$ESEAL" log verify --help >/dev/null 2>&1; then
  api GET /api/v1/log/sth; printf '%s' "$BODY" > "$T/sth-a.json"
  api GET "/api/v1/log/entries?start=0&end=$((TOTAL_A - 1))"; printf '%s' "$BODY" > "$T/export-a.json"
  "$ESEAL" log verify --export "$T/export-a.json" --sth "$T/sth-a.json" --platform "$T/pki-A/maker.pem" >/dev/null
  check $? "eseal log verify: A's exported entries give its signed head"
  api GET "/api/v1/seals/$ESID2/status"
  jqb .content.log.entry | base64 -d > "$T/entry.bin"
  jqb -c '.content.log | {leaf_index, tree_size, path}' > "$T/incl.json"
  jqb -c .content.log.sth > "$T/sth-incl.json"
  "$ESEAL" log verify --entry "$T/entry.bin" --proof "$T/incl.json" --sth "$T/sth-incl.json" --platform "$T/pki-A/maker.pem" >/dev/null
  check $? "eseal log verify: the status answer's inclusion proof"
  api GET "/api/v1/log/consistency?first=$(jq .content.tree_size "$T/sth-early.json")&second=$TOTAL_A"; printf '%s' "$BODY" > "$T/cons.json"
  "$ESEAL" log verify --sth "$T/sth-early.json" --sth2 "$T/sth-a.json" --proof "$T/cons.json" --platform "$T/pki-A/maker.pem" >/dev/null
  check $? "eseal log verify: A's later head extends the early one"
fi
# the national node has checked A's heads all along, without alarm
on N
until_ok 10 eval 'api GET /api/v1/federation/peers; [ "$(jqb ".peers[] | select(.node == \"A\") | .tree_size")" = "$TOTAL_A" ]'
check $? "national accepted A's latest tree head"
[ "$(jqb .alarms)" = 0 ]; check $? "no alarm so far"
until_ok 10 eval '[ "$(sqlite3 "$T/N.db" "SELECT COUNT(*) FROM fed_inbox WHERE origin = '"'A'"' AND proven = 1")" = "$TOTAL_A" ]'
check $? "national proved every event of A in A's log (inclusion proofs)"
on B; api GET /api/v1/federation/peers
jqb -e '.role == "subcentre" and .national == "N" and ([.peers[] | select(.node == "N") | .sth.content.type][0] == "eseal-sth/1")' >/dev/null
check $? "a sub-centre checks its national node's tree heads"
on N

# ---- A rewrites a leaf of its log: same size, another root ----
row=$(sqlite3 "$T/A.db" "SELECT leaf_index FROM tlog_leaves WHERE esid = '$ESID' AND event = 'cancel'")
rewrite_leaf "$T/A.db" "$row" 's/"cancelled"/"active"/'
check $? "A's cancellation rewritten in its database (hash recomputed)"
until_ok 10 eval 'api GET /api/v1/federation/peers; [ "$(jqb ".peers[] | select(.node == \"A\") | .alarm.kind")" = two-heads-for-one-size ]'
check $? "national raises a fork alarm: two tree heads of A for one size"
jqb -e '.peers[] | select(.node == "A") | .alarm.accepted_sth.content.root_hash != .alarm.new_sth.content.root_hash' >/dev/null
check $? "the alarm keeps both signed heads as evidence"
on A; api GET /api/v1/federation/peers; [ "$(jqb .log.alarm.kind)" = local-log-changed ]; check $? "A notices its own log changed"
if [ -f "$T/sth-a.json" ]; then
  api GET "/api/v1/log/entries?start=0&end=$((TOTAL_A - 1))"; printf '%s' "$BODY" > "$T/export-a2.json"
  "$ESEAL" log verify --export "$T/export-a2.json" --sth "$T/sth-a.json" --platform "$T/pki-A/maker.pem" >/dev/null 2>&1
  [ $? -eq 1 ]; check $? "eseal log verify: the rewritten export no longer gives the head A signed before"
fi
on N; AUD=$(login auditor); TOKEN=$AUD; api GET /api/v1/audit; TOKEN=
jqb -e '[.entries[] | select(.action == "federation.fork" and .object == "node/A")] | length >= 1' >/dev/null; check $? "the alarm is in the national audit log"

# ---- B rewrites history while down, then grows: the consistency proof fails ----
on B
ESID3=$(new_seal "乙分中心合同专用章") || exit 1
on N
until_ok 10 eval 'api GET /api/v1/federation/peers; [ "$(jqb ".peers[] | select(.node == \"B\") | .tree_size")" -ge 3 ]'
check $? "national accepted B's tree head"
stop_node B
# while down: leaf 0 rewritten, and a leaf added so that the next head is
# for a larger tree (a same-size head would be caught as two heads)
n=$(sqlite3 "$T/B.db" 'SELECT COUNT(*) FROM tlog_leaves')
rewrite_leaf "$T/B.db" 0 's/"make"/"made-up"/'
extra='{"esid":"X","event":"register","node":"B","seq":'$((n + 1))',"status":"registered","type":"eseal-log-entry/1"}'
sqlite3 "$T/B.db" "INSERT INTO tlog_leaves VALUES ($n, 'X', 'register', '$extra', '$(leaf_hash "$extra")', 0)"
check $? "B's log rewritten and extended in its database"
start_node B
on N
until_ok 10 eval 'api GET /api/v1/federation/peers; [ "$(jqb ".peers[] | select(.node == \"B\") | .alarm.kind")" = inconsistent ]'
check $? "national raises a fork alarm: B's new head is not consistent with the old one"

api GET /api/v1/openapi.json
jqb -e '[.paths["/api/v1/federation/events"].post, .paths["/api/v1/federation/peers"].get, .paths["/api/v1/log/sth"].get, .paths["/api/v1/log/proof"].get, .paths["/api/v1/log/consistency"].get, .paths["/api/v1/log/entries"].get] | all' >/dev/null
check $? "openapi documents the federation and log endpoints"
# ---- the owner down: the last signed answer, marked out of date ----
stop_node A
sleep $((TTL + 1)) # every answer of A's that a node holds is now past its next_update
on N; api GET "/api/v1/seals/$ESID2/status"; expect 200 "national answers for A's seal with A down"
[ "$(jqb .content.node)" = A ] && [ "$(jqb .content.next_update)" -lt "$(date +%s)" ]
check $? "national: A's last signed answer, past its next_update"
curl -s -D - -o /dev/null "$URL/api/v1/seals/$ESID2/status" | grep -qi '^Warning: 110'; check $? "national: a Warning says the answer is out of date"
on B; api_file POST /api/v1/verify "$T/v.json"; expect 200 "verify through B with A down"
[ "$(jqb '.report.signatures[0].registry.answer_fresh')" = false ] && [ "$(jqb .registry_ok)" = false ]
check $? "B: an out-of-date answer is not relied on (answer_fresh false, registry not ok)"

# ---- A restored from its first backup: its event ids come again, with other entries ----
rm -f "$T/A.db-wal" "$T/A.db-shm"; cp "$T/A-backup.db" "$T/A.db"
start_node A
on A; new_seal "恢复后的印章" >/dev/null || exit 1
on N; AUD=$(login auditor)
until_ok 10 eval 'TOKEN=$AUD; api GET /api/v1/audit; jqb -e "[.entries[] | select(.action == \"federation.fork\" and (.detail | test(\"seq-reused\")))] | length == 1" >/dev/null'
check $? "national: a reused event id with another entry is a fork alarm"
sleep 3 # A retries meanwhile
TOKEN=$AUD; api GET /api/v1/audit
[ "$(jqb '[.entries[] | select(.action == "federation.fork" and (.detail | test("seq-reused")))] | length')" = 1 ]
check $? "raised once, despite A's retries"
TOKEN=; api GET /api/v1/federation/peers
jqb -e '.peers[] | select(.node == "A") | .alarm.kind == "seq-reused" and .alarm.earlier.kind == "two-heads-for-one-size"' >/dev/null
check $? "the new alarm keeps the earlier one's evidence"
TOKEN=; on A; api GET /api/v1/federation/peers; [ "$(jqb .outbox.pending)" -ge 1 ]; check $? "A's rewritten events are refused, not taken as duplicates"
[ "$(sqlite3 "$T/A.db" 'SELECT last_error FROM fed_outbox WHERE delivered_at = 0 ORDER BY seq LIMIT 1' | cut -c1-8)" = "HTTP 409" ]
check $? "A's outbox shows the refusal (HTTP 409)"
[ "$(sqlite3 "$T/N.db" "SELECT COUNT(*) FROM fed_inbox WHERE origin = 'A'")" = "$TOTAL_A" ]; check $? "national applied none of them"
stop_node A; stop_node B; stop_node N

# ---- the outbox on PostgreSQL: the national node down and back ----
if command -v psql >/dev/null && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  . "$here/pg.sh"
  pg_start
  for n in N A; do
    psql -q "$PG_URL" -c "CREATE DATABASE fed_${n,,}" >/dev/null; check $? "database fed_${n,,}"
    DB[$n]=${PG_URL%/postgres}/fed_${n,,}
  done
  start_node N; start_node A
  on A; ESID4=$(new_seal "甲分中心 PostgreSQL 专用章") || exit 1
  until_ok 10 eval 'api GET /api/v1/federation/peers; [ "$(jqb .outbox.pending)" = 0 ]'; check $? "PostgreSQL: events delivered"
  stop_node N
  TOKEN=$(login orgadmin)
  for _ in 1 2; do
    api POST "/api/v1/seals/$ESID4/suspend" '{}'; expect 200 "PostgreSQL: suspend while national is down"
    api POST "/api/v1/seals/$ESID4/resume" '{}'; expect 200 "PostgreSQL: resume while national is down"
  done
  api POST "/api/v1/seals/$ESID4/suspend" '{}'; TOKEN=
  api GET /api/v1/federation/peers; [ "$(jqb .outbox.pending)" = 5 ]; check $? "PostgreSQL: five events queued"
  start_node N
  until_ok 20 eval 'api GET /api/v1/federation/peers; [ "$(jqb .outbox.pending)" = 0 ]'; check $? "PostgreSQL: the outbox drains"
  TOTAL=$(jqb .outbox.total)
  [ "$(psql -At "${DB[N]}" -c "SELECT COUNT(*) = $TOTAL AND COUNT(DISTINCT seq) = $TOTAL AND MAX(seq) = $TOTAL FROM fed_inbox WHERE origin = 'A'")" = t ]
  check $? "PostgreSQL: every event of A once at national ($TOTAL)"
  on N; api GET "/api/v1/seals/$ESID4/status"; [ "$(jqb .content.status)" = suspended ]; check $? "PostgreSQL: national has the last state"
  stop_node A; stop_node N
fi
! grep -h "runtime error\|AddressSanitizer\|LeakSanitizer" "$T"/[NAB].log; check $? "no sanitizer report in the nodes' logs"
finish
