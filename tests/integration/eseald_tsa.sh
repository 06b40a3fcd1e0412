#!/usr/bin/env bash
# End-to-end tests of trusted time through eseald over real HTTP: the
# platform's time-stamp authority (POST /api/v1/tsa) answering eseal and
# openssl ts requests, its certificate kept across restarts (tsa-cert.pem)
# and shown by GET /api/v1/platform, bad requests, an ECDSA TSA checked by
# `openssl ts -verify`; `eseal sign --tsa URL` against it and against a dead
# port; sealing through the platform with a token; the registry's status
# judged at the token's time.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
need curl jq openssl
make_pki

# tsa_post FILE [CONTENT-TYPE] : POST a body to /api/v1/tsa; sets STATUS,
# CTYPE and BODY (the answer is also in $T/resp).
tsa_post() {
  local ct=${2-application/timestamp-query}
  local out
  out=$(curl -s -o "$T/resp" -w '%{http_code} %{content_type}' -X POST "$URL/api/v1/tsa" \
    -H "Content-Type: $ct" --data-binary "@$1")
  STATUS=${out%% *}
  CTYPE=${out#* }
  BODY=$(head -c 2000 "$T/resp" | tr -d '\0')
}

printf 'Contract No. 2026-9\n合同正文\n' > "$T/doc.txt"
printf 'another text\n' > "$T/other.txt"

# ---- the platform's TSA: the platform key, certified for time stamping by the CA ----
start_eseald "sqlite:$T/eseald.db"
"$ESEAL" ts request "$T/doc.txt" --cert -o "$T/req.tsq" >/dev/null; check $? "eseal ts request"
tsa_post "$T/req.tsq"; expect 200 "POST /api/v1/tsa"
[ "$CTYPE" = application/timestamp-reply ]; check $? "answered as application/timestamp-reply ($CTYPE)"
cp "$T/resp" "$T/resp1.tsr"
"$ESEAL" ts verify "$T/resp1.tsr" --data "$T/doc.txt" --trust "$T/pki/root-ca.pem" > "$T/v.out"
check $? "eseal ts verify of the platform's token"
grep -q "TSA:.*TSA" "$T/v.out"; check $? "the token names the platform's TSA certificate"
grep -q "policy:   1.2.156.10197.6.1.4.2.9.1" "$T/v.out"; check $? "the default policy"
"$ESEAL" ts verify "$T/resp1.tsr" --data "$T/other.txt" --trust "$T/pki/root-ca.pem" >/dev/null
[ $? -eq 1 ]; check $? "the token does not cover other data"
openssl ts -reply -in "$T/resp1.tsr" -text > "$T/text.out" 2>&1
check $? "openssl ts -reply -text parses the answer"
grep -q "Status: Granted" "$T/text.out"; check $? "openssl: status granted"
grep -q "Nonce: 0x" "$T/text.out"; check $? "openssl: the nonce is echoed"
grep -q "Accuracy: 0x01 seconds" "$T/text.out"; check $? "openssl: accuracy 1 s"
# serial numbers never repeat
for i in 1 2 3; do
  tsa_post "$T/req.tsq"; cp "$T/resp" "$T/r$i.tsr"
  "$ESEAL" ts verify "$T/r$i.tsr" --data "$T/doc.txt" --trust "$T/pki/root-ca.pem" | grep serial
done > "$T/serials"
[ "$(sort -u "$T/serials" | wc -l)" = 3 ]; check $? "three answers, three serial numbers"
# an openssl request (SHA-256 imprint, no certReq) is answered too
openssl ts -query -data "$T/doc.txt" -sha256 -out "$T/ossl.tsq" 2>/dev/null
tsa_post "$T/ossl.tsq"; expect 200 "an openssl ts -query request"
cp "$T/resp" "$T/ossl.tsr"
openssl ts -reply -in "$T/ossl.tsr" -text 2>/dev/null | grep -q "Hash Algorithm: sha256"
check $? "openssl: SHA-256 imprint echoed"

# ---- bad requests: JSON errors, never a crash ----
printf 'not a request' > "$T/garbage"
tsa_post "$T/garbage"; expect 400 "garbage body"
[ "$(jqb .error.code)" = bad_timestamp_query ]; check $? "400 names bad_timestamp_query"
jqb .error.message | grep -qi "TimeStampReq"; check $? "the message says what was expected"
head -c 30 "$T/req.tsq" > "$T/cut.tsq"
tsa_post "$T/cut.tsq"; expect 400 "a truncated request"
: > "$T/empty"
tsa_post "$T/empty"; expect 400 "an empty body"
tsa_post "$T/req.tsq" application/json; expect 415 "wrong content type"
[ "$(jqb .error.code)" = unsupported_media_type ]; check $? "415 is JSON"
head -c 20000 /dev/zero > "$T/big.tsq"
tsa_post "$T/big.tsq"; expect 413 "an oversized request"
api GET /api/v1/tsa; expect 405 "GET /api/v1/tsa"
# a well-formed request the TSA does not grant: an RFC 3161 rejection, not HTTP 400
"$ESEAL" ts request "$T/doc.txt" --policy 1.2.3.4 -o "$T/pol.tsq" >/dev/null
tsa_post "$T/pol.tsq"; expect 200 "a request for another policy"
openssl ts -reply -in "$T/resp" -text 2>/dev/null | grep -q "Status: Rejected"
check $? "answered with status rejection"
"$ESEAL" ts verify "$T/resp" --data "$T/doc.txt" > "$T/v.out"; [ $? -eq 1 ] && grep -q TIMESTAMP_REJECTED "$T/v.out"
check $? "eseal ts verify: TIMESTAMP_REJECTED"
api GET /api/v1/health; expect 200 "alive after the bad requests"
api GET /api/v1/openapi.json
jqb -e '.paths["/api/v1/tsa"].post' >/dev/null; check $? "openapi documents /api/v1/tsa"
jqb -e '.paths["/api/v1/platform"].get.responses["200"].content["application/json"].schema.properties.tsa_cert' >/dev/null
check $? "openapi documents /api/v1/platform's tsa_cert"

# ---- the platform's TSA certificate is kept across restarts (tsa-cert.pem
# beside the master key), replaced when it is missing or unusable ----
# tok_cert TOKEN-REPLY : the SHA-256 fingerprint of the certificate in the token
tok_cert() {
  openssl ts -reply -in "$1" -token_out 2>/dev/null | openssl pkcs7 -inform DER -print_certs 2>/dev/null |
    openssl x509 -noout -fingerprint -sha256 2>/dev/null
}
# platform_tsa_cert : the fingerprint of GET /api/v1/platform's tsa_cert
platform_tsa_cert() {
  TOKEN=; api GET /api/v1/platform; expect 200 "GET /api/v1/platform"
  jqb .tsa_cert | openssl x509 -noout -fingerprint -sha256 2>/dev/null
}
# restart_tsa WHAT : restarts eseald, asks for a token (kept in $T/rs.tsr);
# LOG holds what this start logged
restart_tsa() {
  stop_eseald
  local lines; lines=$(wc -l < "$T/eseald.log")
  start_eseald "sqlite:$T/eseald.db"
  LOG=$(tail -n +"$((lines + 1))" "$T/eseald.log")
  tsa_post "$T/req.tsq"; expect 200 "a token after the restart ($1)"
  cp "$T/resp" "$T/rs.tsr"
}
CERT1=$(tok_cert "$T/resp1.tsr")
[ -n "$CERT1" ]; check $? "the token carries its TSA certificate ($CERT1)"
[ "$(platform_tsa_cert)" = "$CERT1" ]; check $? "GET /api/v1/platform shows the tokens' TSA certificate"
[ -f "$T/tsa-cert.pem" ] && [ "$(stat -c %a "$T/tsa-cert.pem")" = 644 ]
check $? "the TSA certificate is kept in tsa-cert.pem beside the master key, mode 0644"
restart_tsa "same data"
[ "$(tok_cert "$T/rs.tsr")" = "$CERT1" ]; check $? "a second start on the same data: the same TSA certificate"
grep -q "eseald: tsa: the TSA certificate in .*tsa-cert.pem" <<<"$LOG"; check $? "the start says it reused the kept one"
! grep -q "a new TSA certificate" <<<"$LOG"; check $? "and issued none"
"$ESEAL" ts verify "$T/rs.tsr" --data "$T/doc.txt" --trust "$T/pki/root-ca.pem" >/dev/null
check $? "its token verifies"
head -c 300 "$T/tsa-cert.pem" > "$T/cut.pem"; mv "$T/cut.pem" "$T/tsa-cert.pem"
restart_tsa "corrupted file"
CERT2=$(tok_cert "$T/rs.tsr")
[ -n "$CERT2" ] && [ "$CERT2" != "$CERT1" ]; check $? "a corrupted file: a fresh TSA certificate"
grep -q "a new TSA certificate .*unusable: it holds no PEM certificate" <<<"$LOG"
check $? "the start says why ($(grep tsa: <<<"$LOG"))"
[ "$(platform_tsa_cert)" = "$CERT2" ]; check $? "GET /api/v1/platform shows the fresh certificate"
openssl x509 -in "$T/tsa-cert.pem" -noout -fingerprint -sha256 | grep -qF "${CERT2#*=}"
check $? "the file was replaced by it"
rm -f "$T/tsa-cert.pem"
restart_tsa "deleted file"
CERT3=$(tok_cert "$T/rs.tsr")
[ -n "$CERT3" ] && [ "$CERT3" != "$CERT2" ] && [ -f "$T/tsa-cert.pem" ]
check $? "a deleted file: a fresh TSA certificate, kept again"
grep -q "a new TSA certificate .*none was kept yet" <<<"$LOG"; check $? "the start says why"
# a certificate the configured CA did not issue (another PKI's) is not used
"$ESEAL" pki init "$T/pki2" --pass test >/dev/null
cp "$T/pki2/maker.pem" "$T/tsa-cert.pem"
restart_tsa "another CA's certificate"
CERT4=$(tok_cert "$T/rs.tsr")
[ -n "$CERT4" ] && [ "$CERT4" != "$CERT3" ]; check $? "a foreign certificate in the file: replaced"
grep -q "a new TSA certificate .*unusable: it certifies another key" <<<"$LOG"; check $? "the start says why"
# the platform certificate itself: right key and CA, but no timeStamping
cp "$T/pki/maker.pem" "$T/tsa-cert.pem"
restart_tsa "a certificate without timeStamping"
grep -q "a new TSA certificate .*unusable: it lacks extendedKeyUsage timeStamping" <<<"$LOG"
check $? "a certificate without timeStamping: replaced ($(grep tsa: <<<"$LOG"))"
# TSA certificates the CA issued elsewhere (openssl): 60 days left are
# enough, 10 days are not (the 30-day margin)
cat > "$T/tsaext.cnf" <<'CNF'
[tsa]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
extendedKeyUsage = critical,timeStamping
authorityKeyIdentifier = keyid:always
CNF
openssl req -new -key "$T/pki/maker.key" -passin pass:test -subj "/CN=eseald TSA" -sm3 \
  -out "$T/tsa.csr" >/dev/null 2>&1
for d in 10 60; do
  openssl x509 -req -in "$T/tsa.csr" -CA "$T/pki/root-ca.pem" -CAkey "$T/pki/root-ca.key" \
    -passin pass:test -set_serial "$((4096 + d))" -days "$d" -sm3 -sigopt distid:1234567812345678 \
    -extfile "$T/tsaext.cnf" -extensions tsa -out "$T/tsa$d.pem" >/dev/null 2>&1
done
if [ -s "$T/tsa60.pem" ] && [ -s "$T/tsa10.pem" ]; then
  cp "$T/tsa60.pem" "$T/tsa-cert.pem"
  restart_tsa "a certificate valid 60 more days"
  [ "$(tok_cert "$T/rs.tsr")" = "$(openssl x509 -in "$T/tsa60.pem" -noout -fingerprint -sha256)" ]
  check $? "60 days left: the kept certificate is used ($(grep tsa: <<<"$LOG"))"
  cp "$T/tsa10.pem" "$T/tsa-cert.pem"
  restart_tsa "a certificate valid 10 more days"
  [ "$(tok_cert "$T/rs.tsr")" != "$(openssl x509 -in "$T/tsa10.pem" -noout -fingerprint -sha256)" ]
  check $? "10 days left: replaced"
  grep -q "a new TSA certificate .*unusable: it expires too soon (before 20" <<<"$LOG"
  check $? "the start says why ($(grep tsa: <<<"$LOG"))"
else
  echo "this openssl cannot issue SM2 certificates: the expiry margin is not tested"
fi
stop_eseald

# ---- no TSA: 503 ----
start_eseald "sqlite:$T/eseald.db" --no-tsa
tsa_post "$T/req.tsq"; expect 503 "--no-tsa"
[ "$(jqb .error.code)" = tsa_unavailable ]; check $? "503 says tsa_unavailable"
TOKEN=; api GET /api/v1/platform; [ "$(jqb .tsa_cert)" = null ]; check $? "no TSA: /platform's tsa_cert is null"
stop_eseald

# ---- an ECDSA P-256 TSA (tsa_key/tsa_cert), checked by openssl ts -verify ----
cat > "$T/ext.cnf" <<'CNF'
[tsa]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
extendedKeyUsage = critical,timeStamping
CNF
( cd "$T" &&
  openssl ecparam -name prime256v1 -genkey -noout -out ecroot.key &&
  openssl req -x509 -new -key ecroot.key -subj "/CN=EC Root" -days 30 -out ecroot.pem &&
  openssl ecparam -name prime256v1 -genkey -noout -out ectsa.key &&
  openssl req -new -key ectsa.key -subj "/CN=EC TSA" -out ectsa.csr &&
  openssl x509 -req -in ectsa.csr -CA ecroot.pem -CAkey ecroot.key -CAcreateserial -days 30 \
    -extfile ext.cnf -extensions tsa -out ectsa.pem ) >/dev/null 2>&1
check $? "openssl: an ECDSA TSA certificate"
"$ESEALD" --listen 127.0.0.1:0 --db "sqlite:$T/x.db" --platform-key "$T/pki/maker.key" \
  --platform-cert "$T/pki/maker.pem" --pass pass:test --master-key "$T/master.key" \
  --tsa-key "$T/pki/owner.key" --tsa-cert "$T/pki/owner.pem" --tsa-pass pass:test 2>"$T/err"
[ $? -ne 0 ] && grep -q "not a TSA certificate" "$T/err"; check $? "a certificate without timeStamping is refused at start"
start_eseald "sqlite:$T/eseald.db" --tsa-key "$T/ectsa.key" --tsa-cert "$T/ectsa.pem"
openssl ts -query -data "$T/doc.txt" -sha256 -cert -out "$T/ec.tsq" 2>/dev/null
tsa_post "$T/ec.tsq"; expect 200 "the ECDSA TSA answers"
cp "$T/resp" "$T/ec.tsr"
openssl ts -verify -in "$T/ec.tsr" -queryfile "$T/ec.tsq" -CAfile "$T/ecroot.pem" > "$T/v.out" 2>&1
check $? "openssl ts -verify accepts eseald's token"
grep -q "Verification: OK" "$T/v.out"; check $? "openssl: Verification: OK"
dead=${URL##*:} # nothing listens there once this daemon is stopped
openssl ts -verify -in "$T/ec.tsr" -data "$T/other.txt" -CAfile "$T/ecroot.pem" >/dev/null 2>&1
[ $? -ne 0 ]; check $? "openssl ts -verify refuses it for other data"
stop_eseald

# ---- eseal sign/ofd sign --tsa URL against eseald; a dead port; a silent TSA ----
start_eseald "sqlite:$T/eseald.db"
TSA_URL="$URL/api/v1/tsa"
plain=${ES_SOURCE_DIR:-$here/../..}/tests/unit/ofd/data/plain3.ofd
if "$ESEAL" seal image --shape round --name "测试科技有限公司" -o "$T/pic.png" >/dev/null 2>&1; then
  "$ESEAL" seal make --maker-key "$T/pki/maker.key" --maker-cert "$T/pki/maker.pem" \
    --cert "$T/pki/owner.pem" --name "测试章" --type 1 --valid-to +30 --picture "$T/pic.png" \
    --pass test -o "$T/s.esl" >/dev/null; check $? "eseal seal make"
  SIGN=("$ESEAL" sign "$T/doc.txt" --seal "$T/s.esl" --key "$T/pki/owner.key" --cert "$T/pki/owner.pem" --pass test)
  "${SIGN[@]}" --tsa "$TSA_URL" -o "$T/cli.sig" >/dev/null 2>"$T/err"; check $? "eseal sign --tsa eseald"
  "$ESEAL" verify "$T/cli.sig" --data "$T/doc.txt" --trust "$T/pki/root-ca.pem" > "$T/v.out"
  check $? "the time-stamped signature verifies TOTAL-PASSED"
  grep -q "time stamp of .*TSA" "$T/v.out"; check $? "its time comes from eseald's token"
  # a dead port: a clear failure, exit 6, no output
  "${SIGN[@]}" --tsa "http://127.0.0.1:$dead/api/v1/tsa" -o "$T/dead.sig" >/dev/null 2>"$T/err"
  rc=$?; [ $rc -eq 6 ]; check $? "a TSA that does not answer: exit 6 (got $rc)"
  grep -q "did not answer" "$T/err"; check $? "the message says the TSA did not answer ($(head -c 200 "$T/err"))"
  [ ! -e "$T/dead.sig" ]; check $? "no signature written"
  "${SIGN[@]}" --tsa "http://127.0.0.1:$dead/api/v1/tsa" --tsa-optional -o "$T/opt.sig" >/dev/null 2>"$T/err"
  check $? "--tsa-optional signs without a token"
  grep -q "warning: signing without a time stamp" "$T/err"; check $? "--tsa-optional warns"
  "$ESEAL" verify "$T/opt.sig" --data "$T/doc.txt" --trust "$T/pki/root-ca.pem" > "$T/v.out"
  check $? "that signature verifies"
  grep -q "timeInfo, as claimed" "$T/v.out"; check $? "and its time is only claimed"
  # a URL that is not a TSA: HTTP 405 with JSON
  "${SIGN[@]}" --tsa "$URL/api/v1/health" -o "$T/x.sig" >/dev/null 2>"$T/err"
  [ $? -eq 6 ] && grep -q "HTTP 405" "$T/err"; check $? "a URL that is no TSA: exit 6, HTTP 405"
  # a TSA that accepts the connection and never answers: the time-out
  # misbehaving TSAs (python3): silent, too big, the wrong content type, a replay
  if command -v python3 >/dev/null; then
    python3 - "$T" > "$T/bad.port" <<'PY' &
import http.server, socketserver, sys, time
replay = open(sys.argv[1] + "/resp1.tsr", "rb").read()
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path == "/slow":
            time.sleep(20); return
        body, ct = replay, "application/timestamp-reply"
        if self.path == "/big": body = b"0" * 300000
        if self.path == "/html": ct = "text/html"
        self.send_response(200); self.send_header("Content-Type", ct)
        self.send_header("Content-Length", str(len(body))); self.end_headers()
        self.wfile.write(body)
class S(socketserver.ThreadingMixIn, http.server.HTTPServer): daemon_threads = True
s = S(("127.0.0.1", 0), H); print(s.server_address[1], flush=True); s.serve_forever()
PY
    BAD_PID=$!
    for _ in $(seq 1 50); do [ -s "$T/bad.port" ] && break; sleep 0.1; done
    BAD="http://127.0.0.1:$(cat "$T/bad.port")"
    # bad_tsa PATH WANT WHAT : exit 6 and WANT in the message
    bad_tsa() {
      "${SIGN[@]}" --tsa "$BAD$1" --tsa-timeout 700 -o "$T/x.sig" >/dev/null 2>"$T/err"
      local rc=$?
      [ $rc -eq 6 ] && grep -q "$2" "$T/err" && [ ! -e "$T/x.sig" ]
      check $? "$3: exit 6 ($rc: $(head -c 200 "$T/err"))"
    }
    start=$(date +%s%N)
    bad_tsa /slow "within 700 ms" "a TSA that never answers"
    ms=$(( ($(date +%s%N) - start) / 1000000 )); [ "$ms" -lt 5000 ]; check $? "the time-out holds (${ms} ms)"
    bad_tsa /big "more than 262144 bytes" "an answer over the size limit"
    bad_tsa /html "text/html, not application/timestamp-reply" "the wrong content type"
    bad_tsa /replay "TIMESTAMP_IMPRINT_MISMATCH" "a replayed answer (for other data)"
    BODY=$(cat "$T/err")
    grep -q "asked to) \[ES_ERR_IO_REMOTE\]$" "$T/err" && ! LC_ALL=C grep -q '[^ -~]' "$T/err"
    check $? "the reason reads cleanly"
    kill "$BAD_PID" 2>/dev/null; wait "$BAD_PID" 2>/dev/null
  fi
  "${SIGN[@]}" --tsa-optional -o "$T/x.sig" >/dev/null 2>&1; [ $? -eq 3 ]; check $? "--tsa-optional alone is a usage error"
  if [ -f "$plain" ]; then
    "$ESEAL" ofd sign "$plain" -o "$T/ts.ofd" --seal "$T/s.esl" --key "$T/pki/owner.key" \
      --cert "$T/pki/owner.pem" --pass test --page 1 --x 20 --y 30 --tsa "$TSA_URL" >/dev/null
    check $? "eseal ofd sign --tsa"
    "$ESEAL" verify "$T/ts.ofd" --trust "$T/pki/root-ca.pem" > "$T/v.out"; check $? "the OFD verifies"
    grep -q "time stamp of .*TSA" "$T/v.out"; check $? "the OFD signature carries eseald's token"
    "$ESEAL" ofd sign "$plain" -o "$T/x.ofd" --seal "$T/s.esl" --key "$T/pki/owner.key" \
      --cert "$T/pki/owner.pem" --pass test --page 1 --x 20 --y 30 \
      --tsa "http://127.0.0.1:$dead/" >/dev/null 2>&1
    [ $? -eq 6 ] && [ ! -e "$T/x.ofd" ]; check $? "ofd sign with a dead TSA: exit 6, nothing written"
  fi
else
  echo "this build cannot draw seal pictures: eseal sign --tsa is not tested"
fi

# ---- sealing through the platform with a token; the registry judged at genTime ----
A_ORG=$(login orgadmin); A_REV=$(login reviewer); A_MAKER=$(login maker); A_USER=$(login user)
# new_seal NAME : an active seal of the demo organisation granted to "user"; sets ESID
new_seal() {
  active_seal "$1" "$A_ORG" "$A_REV" "$A_MAKER" ',"valid_days":365'; expect 200 "seal $1 active"
  api POST "/api/v1/seals/$ESID/grants" "{\"user\":\"user\",\"not_after\":$(( $(date +%s) + 3600 ))}"
  expect 201 "grant on $1"
}
# seal_doc ESID OUT [TSA-JSON] : seals doc.txt through the platform
seal_doc() {
  TOKEN=$A_USER
  api POST "/api/v1/seals/$1/sign" "{\"name\":\"doc.txt\",\"data\":\"$(base64 -w0 "$T/doc.txt")\"${3:+,\"tsa\":$3}}"
  expect 200 "seal doc.txt with $1${3:+ (tsa $3)}"
  jqb .signature | base64 -d > "$2"
}
# verify_sig FILE : POST /api/v1/verify; BODY holds the answer
verify_sig() {
  TOKEN=
  printf '{"file":"%s","data":"%s"}' "$(base64 -w0 "$1")" "$(base64 -w0 "$T/doc.txt")" > "$T/v.json"
  api_file POST /api/v1/verify "$T/v.json"; expect 200 "verify $(basename "$1")"
}
# report_loss ESID LOST_AT WHAT SIG : reports the loss, then verifies SIG
report_loss() {
  TOKEN=$A_ORG; api POST "/api/v1/seals/$1/report-loss" "{\"reason\":\"stolen\",\"lost_at\":$2}"
  expect 200 "$3"
  verify_sig "$4"
}
new_seal "示例科技有限公司合同专用章"; ESID_A=$ESID
seal_doc "$ESID_A" "$T/a_ts.sig" true
[ "$(jqb .time_stamped)" = true ]; check $? "the platform says the signature is time-stamped"
seal_doc "$ESID_A" "$T/a_plain.sig"
TOKEN=$A_USER; api POST "/api/v1/seals/$ESID_A/sign" '{"data":"eA==","tsa":"yes"}'
expect 400 "tsa must be a boolean"
verify_sig "$T/a_ts.sig"
[ "$(jqb .verdict)" = TOTAL-PASSED ]; check $? "time-stamped platform signature: TOTAL-PASSED"
[ "$(jqb '.report.signatures[0].checks[] | select(.id == "timestamp") | .result')" = PASSED ]
check $? "its timestamp check passes"
[ "$(jqb '.report.signatures[0].registry.time_basis')" = time_stamp ]; check $? "registry judged at genTime"
jqb '.report.signatures[0].registry.time_note' | grep -q "genTime"; check $? "and says why"
GEN_A=$(jqb '.report.signatures[0].signing_time')
[ "$(jqb '.report.signatures[0].registry.time_used')" = "$GEN_A" ]; check $? "time_used = genTime"
if [ -f "$plain" ]; then
  TOKEN=$A_USER
  printf '{"name":"plain3.ofd","format":"ofd","data":"%s","positions":[{"page":1,"x":20,"y":30}],"tsa":true}' \
    "$(base64 -w0 "$plain")" > "$T/o.json"
  api_file POST "/api/v1/seals/$ESID_A/sign" "$T/o.json"; expect 200 "seal an OFD through the platform with a token"
  jqb .document | base64 -d > "$T/a_ts.ofd"
  TOKEN=; printf '{"file":"%s","name":"a_ts.ofd"}' "$(base64 -w0 "$T/a_ts.ofd")" > "$T/vo.json"
  api_file POST /api/v1/verify "$T/vo.json"; expect 200 "verify the time-stamped OFD"
  [ "$(jqb '.report.signatures[0].registry.time_basis')" = time_stamp ] && [ "$(jqb .verdict)" = TOTAL-PASSED ]
  check $? "the OFD signature's registry status is judged at genTime"
fi
verify_sig "$T/a_plain.sig"
[ "$(jqb '.report.signatures[0].registry.time_basis')" = signer_claim ]; check $? "no token: the signer's claim"
[ "$(jqb .registry_ok)" = true ]; check $? "no token, seal active: registry ok"
sleep 2
report_loss "$ESID_A" $(( $(date +%s) - 1 )) "loss reported after the token's time" "$T/a_ts.sig"
[ "$(jqb '.report.signatures[0].registry.status_now')" = lost ]; check $? "lost now"
[ "$(jqb '.report.signatures[0].registry.status_at_signing')" = active ]; check $? "active at genTime"
[ "$(jqb .registry_ok)" = true ]; check $? "a token before the loss: the registry still vouches"
verify_sig "$T/a_plain.sig"
[ "$(jqb .registry_ok)" = false ]; check $? "no token after a loss: not ok (the time is only claimed)"
jqb '.report.signatures[0].registry.note' | grep -q "without a valid time stamp"; check $? "and the note says why"
TOKEN=$A_ORG; api POST "/api/v1/seals/$ESID_A/cancel" '{"reason":"key-compromise"}'; expect 200 "cancel after the token"
verify_sig "$T/a_ts.sig"
[ "$(jqb .registry_ok)" = true ] && [ "$(jqb '.report.signatures[0].registry.status_now')" = cancelled ]
check $? "a token before the cancellation: still ok"

new_seal "示例科技有限公司财务专用章"; ESID_B=$ESID
seal_doc "$ESID_B" "$T/b_ts.sig" true
report_loss "$ESID_B" $(( $(date +%s) - 3600 )) "loss reported an hour before the token's time" \
  "$T/b_ts.sig"
[ "$(jqb '.report.signatures[0].registry.status_at_signing')" = lost ]; check $? "lost at genTime"
[ "$(jqb '.report.signatures[0].registry.time_basis')" = time_stamp ]; check $? "judged at genTime"
[ "$(jqb .registry_ok)" = false ]; check $? "a token after the loss: the registry refuses"

# ---- platform sealing through another TSA (tsa_url): any RFC 3161 URL ----
new_seal "示例科技有限公司发票专用章"; ESID_C=$ESID
port=${URL##*:}
stop_eseald
start_eseald "sqlite:$T/eseald.db" --tsa-url "http://127.0.0.1:$dead/api/v1/tsa"
TOKEN=$A_USER
api POST "/api/v1/seals/$ESID_C/sign" "{\"name\":\"doc.txt\",\"data\":\"$(base64 -w0 "$T/doc.txt")\",\"tsa\":true}"
expect 502 "the configured TSA does not answer: 502"
[ "$(jqb .error.code)" = tsa_unreachable ]; check $? "error code tsa_unreachable ($(jqb .error.message))"
TOKEN=$(login auditor); api GET "/api/v1/usage?esid=$ESID_C"
[ "$(jqb "[.usage[] | select(.esid == \"$ESID_C\" and .result == \"error\")] | length")" -ge 1 ]
check $? "the failed use is in the usage log"
stop_eseald
# the TSA at this daemon's own address, reached over HTTP as any vendor's would be
start_eseald "sqlite:$T/eseald.db" --listen "127.0.0.1:$port" --tsa-url "http://127.0.0.1:$port/api/v1/tsa"
if [ "${URL##*:}" = "$port" ]; then
  A_USER=$(login user)
  seal_doc "$ESID_C" "$T/c_ts.sig" true
  [ "$(jqb .time_stamped)" = true ]; check $? "sealed with a token from tsa_url"
  verify_sig "$T/c_ts.sig"
  [ "$(jqb '.report.signatures[0].checks[] | select(.id == "timestamp") | .result')" = PASSED ]
  check $? "the token from tsa_url verifies"
else
  echo "port $port was taken meanwhile: the tsa_url success case is not run"
fi
stop_eseald

finish
