#!/usr/bin/env bash
# tests/cli/pdf_sign_verify.sh - `eseal pdf sign|verify|list` and `eseal verify DOC.pdf` end
# to end: the input untouched, a stamp by page and a riding seal, originals with an xref
# table and with an xref stream, a second signature, exit codes 0/1/2/3/4, a byte changed
# inside the ByteRange, a content-changing revision and a moved stamp each failing at their
# own check, stamps on /Rotate'd pages, certification refusing later signatures; and the CMS mode: SM2/SM3 written by
# eseal, and an ECDSA P-256 key checked by poppler's pdfsig ("Signature is Valid") and
# qpdf --check.
# The plain inputs are written here and normalised by qpdf (skip 77 without qpdf).
set -uo pipefail
: "${ESEAL:?path of the eseal binary}"
command -v qpdf >/dev/null || { echo "skip: qpdf missing"; exit 77; }
# shellcheck source=common.bash
source "$(dirname "$0")/common.bash"
check_is() { # check-id result what  (in $T/out of a text report, first entry)
  if grep -E "^ +$2 +$1 " "$T/out" | head -1 | grep -q .; then ok; else bad "$3: $1 not $2"; cat "$T/out" >&2; fi
}

# a 2-page document: objects 1 catalog, 2 pages, 3-4 pages, 5 content, 6 font
cat > "$T/raw.pdf" <<'EOF'
%PDF-1.7
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 /MediaBox [0 0 595 842] >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /Contents 5 0 R /Resources << /Font << /F1 6 0 R >> >> >> endobj
4 0 obj << /Type /Page /Parent 2 0 R /Contents 5 0 R /Resources << /Font << /F1 6 0 R >> >> >> endobj
5 0 obj << /Length 51 >> stream
BT /F1 24 Tf 72 720 Td (Hello eseal contract) Tj ET
endstream endobj
6 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj
trailer << /Size 7 /Root 1 0 R >>
%%EOF
EOF
qpdf --compress-streams=n "$T/raw.pdf" "$T/in.pdf" 2>/dev/null
qpdf --compress-streams=n --object-streams=generate "$T/raw.pdf" "$T/inx.pdf" 2>/dev/null
[ -s "$T/in.pdf" ] && [ -s "$T/inx.pdf" ] || { echo "skip: qpdf could not write the inputs"; exit 77; }

expect 0 "pki init" "$ESEAL" pki init "$T/pki" --pass test
expect 0 "seal make" "$ESEAL" seal make --maker-key "$T/pki/maker.key" --maker-cert "$T/pki/maker.pem" \
  --cert "$T/pki/owner.pem" --name "测试合同专用章" --valid-to +30 --pass test -o "$T/s.esl"
SIGN=(--seal "$T/s.esl" --key "$T/pki/owner.key" --cert "$T/pki/owner.pem" --pass test)
before=$(sha256sum < "$T/in.pdf")

expect 1 "an unsigned document" "$ESEAL" verify --no-chain "$T/in.pdf"
contains "$T/out" "NOT_SIGNED" "unsigned verdict"
expect 0 "pdf list" "$ESEAL" pdf list "$T/in.pdf"
contains "$T/out" "0 signature(s)" "list of an unsigned document"

# a stamp by page and coordinates
expect 0 "pdf sign --page" "$ESEAL" pdf sign "$T/in.pdf" -o "$T/p.pdf" "${SIGN[@]}" --page 1 --x 100 --y 50
[ "$(sha256sum < "$T/in.pdf")" = "$before" ] && ok || bad "the input was modified"
n=$(stat -c %s "$T/in.pdf")
cmp -n "$n" "$T/in.pdf" "$T/p.pdf" >/dev/null && ok || bad "the original bytes are not a prefix of the output"
expect 0 "eseal verify DOC.pdf" "$ESEAL" verify --no-chain "$T/p.pdf"
contains "$T/out" "TOTAL-PASSED" "verdict"
check_is byte_range PASSED "whole-file ByteRange"
check_is data_hash PASSED "SM3 over the ByteRange"
expect 2 "verify without trust anchors" "$ESEAL" pdf verify "$T/p.pdf"
expect 0 "verify --trust (the demo root)" "$ESEAL" pdf verify --trust "$T/pki/root-ca.pem" "$T/p.pdf"
expect 0 "verify --json" "$ESEAL" verify --no-chain --json "$T/p.pdf"
contains "$T/out" '"document":"pdf"' "JSON document kind"
contains "$T/out" '"id":"S1"' "JSON entry id = field name"
expect 0 "pdf list of a signed file" "$ESEAL" pdf list "$T/p.pdf"
contains "$T/out" "/SubFilter GM.sm2seal" "the tax-bureau SubFilter"
contains "$T/out" "ses-signature v4" "SES v4 in /Contents"
expect 0 "qpdf --check of the SES-signed file" qpdf --check "$T/p.pdf"

# a time stamp over the signature value (local TSA of the demo PKI)
expect 0 "pdf sign --tsa-key" "$ESEAL" pdf sign "$T/in.pdf" -o "$T/ts.pdf" "${SIGN[@]}" --page 1 --x 30 --y 30 \
  --tsa-key "$T/pki/tsa.key" --tsa-cert "$T/pki/tsa.pem"
expect 0 "time-stamped seal verifies with the root" "$ESEAL" verify --trust "$T/pki/root-ca.pem" "$T/ts.pdf"
check_is timestamp PASSED "SES timeStamp in a PDF"
expect 3 "--tsa with --cms" "$ESEAL" pdf sign "$T/in.pdf" -o "$T/z.pdf" --cms --key "$T/pki/owner.key" \
  --cert "$T/pki/owner.pem" --pass test --tsa-key "$T/pki/tsa.key" --tsa-cert "$T/pki/tsa.pem"

# a stamp by keyword: every occurrence (the text is on both pages)
expect 0 "pdf sign --keyword" "$ESEAL" pdf sign "$T/in.pdf" -o "$T/k.pdf" "${SIGN[@]}" --keyword contract --occurrence all
expect 0 "keyword document verifies" "$ESEAL" verify --no-chain "$T/k.pdf"
contains "$T/out" "2 widget(s)" "one stamp per occurrence"

# an xref-stream original and a riding seal; then a second signature
expect 0 "pdf sign an xref-stream original" "$ESEAL" pdf sign "$T/inx.pdf" -o "$T/x.pdf" "${SIGN[@]}" --riding
expect 0 "xref stream result verifies" "$ESEAL" verify --no-chain "$T/x.pdf"
contains "$T/out" "2 widget(s)" "one riding slice per page"
expect 0 "qpdf --check of the xref-stream update" qpdf --check "$T/x.pdf"
# pages turned by /Rotate (qpdf writes it): the position is on the displayed page, so at
# 90 degrees (20, 30) mm lands at x = 30 mm, y = 20 mm of the unrotated page
qpdf --rotate=+90:1 --rotate=+180:2 "$T/in.pdf" "$T/rot.pdf" 2>/dev/null
expect 0 "pdf sign a rotated page" "$ESEAL" pdf sign "$T/rot.pdf" -o "$T/rp.pdf" "${SIGN[@]}" --page 1 --x 20 --y 30
expect 0 "rotated page verifies" "$ESEAL" verify --no-chain "$T/rp.pdf"
check_is stamp PASSED "stamp on a rotated page"
contains "$T/out" "at \[85.0 56.7 198.4 170.1\]" "the widget in unrotated page space"
expect 0 "riding across rotated pages" "$ESEAL" pdf sign "$T/rot.pdf" -o "$T/rr.pdf" "${SIGN[@]}" --riding
expect 0 "riding on rotated pages verifies" "$ESEAL" verify --no-chain "$T/rr.pdf"
check_is stamp PASSED "riding stamp on rotated pages"
expect 0 "second signature" "$ESEAL" pdf sign "$T/p.pdf" -o "$T/pp.pdf" "${SIGN[@]}" --page 2 --x 10 --y 10
expect 0 "both signatures verify" "$ESEAL" verify --no-chain "$T/pp.pdf"
contains "$T/out" "LATER_REVISIONS" "the first signature sees the second revision"
expect 0 "qpdf --check after two signatures" qpdf --check "$T/pp.pdf"

# tampering: a byte inside the ByteRange
cp "$T/p.pdf" "$T/t.pdf"
off=$(grep -abo "Hello eseal" "$T/t.pdf" | head -1 | cut -d: -f1)
[ -n "$off" ] || bad "no text to change"
printf 'J' | dd of="$T/t.pdf" bs=1 seek="$off" conv=notrunc 2>/dev/null
expect 1 "a changed byte" "$ESEAL" verify --no-chain "$T/t.pdf"
check_is data_hash FAILED "changed byte -> data_hash"

# a content-changing revision appended after the signature
size=$(grep -ao "/Size [0-9]*" "$T/p.pdf" | tail -1 | cut -d' ' -f2)
prev=$(tail -c 40 "$T/p.pdf" | grep -a -A1 startxref | tail -1 | tr -d '\r\n')
cp "$T/p.pdf" "$T/c.pdf"
o5=$(stat -c %s "$T/c.pdf")
printf '5 0 obj\n<< /Length 35 >>\nstream\nBT /F1 24 Tf 72 720 Td (Paid) Tj ET\nendstream\nendobj\n' >> "$T/c.pdf"
ox=$(stat -c %s "$T/c.pdf")
printf 'xref\n5 1\n%010d 00000 n\r\ntrailer\n<< /Size %s /Root 1 0 R /Prev %s >>\nstartxref\n%s\n%%%%EOF\n' \
  "$o5" "$size" "$prev" "$ox" >> "$T/c.pdf"
expect 1 "a content-changing revision" "$ESEAL" verify --no-chain "$T/c.pdf"
check_is revisions FAILED "content revision -> revisions"
contains "$T/out" "CONTENT_CHANGED" "reason"
check_is data_hash PASSED "the signed revision itself is intact"

# the stamp moved by a later revision (the merged field/widget rewritten)
fid=$(grep -a -B1 "^<< /FT /Sig /T (S1)" "$T/p.pdf" | head -1 | cut -d' ' -f1)
line=$(grep -a "^<< /FT /Sig /T (S1)" "$T/p.pdf" | head -1 | sed 's|/Rect \[[^]]*\]|/Rect [10 10 123 123]|')
if [ -n "$fid" ] && [ -n "$line" ]; then
  cp "$T/p.pdf" "$T/m.pdf"
  of=$(stat -c %s "$T/m.pdf")
  printf '%s 0 obj\n%s\nendobj\n' "$fid" "$line" >> "$T/m.pdf"
  ox=$(stat -c %s "$T/m.pdf")
  printf 'xref\n%s 1\n%010d 00000 n\r\ntrailer\n<< /Size %s /Root 1 0 R /Prev %s >>\nstartxref\n%s\n%%%%EOF\n' \
    "$fid" "$of" "$size" "$prev" "$ox" >> "$T/m.pdf"
  expect 1 "a moved stamp" "$ESEAL" verify --no-chain "$T/m.pdf"
  check_is stamp FAILED "moved stamp -> stamp"
  contains "$T/out" "STAMP_CHANGED" "reason"
else
  bad "could not find the field object to move"
fi

# certification: DocMDP /P 1 refuses a later signature (exit 4)
expect 0 "pdf sign --certify 1" "$ESEAL" pdf sign "$T/in.pdf" -o "$T/cert.pdf" "${SIGN[@]}" --page 1 --x 20 --y 20 --certify 1
expect 0 "certified document verifies" "$ESEAL" verify --no-chain "$T/cert.pdf"
check_is mdp PASSED "certification"
expect 4 "signing a DocMDP /P 1 document" "$ESEAL" pdf sign "$T/cert.pdf" -o "$T/cert2.pdf" "${SIGN[@]}"
contains "$T/err" "DocMDP /P 1" "refusal message"

# refusals: a page that does not exist, a keyword not found, the output is the input, not a PDF
expect 3 "page out of range" "$ESEAL" pdf sign "$T/in.pdf" -o "$T/z.pdf" "${SIGN[@]}" --page 9 --x 1 --y 1
contains "$T/err" "does not exist" "page refusal message"
expect 3 "a keyword not in the text" "$ESEAL" pdf sign "$T/in.pdf" -o "$T/z.pdf" "${SIGN[@]}" --keyword Goodbye
contains "$T/err" "not in the text" "keyword refusal message"
expect 3 "output = input" "$ESEAL" pdf sign "$T/in.pdf" -o "$T/in.pdf" "${SIGN[@]}"
[ ! -e "$T/z.pdf" ] && ok || bad "a refused signing left an output file"
printf '%%PDF-1.7\ngarbage\n' > "$T/g.pdf"
expect 3 "a PDF with no %%EOF" "$ESEAL" verify --no-chain "$T/g.pdf"
contains "$T/err" "EOF" "truncated PDF message"

# CMS mode with the SM2 key: an SM2/SM3 SignedData (PKCS#7 OIDs) written by eseal
expect 0 "pdf sign --cms (SM2)" "$ESEAL" pdf sign "$T/in.pdf" -o "$T/sm2.pdf" --cms --key "$T/pki/owner.key" \
  --cert "$T/pki/owner.pem" --pass test
expect 0 "eseal verifies the SM2 CMS signature" "$ESEAL" verify --no-chain "$T/sm2.pdf"
contains "$T/out" "gbt35275-signature" "SM2 CMS dispatched on its digest algorithm"
contains "$T/out" "SM3 of the ByteRange bytes" "data bound to the ByteRange"
expect 0 "pdf list of the SM2 CMS file" "$ESEAL" pdf list "$T/sm2.pdf"
contains "$T/out" "adbe.pkcs7.detached" "standard SubFilter"
cp "$T/sm2.pdf" "$T/sm2t.pdf"
off=$(grep -abo "Hello eseal" "$T/sm2t.pdf" | head -1 | cut -d: -f1)
printf 'J' | dd of="$T/sm2t.pdf" bs=1 seek="$off" conv=notrunc 2>/dev/null
expect 1 "a changed byte under SM2 CMS" "$ESEAL" verify --no-chain "$T/sm2t.pdf"
check_is data_hash FAILED "SM2 CMS messageDigest"

# CMS mode with an ECDSA P-256 key: eseal, qpdf --check and poppler's pdfsig agree
if command -v openssl >/dev/null; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/ec.key" \
    -out "$T/ec.pem" -days 30 -subj "/CN=eseal ECDSA test" 2>/dev/null
  expect 0 "pdf sign --cms (ECDSA)" "$ESEAL" pdf sign "$T/in.pdf" -o "$T/cms.pdf" --cms --key "$T/ec.key" \
    --cert "$T/ec.pem" --page 1 --x 20 --y 20
  expect 0 "eseal verifies the CMS signature" "$ESEAL" verify --no-chain "$T/cms.pdf"
  check_is signature PASSED "ECDSA signature"
  contains "$T/out" "cms-signature" "entry kind"
  expect 0 "qpdf --check of the CMS file" qpdf --check "$T/cms.pdf"
  if command -v pdfsig >/dev/null; then
    pdfsig "$T/cms.pdf" >"$T/ps" 2>&1
    contains "$T/ps" "Signature is Valid" "pdfsig validation"
    contains "$T/ps" "Total document signed" "pdfsig coverage"
  fi
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/rsa.key" -out "$T/rsa.pem" -days 30 \
    -subj "/CN=eseal RSA test" 2>/dev/null
  expect 0 "pdf sign --cms (RSA)" "$ESEAL" pdf sign "$T/in.pdf" -o "$T/rsa.pdf" --cms --key "$T/rsa.key" \
    --cert "$T/rsa.pem"
  expect 0 "eseal verifies the RSA signature" "$ESEAL" verify --no-chain "$T/rsa.pdf"
  contains "$T/out" "sha256WithRSAEncryption\|rsaEncryption" "RSA through OpenSSL"
  cp "$T/cms.pdf" "$T/cmst.pdf"
  off=$(grep -abo "Hello eseal" "$T/cmst.pdf" | head -1 | cut -d: -f1)
  printf 'J' | dd of="$T/cmst.pdf" bs=1 seek="$off" conv=notrunc 2>/dev/null
  expect 1 "a changed byte under CMS" "$ESEAL" verify --no-chain "$T/cmst.pdf"
  check_is data_hash FAILED "CMS messageDigest"
fi

echo "pdf_sign_verify: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
