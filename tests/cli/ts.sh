#!/usr/bin/env bash
# tests/cli/ts.sh - `eseal ts request|reply|verify` with the demo SM2 TSA,
# `eseal sign --tsa-key/--tsa-cert` and its verification, bad input, and
# interoperability: with an ECDSA P-256 TSA key, `openssl ts` requests are
# answered by eseal and `openssl ts -verify` accepts eseal's tokens.
set -uo pipefail
: "${ESEAL:?path of the eseal binary}"
# shellcheck source=common.bash
source "$(dirname "$0")/common.bash"

expect 0 "pki init" "$ESEAL" pki init "$T/pki" --pass test
[ -s "$T/pki/tsa.pem" ] && [ -s "$T/pki/tsa.key" ] && ok || bad "pki: tsa.pem/tsa.key missing"
echo "a document" >"$T/doc.txt"
echo "another document" >"$T/other.txt"

expect 0 "ts request" "$ESEAL" ts request "$T/doc.txt" --cert -o "$T/req.tsq"
cp "$T/out" "$T/req.out"
expect 0 "ts reply" "$ESEAL" ts reply "$T/req.tsq" --tsa-key "$T/pki/tsa.key" \
  --tsa-cert "$T/pki/tsa.pem" --pass test -o "$T/resp.tsr"
expect 0 "ts verify" "$ESEAL" ts verify "$T/resp.tsr" --data "$T/doc.txt" --trust "$T/pki/root-ca.pem"
contains "$T/out" "status:   VALID" "ts verify"
contains "$T/out" "eseal Demo TSA" "ts verify names the TSA"
expect 1 "ts verify over other data" "$ESEAL" ts verify "$T/resp.tsr" --data "$T/other.txt" \
  --trust "$T/pki/root-ca.pem"
contains "$T/out" "TIMESTAMP_IMPRINT_MISMATCH" "other data"
# nonces: the answer must echo the one asked for
N1=$(sed -n 's/^nonce: //p' "$T/req.out")
[ ${#N1} -eq 16 ] && ok || bad "ts request prints its nonce ('$N1')"
expect 0 "ts verify --nonce (the right one)" "$ESEAL" ts verify "$T/resp.tsr" --data "$T/doc.txt" \
  --trust "$T/pki/root-ca.pem" --nonce "$N1"
contains "$T/out" "nonce:    $N1" "the echoed nonce is shown"
"$ESEAL" ts request "$T/doc.txt" --cert -o "$T/req2.tsq" >"$T/req2.out" || bad "second request"
N2=$(sed -n 's/^nonce: //p' "$T/req2.out")
[ -n "$N2" ] && [ "$N2" != "$N1" ] && ok || bad "a fresh nonce per request ($N1, $N2)"
expect 1 "a replayed answer (the first one, for the second request)" "$ESEAL" ts verify \
  "$T/resp.tsr" --data "$T/doc.txt" --trust "$T/pki/root-ca.pem" --nonce "$N2"
contains "$T/out" "TIMESTAMP_NONCE_MISMATCH" "replayed answer"
contains "$T/out" "replayed or foreign" "the reason says why"
"$ESEAL" ts request "$T/doc.txt" --no-nonce -o "$T/req3.tsq" >/dev/null || bad "request without nonce"
"$ESEAL" ts reply "$T/req3.tsq" --tsa-key "$T/pki/tsa.key" --tsa-cert "$T/pki/tsa.pem" --pass test \
  -o "$T/resp3.tsr" >/dev/null || bad "reply without nonce"
expect 1 "an answer without a nonce when one was asked for" "$ESEAL" ts verify "$T/resp3.tsr" \
  --data "$T/doc.txt" --trust "$T/pki/root-ca.pem" --tsa-cert "$T/pki/tsa.pem" --nonce "$N1"
contains "$T/out" "carries no nonce" "no nonce"
expect 3 "a nonce that is not hex" "$ESEAL" ts verify "$T/resp.tsr" --data "$T/doc.txt" --nonce xyz
expect 3 "a nonce longer than 32 bytes" "$ESEAL" ts verify "$T/resp.tsr" --data "$T/doc.txt" \
  --nonce "$(printf '%066d' 1)"
expect 2 "ts verify without anchors" "$ESEAL" ts verify "$T/resp.tsr" --data "$T/doc.txt"
head -c 100 "$T/resp.tsr" >"$T/trunc.tsr"
expect 1 "ts verify of a truncated response" "$ESEAL" ts verify "$T/trunc.tsr" --data "$T/doc.txt"
contains "$T/out" "TIMESTAMP_MALFORMED" "truncated"
expect 4 "ts reply with a non-TSA certificate" "$ESEAL" ts reply "$T/req.tsq" \
  --tsa-key "$T/pki/owner.key" --tsa-cert "$T/pki/owner.pem" --pass test -o "$T/x.tsr"
expect 3 "ts without subcommand" "$ESEAL" ts

# a time-stamped seal signature
if "$ESEAL" seal image --shape round --name "测试科技有限公司" --kind 合同专用章 -o "$T/pic.png" \
    >/dev/null 2>&1; then
  expect 0 "seal make" "$ESEAL" seal make --maker-key "$T/pki/maker.key" \
    --maker-cert "$T/pki/maker.pem" --cert "$T/pki/owner.pem" --name "测试章" --type 1 \
    --valid-to +30 --picture "$T/pic.png" --pass test -o "$T/s.esl"
  expect 0 "sign --tsa-key" "$ESEAL" sign "$T/doc.txt" --seal "$T/s.esl" --key "$T/pki/owner.key" \
    --cert "$T/pki/owner.pem" --pass test --tsa-key "$T/pki/tsa.key" --tsa-cert "$T/pki/tsa.pem" \
    -o "$T/doc.sig"
  expect 0 "verify a time-stamped signature" "$ESEAL" verify "$T/doc.sig" --data "$T/doc.txt" \
    --trust "$T/pki/root-ca.pem"
  contains "$T/out" "time stamp of" "time source"
  expect 3 "sign --tsa-key without --tsa-cert" "$ESEAL" sign "$T/doc.txt" --seal "$T/s.esl" \
    --key "$T/pki/owner.key" --cert "$T/pki/owner.pem" --pass test --tsa-key "$T/pki/tsa.key" \
    -o "$T/x.sig"
else
  echo "this build cannot draw seal pictures: the signing part is skipped"
fi

# interoperability: an ECDSA P-256 TSA, checked by openssl ts -verify
if command -v openssl >/dev/null; then
  cd "$T" || exit 1
  cat >ext.cnf <<'CNF'
[tsa]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
extendedKeyUsage = critical,timeStamping
CNF
  openssl ecparam -name prime256v1 -genkey -noout -out ecroot.key 2>/dev/null &&
  openssl req -x509 -new -key ecroot.key -subj "/CN=EC Root" -days 30 -out ecroot.pem 2>/dev/null &&
  openssl ecparam -name prime256v1 -genkey -noout -out ectsa.key 2>/dev/null &&
  openssl req -new -key ectsa.key -subj "/CN=EC TSA" -out ectsa.csr 2>/dev/null &&
  openssl x509 -req -in ectsa.csr -CA ecroot.pem -CAkey ecroot.key -CAcreateserial -days 30 \
    -extfile ext.cnf -extensions tsa -out ectsa.pem 2>/dev/null || bad "openssl: EC TSA setup"
  openssl ts -query -data doc.txt -sha256 -cert -out ec.tsq 2>/dev/null || bad "openssl ts -query"
  expect 0 "ts reply with an ECDSA TSA to an openssl request" "$ESEAL" ts reply ec.tsq \
    --tsa-key ectsa.key --tsa-cert ectsa.pem -o ec.tsr
  expect 0 "openssl ts -verify accepts eseal's token" openssl ts -verify -in ec.tsr \
    -queryfile ec.tsq -CAfile ecroot.pem
  contains "$T/out" "Verification: OK" "openssl ts -verify"
  expect 0 "openssl ts -verify against the data" openssl ts -verify -in ec.tsr -data doc.txt \
    -CAfile ecroot.pem
  expect 0 "eseal ts verify of the ECDSA token" "$ESEAL" ts verify ec.tsr --data doc.txt \
    --trust ecroot.pem
  # an openssl SM3 request answered with SM2
  openssl ts -query -data doc.txt -sm3 -cert -out sm3.tsq 2>/dev/null || bad "openssl ts -query -sm3"
  expect 0 "ts reply (SM2) to an openssl SM3 request" "$ESEAL" ts reply sm3.tsq \
    --tsa-key pki/tsa.key --tsa-cert pki/tsa.pem --pass test -o sm3.tsr
  expect 0 "eseal ts verify of it" "$ESEAL" ts verify sm3.tsr --data doc.txt --trust pki/root-ca.pem
else
  echo "openssl not found: interoperability part skipped"
fi

echo "ts.sh: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
