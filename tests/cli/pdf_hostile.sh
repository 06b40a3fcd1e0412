#!/usr/bin/env bash
# tests/cli/pdf_hostile.sh - hostile PDFs through `eseal verify` and `eseal pdf list`: each
# is refused with exit 3 and a message saying what is wrong (no %%EOF, startxref past the
# end, a damaged xref, a page-tree loop, a field loop, encryption), or verified to a failing verdict
# naming the broken ByteRange (overlap, past the end, a gap); never a crash or a hang.
# The files are built here with correct offsets (no external tool needed).
set -uo pipefail
: "${ESEAL:?path of the eseal binary}"
# shellcheck source=common.bash
source "$(dirname "$0")/common.bash"

# mkpdf OUT OBJ1 OBJ2 ...: objects numbered from 1, xref table, /Root 1 0 R
mkpdf() {
  local out=$1; shift
  local n=$# i=1 offs=()
  printf '%%PDF-1.7\n' > "$out"
  for body in "$@"; do
    offs+=("$(stat -c %s "$out")")
    printf '%d 0 obj\n%s\nendobj\n' "$i" "$body" >> "$out"
    i=$((i+1))
  done
  local x; x=$(stat -c %s "$out")
  { printf 'xref\n0 %d\n0000000000 65535 f\r\n' $((n+1))
    for o in "${offs[@]}"; do printf '%010d 00000 n\r\n' "$o"; done
    printf 'trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n' $((n+1)) "$x"; } >> "$out"
}

CAT='<< /Type /Catalog /Pages 2 0 R >>'
PAGES='<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 100 100] >>'
PAGE='<< /Type /Page /Parent 2 0 R >>'

mkpdf "$T/ok.pdf" "$CAT" "$PAGES" "$PAGE"
expect 1 "a well-formed unsigned file" "$ESEAL" verify --no-chain "$T/ok.pdf"
contains "$T/out" "NOT_SIGNED" "unsigned verdict"

head -c 200 "$T/ok.pdf" > "$T/trunc.pdf"
expect 3 "truncated (no %%EOF)" "$ESEAL" verify --no-chain "$T/trunc.pdf"
contains "$T/err" "no %%EOF" "truncation message"

sed 's/^startxref$/startxref/; $!b' "$T/ok.pdf" | awk 'prev=="startxref"{print "99999999"; prev=$0; next} {print; prev=$0}' > "$T/sx.pdf"
expect 3 "startxref past the end" "$ESEAL" pdf list "$T/sx.pdf"
contains "$T/err" "past the end" "startxref message"

sed 's/^0000000009 00000 n/0000000003 00000 n/' "$T/ok.pdf" > "$T/xref.pdf"
expect 3 "xref entry pointing into the header" "$ESEAL" verify --no-chain "$T/xref.pdf"
contains "$T/err" "Root dictionary" "damaged xref message"

mkpdf "$T/loop.pdf" "$CAT" '<< /Type /Pages /Kids [3 0 R] /Count 1 >>' \
  '<< /Type /Pages /Kids [2 0 R] /Count 1 /Parent 2 0 R >>'
expect 3 "page-tree loop" "$ESEAL" verify --no-chain "$T/loop.pdf"
contains "$T/err" "page tree" "page-tree message"

mkpdf "$T/fields.pdf" '<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> >>' \
  "$PAGES" "$PAGE" '<< /T (a) /Kids [4 0 R] >>'
expect 3 "a loop in the field tree" "$ESEAL" verify --no-chain "$T/fields.pdf"
contains "$T/err" "nested deeper" "field-loop message"

mkpdf "$T/huge.pdf" "$CAT" "$PAGES" '<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>' \
  "$(printf '<< /Length 99999999999 >>\nstream\nBT ET\nendstream')"
expect 1 "a stream /Length past the end (never read)" "$ESEAL" verify --no-chain "$T/huge.pdf"

if command -v qpdf >/dev/null; then
  qpdf --encrypt u o 256 -- "$T/ok.pdf" "$T/enc.pdf" 2>/dev/null
  expect 3 "an encrypted file" "$ESEAL" verify --no-chain "$T/enc.pdf"
  contains "$T/err" "encrypted" "encryption message"
fi

sigpdf() { # OUT SIGDICT
  mkpdf "$1" '<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] /SigFlags 3 >> >>' \
    "$PAGES" '<< /Type /Page /Parent 2 0 R /Annots [4 0 R] >>' \
    '<< /FT /Sig /T (S1) /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P 3 0 R /V 5 0 R >>' "$2"
}
for c in "0 10 5 10:BYTE_RANGE_OVERLAP" "0 10 20 99999999:BYTE_RANGE_PAST_END" \
         "0 10 20 30:BYTE_RANGE_GAP" "7 10 20 30:BYTE_RANGE_INVALID"; do
  br=${c%%:*} why=${c##*:}
  sigpdf "$T/br.pdf" "<< /Type /Sig /SubFilter /GM.sm2seal /ByteRange [$br] /Contents <3000> >>"
  expect 1 "ByteRange [$br]" "$ESEAL" verify --no-chain "$T/br.pdf"
  contains "$T/out" "$why" "ByteRange [$br] reason"
done

sigpdf "$T/unk.pdf" "<< /Type /Sig /ByteRange [0 10 20 30] /Contents <0401020304> >>"
expect 1 "unknown /Contents" "$ESEAL" verify --no-chain "$T/unk.pdf"
contains "$T/out" "UNKNOWN_SIGNATURE_FORMAT" "unknown contents reported as unknown"

echo "pdf_hostile: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
