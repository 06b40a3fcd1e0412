#!/usr/bin/env bash
# End-to-end test of sealing PDF documents through eseald
# (POST /api/v1/seals/{esid}/sign with "format":"pdf"): a stamp at a
# position and an invisible signature, the original bytes kept as a prefix,
# a second seal adding a revision, a time stamp from the platform's TSA, the
# public verification of the result (and `eseal pdf verify` against the
# platform's CA), and the refusals: "embed_status", a position off the
# pages, a file that is not a PDF. The plain input is normalised by qpdf (skip 77
# without qpdf).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
need curl jq qpdf
make_pki

cat > "$T/raw.pdf" <<'EOF'
%PDF-1.7
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595 842] >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >> endobj
4 0 obj << /Length 49 >> stream
BT /F1 24 Tf 72 720 Td (Platform contract) Tj ET
endstream endobj
5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj
trailer << /Size 6 /Root 1 0 R >>
%%EOF
EOF
qpdf --compress-streams=n "$T/raw.pdf" "$T/in.pdf" 2>/dev/null
[ -s "$T/in.pdf" ] || { echo "SKIP: qpdf could not write the input"; exit 77; }

start_eseald "sqlite:$T/eseald.db"
A_ORG=$(login orgadmin); A_REV=$(login reviewer); A_MAKER=$(login maker); A_USER=$(login user)

# an active seal of the demo organisation, granted to "user"
active_seal 示例科技有限公司合同专用章 "$A_ORG" "$A_REV" "$A_MAKER" ',"valid_days":365'
expect 200 "seal active"
api POST "/api/v1/seals/$ESID/grants" "{\"user\":\"user\",\"not_after\":$(( $(date +%s) + 3600 ))}"
expect 201 "grant"

# seal_pdf IN OUT EXTRA-JSON : seals IN through the platform as the seal user
seal_pdf() {
  TOKEN=$A_USER
  printf '{"name":"contract.pdf","format":"pdf","data":"%s"%s}' "$(base64 -w0 "$1")" "$3" > "$T/s.json"
  api_file POST "/api/v1/seals/$ESID/sign" "$T/s.json"
  [ "$STATUS" = 200 ] && jqb .document | base64 -d > "$2"
}
# verify_pdf FILE : the public verification; BODY holds the answer
verify_pdf() {
  TOKEN=
  printf '{"file":"%s","name":"%s"}' "$(base64 -w0 "$1")" "$(basename "$1")" > "$T/v.json"
  api_file POST /api/v1/verify "$T/v.json"; expect 200 "verify $(basename "$1")"
}
check_result() { # INDEX CHECK RESULT WHAT
  [ "$(jqb ".report.signatures[$1].checks[] | select(.id == \"$2\") | .result")" = "$3" ]
  check $? "$4: $2 $3"
}

# ---- a stamp on page 1 ----
seal_pdf "$T/in.pdf" "$T/one.pdf" ',"positions":[{"page":1,"x":100,"y":40}]'
expect 200 "seal a PDF with a stamp"
[ "$(jqb .format)" = pdf ] && [ "$(jqb .time_stamped)" = false ]; check $? "answer: format pdf, no token"
head -c 5 "$T/one.pdf" | grep -q '%PDF-'; check $? "a PDF comes back"
cmp -s "$T/in.pdf" <(head -c "$(stat -c %s "$T/in.pdf")" "$T/one.pdf"); check $? "the original bytes are a prefix"
verify_pdf "$T/one.pdf"
[ "$(jqb .kind)" = pdf ] && [ "$(jqb .verdict)" = TOTAL-PASSED ]; check $? "verified TOTAL-PASSED ($(jqb .verdict))"
check_result 0 byte_range PASSED "stamped"
check_result 0 stamp PASSED "stamped"
check_result 0 data_hash PASSED "stamped"
[ "$(jqb .registry_ok)" = true ] && [ "$(jqb '.report.signatures[0].registry.esid')" = "$ESID" ]
check $? "the registry vouches for the seal"
[ "$(jqb '.report.signatures[0].registry.time_basis')" = signer_claim ]; check $? "judged at the claimed time"
"$ESEAL" pdf verify "$T/one.pdf" --trust "$T/pki/root-ca.pem" >"$T/cli.out"
check $? "eseal pdf verify --trust root-ca accepts the platform's PDF"

# ---- a second seal adds a revision; the first is still good ----
seal_pdf "$T/one.pdf" "$T/two.pdf" ',"positions":[{"page":1,"x":20,"y":40}]'
expect 200 "seal the sealed PDF again"
verify_pdf "$T/two.pdf"
[ "$(jqb '.report.signatures | length')" = 2 ] && [ "$(jqb .verdict)" = TOTAL-PASSED ]
check $? "two signatures, both good ($(jqb .verdict))"
check_result 0 revisions WARNING "the first signature"
check_result 1 revisions PASSED "the second signature"

# ---- no position: an invisible signature ----
seal_pdf "$T/in.pdf" "$T/inv.pdf" ''
expect 200 "seal a PDF without a position"
verify_pdf "$T/inv.pdf"
[ "$(jqb .verdict)" = TOTAL-PASSED ]; check $? "the invisible signature verifies"

# ---- with the platform TSA's token: judged at genTime ----
seal_pdf "$T/in.pdf" "$T/ts.pdf" ',"tsa":true,"positions":[{"page":1,"x":60,"y":90}]'
expect 200 "seal a PDF with a time stamp"
[ "$(jqb .time_stamped)" = true ]; check $? "the platform says it is time-stamped"
verify_pdf "$T/ts.pdf"
[ "$(jqb .verdict)" = TOTAL-PASSED ]; check $? "the time-stamped PDF verifies ($(jqb .verdict))"
check_result 0 timestamp PASSED "time-stamped"
[ "$(jqb '.report.signatures[0].registry.time_basis')" = time_stamp ]; check $? "registry judged at genTime"

# ---- refusals ----
seal_pdf "$T/in.pdf" "$T/x.pdf" ',"embed_status":true'
expect 400 "embed_status with a PDF"
seal_pdf "$T/in.pdf" "$T/x.pdf" ',"positions":[{"page":9,"x":10,"y":10}]'
expect 400 "a position off the pages"
printf 'not a pdf' > "$T/junk.pdf"
seal_pdf "$T/junk.pdf" "$T/x.pdf" ''
expect 400 "a file that is not a PDF"
[ "$(jqb .error.code)" = refused ]; check $? "refused ($(jqb .error.code))"
TOKEN=$A_USER; api GET "/api/v1/usage?esid=$ESID"
[ "$(jqb '[.usage[] | select(.result == "ok" and (.detail | test("pdf")))] | length')" = 4 ]
check $? "the usage log has the four PDF seals"
[ "$(jqb '[.usage[] | select(.result == "error")] | length')" -ge 2 ]
check $? "and the failed attempts"
api GET /api/v1/health; expect 200 "alive"
stop_eseald
finish
