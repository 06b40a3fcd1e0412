#!/usr/bin/env bash
# End-to-end tests of trusted time through eseald over real HTTP: the
# platform's time-stamp authority (POST /api/v1/tsa) answering eseal and
# openssl ts requests, bad requests, an ECDSA TSA checked by
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
stop_eseald

# ---- no TSA: 503 ----
start_eseald "sqlite:$T/eseald.db" --no-tsa
tsa_post "$T/req.tsq"; expect 503 "--no-tsa"
[ "$(jqb .error.code)" = tsa_unavailable ]; check $? "503 says tsa_unavailable"
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
openssl ts -verify -in "$T/ec.tsr" -data "$T/other.txt" -CAfile "$T/ecroot.pem" >/dev/null 2>&1
[ $? -ne 0 ]; check $? "openssl ts -verify refuses it for other data"
stop_eseald

finish
