#!/usr/bin/env bash
# tests/cli/core.sh - the eseal command end to end: pki init, seal make, sign,
# verify (exit codes 0/1/2/3, text and JSON), inspect, tamper, bad input.
set -uo pipefail
: "${ESEAL:?path of the eseal binary}"
# shellcheck source=common.bash
source "$(dirname "$0")/common.bash"

expect 0 "pki init" "$ESEAL" pki init "$T/pki" --pass test
for f in root-ca.pem maker.pem maker.key owner.pem owner.key; do
  [ -s "$T/pki/$f" ] && ok || bad "pki: $f missing"
done
grep -q "ENCRYPTED PRIVATE KEY" "$T/pki/owner.key" && ok || bad "owner key is not encrypted"
[ "$(stat -c %a "$T/pki/owner.key")" = 600 ] && ok || bad "owner key mode"
expect 3 "pki init without passphrase" "$ESEAL" pki init "$T/pki2"

# an independent implementation checks our SM2 certificates with the GB/T 35276 ID
if command -v openssl >/dev/null; then
  expect 0 "openssl verify (distid 1234567812345678)" openssl verify -vfyopt distid:1234567812345678 \
    -CAfile "$T/pki/root-ca.pem" "$T/pki/owner.pem"
  expect 0 "openssl reads our encrypted PKCS#8" openssl pkey -in "$T/pki/owner.key" -passin pass:test -noout
fi

expect 0 "seal image (round, PNG)" "$ESEAL" seal image --shape round --name "测试科技有限公司" \
  --kind 合同专用章 --code 1101080012345 --dpi 150 -o "$T/pic.png"
expect 0 "seal image again (deterministic)" "$ESEAL" seal image --shape round --name "测试科技有限公司" \
  --kind 合同专用章 --code 1101080012345 --dpi 150 -o "$T/pic2.png"
cmp -s "$T/pic.png" "$T/pic2.png" && ok || bad "the same picture drawn twice differs"
expect 0 "seal image (square, SVG)" "$ESEAL" seal image --shape square --name 张三丰 -o "$T/sq.svg"
contains "$T/sq.svg" "<svg" "SVG output"
expect 3 "seal image with a 41-character name" "$ESEAL" seal image --name \
  "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一" -o "$T/long.png"
[ ! -e "$T/long.png" ] && ok || bad "a refused picture left a file"
expect 0 "seal make" "$ESEAL" seal make --maker-key "$T/pki/maker.key" --maker-cert "$T/pki/maker.pem" \
  --cert "$T/pki/owner.pem" --name "测试公章" --type 1 --valid-to +30 --picture "$T/pic.png" \
  --pass test --esid CLI-TEST-1 -o "$T/s.esl"
expect 4 "seal make with a validity beyond the owner's certificate" "$ESEAL" seal make \
  --maker-key "$T/pki/maker.key" --maker-cert "$T/pki/maker.pem" --cert "$T/pki/owner.pem" \
  --name x --valid-to +5000 --picture "$T/pic.png" --pass test -o "$T/x.esl"
[ ! -e "$T/x.esl" ] && ok || bad "a refused seal left a file"
echo "not an image" > "$T/bad.png"
expect 3 "seal make with a fake picture" "$ESEAL" seal make --maker-key "$T/pki/maker.key" \
  --maker-cert "$T/pki/maker.pem" --cert "$T/pki/owner.pem" --name x --valid-to +30 \
  --picture "$T/bad.png" --pass test -o "$T/x.esl"
expect 3 "wrong passphrase" "$ESEAL" seal make --maker-key "$T/pki/maker.key" --maker-cert \
  "$T/pki/maker.pem" --cert "$T/pki/owner.pem" --name x --valid-to +30 --picture "$T/pic.png" \
  --pass nope -o "$T/x.esl"
contains "$T/err" "passphrase" "wrong passphrase message"

expect 0 "seal make without --picture draws one" "$ESEAL" seal make --maker-key "$T/pki/maker.key" \
  --maker-cert "$T/pki/maker.pem" --cert "$T/pki/owner.pem" --name "测试科技有限公司财务专用章" \
  --valid-to +30 --pass test -o "$T/drawn.esl"
expect 0 "inspect the drawn seal" "$ESEAL" inspect "$T/drawn.esl"
contains "$T/out" 'type "PNG"' "drawn picture is a PNG"
expect 0 "verify the seal" "$ESEAL" verify "$T/s.esl" --trust "$T/pki/root-ca.pem"
contains "$T/out" "TOTAL-PASSED" "seal verdict"
expect 2 "verify the seal without anchors" "$ESEAL" verify "$T/s.esl"
contains "$T/out" "NO_TRUST_ANCHOR" "indeterminate reason"
expect 0 "verify the seal --no-chain" "$ESEAL" verify "$T/s.esl" --no-chain

echo "合同正文 v1" > "$T/doc.txt"
expect 0 "sign" "$ESEAL" sign "$T/doc.txt" --seal "$T/s.esl" --key "$T/pki/owner.key" \
  --cert "$T/pki/owner.pem" --pass test -o "$T/doc.sig"
expect 4 "sign with the maker's key" "$ESEAL" sign "$T/doc.txt" --seal "$T/s.esl" \
  --key "$T/pki/maker.key" --cert "$T/pki/owner.pem" --pass test -o "$T/y.sig"
[ ! -e "$T/y.sig" ] && ok || bad "a refused signature left a file"
expect 0 "verify signature" "$ESEAL" verify "$T/doc.sig" --data "$T/doc.txt" --trust "$T/pki"
expect 0 "verify --json" "$ESEAL" verify "$T/doc.sig" --data "$T/doc.txt" --trust "$T/pki" --json
if command -v python3 >/dev/null; then
  python3 - "$T/out" <<'PY' && ok || bad "JSON report schema"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["verdict"] == "TOTAL-PASSED"
s = r["signatures"][0]
assert s["verdict"] == "TOTAL-PASSED" and s["seal"]["esid"] == "CLI-TEST-1"
assert s["seal"]["name"] == "测试公章" and s["seal"]["version"] == 4
ids = [c["id"] for c in s["checks"]]
assert ids == ["structure", "seal_signature", "seal_maker_chain", "seal_validity",
               "signer_binding", "signer_chain", "data_hash", "signature"], ids
assert all(set(c) >= {"id", "result", "reason", "detail"} for c in s["checks"])
PY
fi
expect 2 "verify without the data" "$ESEAL" verify "$T/doc.sig" --trust "$T/pki"
echo "tampered" >> "$T/doc.txt"
expect 1 "verify tampered data" "$ESEAL" verify "$T/doc.sig" --data "$T/doc.txt" --trust "$T/pki"
contains "$T/out" "DATA_HASH_MISMATCH" "tamper reason"

expect 0 "inspect signature" "$ESEAL" inspect "$T/doc.sig" --picture "$T/p.out"
contains "$T/out" "SES_Signature v4" "inspect tree"
cmp -s "$T/p.out" "$T/pic.png" && ok || bad "extracted picture differs"

# unreadable input: exit 3 naming the file and the offset
head -c 100 "$T/doc.sig" > "$T/trunc.sig"
expect 3 "truncated signature" "$ESEAL" verify "$T/trunc.sig"
contains "$T/err" "offset" "truncation message names the offset"
contains "$T/err" "trunc.sig" "truncation message names the file"
head -c 4000 /dev/urandom > "$T/random.bin"
expect 3 "random bytes" "$ESEAL" verify "$T/random.bin"
expect 3 "missing file" "$ESEAL" verify "$T/nope.sig"
expect 3 "unknown command" "$ESEAL" frobnicate
expect 3 "bad option" "$ESEAL" verify --bogus x

# corpus: a real vendor seal (skipped silently when the corpus is absent)
if [ -f "${ES_SHARED_DIR:-/nonexistent}/testdata/ofdrw/UserV4.esl" ]; then
  expect 0 "ofdrw v4 seal in its validity window" "$ESEAL" verify --no-chain --at 2021-01-01 \
    "$ES_SHARED_DIR/testdata/ofdrw/UserV4.esl"
  expect 1 "ofdrw v4 seal today (expired)" "$ESEAL" verify --no-chain "$ES_SHARED_DIR/testdata/ofdrw/UserV4.esl"
  expect 0 "inspect v1 seal" "$ESEAL" inspect "$ES_SHARED_DIR/testdata/ofdrw/UserV1.esl"
  contains "$T/out" "SESeal v1" "v1 tree"
  # a tolerated quirk is a note in the lenient profile and an error in the strict one
  expect 1 "HebeiGede seal, lenient (maker signature fails)" "$ESEAL" verify --no-chain \
    --at 2020-06-01 "$ES_SHARED_DIR/testdata/ofdrw/SESealData.DER"
  contains "$T/out" "Q-EXT-1" "quirk named in the report"
  expect 3 "HebeiGede seal, strict" "$ESEAL" inspect --strict "$ES_SHARED_DIR/testdata/ofdrw/SESealData.DER"
  contains "$T/err" "strict profile" "strict refusal message"
fi

# the guided demo of `make run` ends with the genuine file passing and the tampered one failing
expect 0 "demo" "$ESEAL" demo "$T/demo"
contains "$T/out" "tampered one with 1" "demo result"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
