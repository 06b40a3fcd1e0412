#!/usr/bin/env bash
# tests/cli/ofd_sign_verify.sh - `eseal ofd sign|verify` and `eseal verify DOC.ofd` end to
# end: stamps by page, keyword and riding, several positions, a second signature, the
# locking mode and the refusal after it, the input left untouched, exit codes 0/1/2/3/4,
# and (when ../shared/testdata is there) signing and verifying other producers' files.
# The unsigned input is tests/unit/ofd/data/plain3.ofd (3 A4 pages; page 1 has
# "合同编号" and "甲方（盖章）", page 2 "乙方（盖章）").
set -uo pipefail
: "${ESEAL:?path of the eseal binary}"
SRC=${ES_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
PLAIN=$SRC/tests/unit/ofd/data/plain3.ofd
[ -f "$PLAIN" ] || { echo "skip: $PLAIN missing"; exit 77; }
DATA=${ES_SHARED_DIR:-$SRC/../shared}/testdata
# shellcheck source=common.bash
source "$(dirname "$0")/common.bash"

expect 0 "pki init" "$ESEAL" pki init "$T/pki" --pass test
expect 0 "seal make" "$ESEAL" seal make --maker-key "$T/pki/maker.key" --maker-cert "$T/pki/maker.pem" \
  --cert "$T/pki/owner.pem" --name "测试合同专用章" --valid-to +30 --pass test -o "$T/s.esl"
SIGN=(--seal "$T/s.esl" --key "$T/pki/owner.key" --cert "$T/pki/owner.pem" --pass test)
cp "$PLAIN" "$T/in.ofd"
before=$(sha256sum < "$T/in.ofd")

expect 1 "an unsigned document" "$ESEAL" ofd verify --no-chain "$T/in.ofd"
contains "$T/out" "NOT_SIGNED" "unsigned verdict"

# a stamp by page and coordinates
expect 0 "ofd sign --page" "$ESEAL" ofd sign "$T/in.ofd" -o "$T/p.ofd" "${SIGN[@]}" --page 1 --x 20 --y 30
[ "$(sha256sum < "$T/in.ofd")" = "$before" ] && ok || bad "the input was modified"
expect 0 "ofd verify --no-chain" "$ESEAL" ofd verify --no-chain "$T/p.ofd"
contains "$T/out" "TOTAL-PASSED" "verdict"
contains "$T/out" "references" "references check"
expect 2 "ofd verify without trust anchors" "$ESEAL" ofd verify "$T/p.ofd"
expect 0 "ofd verify --trust (the demo root)" "$ESEAL" ofd verify --trust "$T/pki/root-ca.pem" "$T/p.ofd"
expect 0 "eseal verify DOC.ofd" "$ESEAL" verify --no-chain "$T/p.ofd"
contains "$T/out" "ofd_structure" "document verification through eseal verify"
# the seal and the signature value are written stored (they hold a PNG and signatures:
# deflate saves ~2% and costs every verification an inflate); other readers accept it
if command -v unzip >/dev/null; then
  expect 0 "unzip -t of the signed package" unzip -t "$T/p.ofd"
  unzip -Zv "$T/p.ofd" > "$T/zv" 2>&1
  for e in Seal.esl SignedValue.dat; do
    awk -v e="Doc_0/Signs/Sign_0/$e" '/^Central directory entry/ {f=0} $0 ~ e"$" {f=1}
      f && /compression method:/ {print; exit}' "$T/zv" > "$T/m"
    contains "$T/m" "none (stored)" "$e stored"
  done
fi
if command -v python3 >/dev/null; then
  expect 0 "python zipfile -t of the signed package" python3 -m zipfile -t "$T/p.ofd"
fi
expect 0 "ofd verify --json" "$ESEAL" ofd verify --no-chain --json "$T/p.ofd"
contains "$T/out" '"document":"ofd"' "JSON document kind"
contains "$T/out" '"id":"s001"' "JSON entry id = Signature ID"
contains "$T/out" '"id":"references","result":"PASSED"' "JSON references check"

# a stamp by keyword, a riding seal, and several positions in one signature
expect 0 "ofd sign --keyword" "$ESEAL" ofd sign "$T/in.ofd" -o "$T/k.ofd" "${SIGN[@]}" \
  --keyword "甲方（盖章）" --keyword "第" --occurrence all
expect 0 "keyword document verifies" "$ESEAL" ofd verify --no-chain "$T/k.ofd"
contains "$T/out" "4 StampAnnot" "one stamp for 甲方 and one per page for 第"
expect 3 "ofd sign with a keyword that is not there" "$ESEAL" ofd sign "$T/in.ofd" -o "$T/x.ofd" \
  "${SIGN[@]}" --keyword "不存在"
contains "$T/err" "not in the text" "keyword refusal message"
expect 0 "ofd sign --riding" "$ESEAL" ofd sign "$T/in.ofd" -o "$T/r.ofd" "${SIGN[@]}" --riding --pages 1-3
expect 0 "riding document verifies" "$ESEAL" ofd verify --no-chain "$T/r.ofd"
contains "$T/out" "3 StampAnnot" "a slice per page"
expect 0 "several positions" "$ESEAL" ofd sign "$T/in.ofd" -o "$T/m.ofd" "${SIGN[@]}" \
  --page 3 --x 150 --y 240 --size 42x42 --keyword 乙方 --riding
expect 0 "several positions verify" "$ESEAL" ofd verify --no-chain "$T/m.ofd"
contains "$T/out" "5 StampAnnot" "1 + 1 + 3 stamps"

# a second signature covers the first; then a locking one; then nothing more
expect 0 "second signature" "$ESEAL" ofd sign "$T/p.ofd" -o "$T/p2.ofd" "${SIGN[@]}" --page 2 --x 10 --y 10
expect 0 "two signatures verify" "$ESEAL" ofd verify --no-chain "$T/p2.ofd"
contains "$T/out" "s003" "the second signature's ID"
expect 0 "a locking signature" "$ESEAL" ofd sign "$T/p2.ofd" -o "$T/p3.ofd" "${SIGN[@]}" --page 3 --x 10 --y 10 --lock
expect 0 "three signatures verify" "$ESEAL" ofd verify --no-chain "$T/p3.ofd"
contains "$T/out" "O-LOCK" "lock note"
expect 4 "signing a locked document" "$ESEAL" ofd sign "$T/p3.ofd" -o "$T/p4.ofd" "${SIGN[@]}" --page 1 --x 1 --y 1
contains "$T/err" "locked" "lock refusal message"
[ ! -e "$T/p4.ofd" ] && ok || bad "a refused signing left a file"

# usage errors
expect 3 "no position" "$ESEAL" ofd sign "$T/in.ofd" -o "$T/x.ofd" "${SIGN[@]}"
expect 3 "a page that does not exist" "$ESEAL" ofd sign "$T/in.ofd" -o "$T/x.ofd" "${SIGN[@]}" --page 9 --x 1 --y 1
expect 3 "output = input" "$ESEAL" ofd sign "$T/in.ofd" -o "$T/in.ofd" "${SIGN[@]}" --page 1 --x 1 --y 1
[ "$(sha256sum < "$T/in.ofd")" = "$before" ] && ok || bad "the input was modified"
expect 3 "riding on one page" "$ESEAL" ofd sign "$T/in.ofd" -o "$T/x.ofd" "${SIGN[@]}" --riding --pages 2-2
expect 3 "ofd verify of a missing file" "$ESEAL" ofd verify "$T/none.ofd"
expect 3 "unknown subcommand" "$ESEAL" ofd frobnicate
expect 0 "ofd sign --help" "$ESEAL" ofd sign --help

# other producers' files
if [ -f "$DATA/ofdrw/1.ofd" ]; then
  expect 0 "sign a GOMAIN invoice" "$ESEAL" ofd sign "$DATA/ofdrw/1.ofd" -o "$T/g.ofd" "${SIGN[@]}" --page 1 --x 150 --y 10
  expect 0 "both signatures verify" "$ESEAL" ofd verify --no-chain "$T/g.ofd"
  contains "$T/out" "\[2\] ses-signature 3" "our signature after GOMAIN's"
  expect 4 "an ofdrw WholeProtected document is locked" "$ESEAL" ofd sign "$DATA/ofdrw/allprotected.ofd" \
    -o "$T/a.ofd" "${SIGN[@]}" --page 1 --x 1 --y 1
  expect 1 "an edited invoice" "$ESEAL" verify --no-chain "$DATA/ofdrw/发票示例.ofd"
  contains "$T/out" "/Doc_0/Document.xml" "the changed file is named"
  contains "$T/out" "REFERENCE_MISMATCH" "reason"
  expect 2 "ofdrw's bare SM2 signature" "$ESEAL" ofd verify --no-chain "$DATA/ofdrw/DigitalSign.ofd"
  expect 0 "GB/T 35275 receipts" "$ESEAL" ofd verify --no-chain "$DATA/ofd.js/26050100800_00001.ofd"
fi

echo "ofd_sign_verify: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
