# tests/integration/cases.sh - the end-to-end cases, the same on every
# database: the whole life cycle, every forbidden transition, every role
# against every endpoint it must not reach, bad JSON, oversized bodies,
# truncated uploads, verification of a good and of a tampered document.
# Sourced after lib.sh, with the daemon running at $URL.

b64() { base64 -w0 "$@"; }

# The life-cycle table of server/lifecycle.c, seen from outside: for each
# action, the states it is allowed from and the role that performs it.
declare -A LC_FROM=([register]="made" [activate]="registered" [suspend]="active"
  [resume]="suspended" [freeze]="active suspended" [unfreeze]="frozen"
  [report-loss]="active suspended frozen" [cancel]="made registered active suspended lost"
  [change]="active suspended")
declare -A LC_WHO=([register]=A_REV [activate]=A_ORG [suspend]=A_ORG [resume]=A_ORG
  [freeze]=A_REV [unfreeze]=A_REV [report-loss]=A_ORG [cancel]=A_ORG [change]=A_ORG)

# forbidden_from STATE ESID: every action not allowed from STATE is 409.
forbidden_from() {
  local state=$1 esid=$2 a TOKEN
  for a in "${!LC_FROM[@]}"; do
    case " ${LC_FROM[$a]} " in *" $state "*) continue ;; esac
    TOKEN=${!LC_WHO[$a]}
    api POST "/api/v1/seals/$esid/$a" '{"reason":"rename","seal_name":"x"}'
    expect 409 "$a from $state"
    [ "$(jqb .error.code)" = invalid_transition ]; check $? "$a from $state: invalid_transition"
  done
  TOKEN=$A_REV
  if [ "$state" != frozen ] && ! case " made registered active suspended lost " in *" $state "*) true ;; *) false ;; esac; then
    api POST "/api/v1/seals/$esid/cancel" '{"reason":"revocation"}'; expect 409 "forced cancel from $state"
  fi
}

run_cases() {
  local TOKEN=
  # ---- public endpoints ----
  api GET /api/v1/health; expect 200 "health"
  api GET /api/v1/openapi.json; expect 200 "openapi document"
  jqb -e '.openapi and .paths["/api/v1/verify"]' >/dev/null; check $? "openapi lists /api/v1/verify"
  api GET /api/v1/platform; expect 200 "platform identity"
  api GET /; expect 200 "web page"
  api GET /nope.html; expect 404 "unknown page"
  api GET /api/v1/nothing; expect 404 "unknown API path"
  api DELETE /api/v1/login; expect 405 "method not allowed"

  # ---- logins ----
  A_ADMIN=$(login admin); A_REV=$(login reviewer); A_MAKER=$(login maker)
  A_ORG=$(login orgadmin); A_USER=$(login user); A_AUD=$(login auditor)
  A_ORG2=$(login orgadmin2); A_USER2=$(login user2)
  for t in "$A_ADMIN" "$A_REV" "$A_MAKER" "$A_ORG" "$A_USER" "$A_AUD" "$A_ORG2" "$A_USER2"; do
    [ "$t" != none ]; check $? "login"
  done
  api POST /api/v1/login '{"username":"orgadmin","password":"wrong"}'; expect 401 "wrong password"
  api POST /api/v1/login '{"username":"nobody","password":"demo"}'; expect 401 "unknown user"
  api GET /api/v1/applications; expect 401 "no token"
  TOKEN=0123456789abcdef0123456789abcdef; api GET /api/v1/applications; expect 401 "bad token"
  TOKEN=$A_ORG; api GET /api/v1/me; expect 200 "me"
  [ "$(jqb .role)" = org_admin ]; check $? "me: role"

  # ---- hostile bodies ----
  TOKEN=
  api POST /api/v1/login '{"username":'; expect 400 "truncated JSON"
  api POST /api/v1/login '{"username":"a","username":"b","password":"x"}'; expect 400 "duplicate keys"
  api POST /api/v1/login '["username"]'; expect 400 "not an object"
  api POST /api/v1/login '{"username":"orgadmin","password":"demo","extra":1}'; expect 400 "unknown field"
  api POST /api/v1/login $'{"username":"\xff\xfe","password":"x"}'; expect 400 "invalid UTF-8"
  api POST /api/v1/login '{"username":"orgadmin","password":7}'; expect 400 "wrong type"
  # the built-in web pages carry their content types
  for f in /:text/html /app.js:text/javascript /app.css:text/css; do
    curl -s -o /dev/null -w '%{http_code} %{content_type}' "$URL${f%%:*}" > "$T/ct"
    grep -q "^200 ${f#*:}; charset=utf-8$" "$T/ct"; check $? "GET ${f%%:*}: ${f#*:} ($(cat "$T/ct"))"
  done
  api POST /api/v1/login '{"username":null,"password":"x"}'; expect 400 "a required field null"
  [ "$(jqb .error.message)" = 'The field "username" is required.' ]; check $? "the missing field is named"
  STATUS=$(curl -s -o "$T/resp" -w '%{http_code}' -X POST "$URL/api/v1/login" --data-binary '{"a":1}' -H 'Content-Type: text/plain')
  BODY=$(cat "$T/resp"); expect 415 "not JSON"
  head -c 1500000 /dev/zero | tr '\0' 'a' > "$T/big"
  api_file POST /api/v1/verify "$T/big"; expect 413 "oversized body"
  [ "$(jqb .error.code)" = payload_too_large ]; check $? "413 is JSON"
  # a chunked body growing past the limit
  STATUS=$(head -c 1500000 /dev/zero | curl -s -o "$T/resp" -w '%{http_code}' -X POST "$URL/api/v1/verify" -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' --data-binary @-)
  BODY=$(cat "$T/resp"); expect 413 "oversized chunked body"
  # a truncated upload: the client announces 1000 bytes, sends 12, hangs up
  exec 3<>"/dev/tcp/127.0.0.1/${URL##*:}"
  printf 'POST /api/v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"file":"AAA' >&3
  exec 3>&-
  api GET /api/v1/health; expect 200 "alive after a truncated upload"
  # too many header bytes
  STATUS=$(curl -s -o /dev/null -w '%{http_code}' "$URL/api/v1/health" -H "X-Big: $(head -c 70000 /dev/zero | tr '\0' 'b')")
  [ "$STATUS" = 431 ] || [ "$STATUS" = 413 ] || [ "$STATUS" = 400 ]; check $? "oversized headers refused ($STATUS)"

  # ---- applications ----
  TOKEN=$A_ORG
  api POST /api/v1/applications '{"seal_name":"示例科技有限公司合同专用章","seal_type":2,"valid_days":365,"note":"contracts"}'
  expect 201 "org admin applies"; APP1=$(jqb .id)
  api POST /api/v1/applications '{"seal_name":"示例科技有限公司财务专用章"}'; expect 201 "second application"; APP2=$(jqb .id)
  api POST /api/v1/applications '{"seal_name":"x","seal_type":1000}'; expect 400 "seal_type out of range"
  api POST /api/v1/applications '{"seal_name":"x","picture":"not base64!"}'; expect 400 "bad picture encoding"
  api POST /api/v1/applications '{"seal_name":"x","picture":"aGVsbG8="}'; expect 400 "picture not an image"
  for tok in A_ADMIN A_REV A_MAKER A_USER A_AUD; do
    TOKEN=${!tok}; api POST /api/v1/applications '{"seal_name":"x"}'; expect 403 "$tok may not apply"
  done
  TOKEN=$A_ORG; api GET /api/v1/applications; expect 200 "org lists its applications"
  [ "$(jqb '.applications | length')" -ge 2 ]; check $? "two applications listed"
  TOKEN=$A_ORG2; api GET /api/v1/applications; expect 200 "other org lists"
  [ "$(jqb '.applications | length')" = 0 ]; check $? "other org sees none"
  api GET "/api/v1/applications/$APP1"; expect 404 "other org cannot read the application"
  for tok in A_ORG A_MAKER A_USER A_AUD A_ADMIN; do
    TOKEN=${!tok}; api POST "/api/v1/applications/$APP1/approve" '{}'; expect 403 "$tok may not approve"
  done
  TOKEN=$A_REV; api POST "/api/v1/applications/$APP1/approve" '{"reason":"documents complete"}'; expect 200 "reviewer approves"
  api POST "/api/v1/applications/$APP1/approve" '{}'; expect 409 "approve twice"
  api POST "/api/v1/applications/$APP1/reject" '{"reason":"late"}'; expect 409 "reject an approved one"
  api POST "/api/v1/applications/$APP2/reject" '{}'; expect 400 "reject without reason"
  api POST "/api/v1/applications/$APP2/reject" '{"reason":"name does not match the licence"}'; expect 200 "reviewer rejects"
  api POST "/api/v1/applications/999999/approve" '{}'; expect 404 "unknown application"

  # ---- production ----
  for tok in A_ORG A_REV A_USER A_AUD A_ADMIN; do
    TOKEN=${!tok}; api POST "/api/v1/applications/$APP1/make" '{}'; expect 403 "$tok may not make"
  done
  TOKEN=$A_MAKER; api POST "/api/v1/applications/$APP2/make" '{}'; expect 409 "make a rejected application"
  api POST "/api/v1/applications/$APP1/make" '{}'; expect 201 "maker makes the seal"
  ESID=$(jqb .esid)
  [ "$(jqb .status)" = made ]; check $? "seal is made"
  printf '%s' "$BODY" | jq -r .seal_der | base64 -d > "$T/seal.esl"
  api POST "/api/v1/applications/$APP1/make" '{}'; expect 409 "make twice"
  forbidden_from made "$ESID"
  TOKEN=; api GET "/api/v1/seals/$ESID/picture"; expect 200 "public picture"
  TOKEN=; api POST /api/v1/verify "{\"file\":\"$(b64 "$T/seal.esl")\"}"; expect 200 "verify the seal alone"
  [ "$(jqb .verdict)" = TOTAL-PASSED ]; check $? "the made seal verifies"

  # ---- visibility ----
  TOKEN=$A_ORG2; api GET "/api/v1/seals/$ESID"; expect 404 "other organisation cannot see the seal"
  TOKEN=$A_USER2; api GET "/api/v1/seals/$ESID"; expect 404 "other organisation's user cannot see it"
  TOKEN=$A_ORG; api GET /api/v1/seals/NO-SUCH-SEAL; expect 404 "unknown seal"
  api GET "/api/v1/seals/$ESID"; expect 200 "owner sees the seal"
  TOKEN=$A_AUD; api GET "/api/v1/seals/$ESID"; expect 200 "auditor sees the seal"
  TOKEN=; api GET /api/v1/seals/NO-SUCH-SEAL/status; expect 404 "status of an unknown seal"

  # ---- forbidden transitions from "made" ----
  TOKEN=$A_ORG
  for a in activate suspend resume report-loss; do
    api POST "/api/v1/seals/$ESID/$a" '{}'; expect 409 "$a a made seal"
  done
  [ "$(jqb .error.code)" = invalid_transition ]; check $? "409 says invalid_transition"
  api POST "/api/v1/seals/$ESID/explode" '{}'; expect 404 "unknown action"
  api POST "/api/v1/seals/$ESID/register" '{}'; expect 403 "org admin may not register"
  for tok in A_USER A_AUD A_MAKER A_ADMIN; do
    TOKEN=${!tok}; api POST "/api/v1/seals/$ESID/register" '{}'; expect 403 "$tok may not register"
  done
  TOKEN=$A_REV; api POST "/api/v1/seals/$ESID/register" '{}'; expect 200 "reviewer registers"
  [ "$(jqb .status)" = registered ]; check $? "registered"
  api POST "/api/v1/seals/$ESID/register" '{}'; expect 409 "register twice"
  forbidden_from registered "$ESID"
  TOKEN=; api GET "/api/v1/seals/$ESID/registration"; expect 200 "registration certificate (public)"
  cp "$T/resp" "$T/reg.json"
  api_file POST /api/v1/registrations/verify "$T/reg.json"; expect 200 "verify the registration"
  [ "$(jqb .valid)" = true ]; check $? "registration certificate is valid"
  jq -c '.tbs = (.tbs | @base64d | sub("REG-";"XEG-") | @base64)' "$T/reg.json" > "$T/reg-bad.json"
  api_file POST /api/v1/registrations/verify "$T/reg-bad.json"; expect 200 "verify a forged registration"
  [ "$(jqb .valid)" = false ]; check $? "forged registration is invalid"
  TOKEN=$A_ORG; api POST "/api/v1/seals/$ESID/activate" '{}'; expect 200 "owner activates"
  forbidden_from active "$ESID"
  TOKEN=; api GET "/api/v1/seals/$ESID/status"; expect 200 "status (public)"
  [ "$(jqb .content.status)" = active ]; check $? "status says active"
  cp "$T/resp" "$T/status.json"
  api_file POST /api/v1/registrations/verify "$T/status.json"
  [ "$(jqb .valid)" = true ]; check $? "the status answer's signature verifies"
  api GET "/api/v1/seals/$ESID/status"
  [ "$(jqb .signature)" = "$(jq -r .signature "$T/status.json")" ]; check $? "status answer is cached"

  # ---- grants and sealing ----
  local now; now=$(date +%s)
  TOKEN=$A_ORG
  api POST "/api/v1/seals/$ESID/grants" "{\"user\":\"user2\",\"not_after\":$((now + 3600))}"; expect 400 "grant to another org's user"
  api POST "/api/v1/seals/$ESID/grants" "{\"user\":\"orgadmin\",\"not_after\":$((now + 3600))}"; expect 400 "grant to a non-user role"
  api POST "/api/v1/seals/$ESID/grants" "{\"user\":\"user\",\"not_after\":$((now - 10)),\"not_before\":$((now - 100))}"; expect 201 "an expired grant"
  TOKEN=$A_USER
  printf 'Contract No. 2026-7\n合同正文\n' > "$T/doc.txt"
  local doc; doc=$(b64 "$T/doc.txt")
  api POST "/api/v1/seals/$ESID/sign" "{\"name\":\"doc.txt\",\"data\":\"$doc\"}"; expect 403 "sign without a grant in force"
  TOKEN=$A_ORG2; api POST "/api/v1/seals/$ESID/grants" "{\"user\":\"user2\",\"not_after\":$((now + 3600))}"; expect 404 "other org cannot grant"
  TOKEN=$A_ORG; api POST "/api/v1/seals/$ESID/grants" "{\"user\":\"user\",\"not_after\":$((now + 3600)),\"scope\":\"*\"}"; expect 201 "grant"
  GRANT=$(jqb .id)
  for tok in A_ORG A_REV A_MAKER A_AUD A_ADMIN; do
    TOKEN=${!tok}; api POST "/api/v1/seals/$ESID/sign" "{\"data\":\"$doc\"}"; expect 403 "$tok may not sign"
  done
  TOKEN=$A_USER2; api POST "/api/v1/seals/$ESID/sign" "{\"data\":\"$doc\"}"; expect 404 "other org's user cannot sign"
  TOKEN=$A_USER; api POST "/api/v1/seals/$ESID/sign" "{\"name\":\"doc.txt\",\"data\":\"$doc\"}"; expect 200 "user seals a document"
  printf '%s' "$BODY" | jq -r .signature | base64 -d > "$T/doc.sig"
  TOKEN=; printf '{"file":"%s","data":"%s","name":"doc.txt"}' "$(b64 "$T/doc.sig")" "$doc" > "$T/v.json"
  api_file POST /api/v1/verify "$T/v.json"; expect 200 "verify the sealed document"
  [ "$(jqb .verdict)" = TOTAL-PASSED ]; check $? "genuine document: TOTAL-PASSED"
  [ "$(jqb .registry_ok)" = true ]; check $? "registry: active at signing"
  [ "$(jqb '.report.signatures[0].registry.status_at_signing')" = active ]; check $? "status at signing"
  printf 'Contract No. 2026-7\n合同正文 + 1,000,000\n' > "$T/doc2.txt"
  printf '{"file":"%s","data":"%s"}' "$(b64 "$T/doc.sig")" "$(b64 "$T/doc2.txt")" > "$T/v2.json"
  api_file POST /api/v1/verify "$T/v2.json"; expect 200 "verify a tampered document"
  [ "$(jqb .verdict)" = TOTAL-FAILED ]; check $? "tampered document: TOTAL-FAILED"
  api POST /api/v1/verify '{"file":"aGVsbG8gd29ybGQ="}'; expect 400 "verify garbage"
  # an OFD document sealed through the platform, then verified
  local plain=${ES_SOURCE_DIR:-$here/../..}/tests/unit/ofd/data/plain3.ofd
  if [ -f "$plain" ]; then
    TOKEN=$A_USER
    printf '{"name":"plain3.ofd","format":"ofd","data":"%s","positions":[{"page":1,"x":20,"y":30}]}' "$(b64 "$plain")" > "$T/o.json"
    api_file POST "/api/v1/seals/$ESID/sign" "$T/o.json"; expect 200 "seal an OFD document"
    printf '%s' "$BODY" | jq -r .document | base64 -d > "$T/sealed.ofd"
    TOKEN=; printf '{"file":"%s","name":"sealed.ofd"}' "$(b64 "$T/sealed.ofd")" > "$T/vo.json"
    api_file POST /api/v1/verify "$T/vo.json"; expect 200 "verify the sealed OFD"
    [ "$(jqb .kind)" = zip ] && [ "$(jqb .verdict)" = TOTAL-PASSED ]; check $? "sealed OFD: TOTAL-PASSED"
    [ "$(jqb .registry_ok)" = true ]; check $? "sealed OFD: registry active at signing"
    # the document itself as the body (no base64, no JSON)
    STATUS=$(curl -s -o "$T/resp" -w '%{http_code}' -X POST "$URL/api/v1/verify" \
      -H 'Content-Type: application/octet-stream' -H 'X-File-Name: sealed.ofd' --data-binary @"$T/sealed.ofd")
    BODY=$(cat "$T/resp"); expect 200 "verify the sealed OFD sent raw"
    [ "$(jqb .verdict)" = TOTAL-PASSED ] && [ "$(jqb .report.file)" = sealed.ofd ]; check $? "raw upload: TOTAL-PASSED, named"
    # a browser sends a Chinese name percent-encoded (header values are Latin-1)
    STATUS=$(curl -s -o "$T/resp" -w '%{http_code}' -X POST "$URL/api/v1/verify" \
      -H 'Content-Type: application/octet-stream' -H 'X-File-Name: %E5%90%88%E5%90%8C.ofd' \
      --data-binary @"$T/sealed.ofd")
    BODY=$(cat "$T/resp"); expect 200 "verify raw with a percent-encoded name"
    [ "$(jqb .report.file)" = "合同.ofd" ]; check $? "X-File-Name percent-decoded ($(jqb .report.file))"
    STATUS=$(curl -s -o "$T/resp" -w '%{http_code}' -X POST "$URL/api/v1/verify" \
      -H 'Content-Type: application/octet-stream' -H 'X-File-Name: bad%FF%00.ofd' \
      --data-binary @"$T/sealed.ofd")
    BODY=$(cat "$T/resp"); expect 200 "verify raw with a name that is not UTF-8 once decoded"
    [ "$(jqb .report.file)" = "bad%FF%00.ofd" ]; check $? "an undecodable X-File-Name is shown as sent"
    cp "$T/sealed.ofd" "$T/sealed-edit.ofd"
    printf 'x' | dd of="$T/sealed-edit.ofd" bs=1 seek=200 conv=notrunc 2>/dev/null
    STATUS=$(curl -s -o "$T/resp" -w '%{http_code}' -X POST "$URL/api/v1/verify" \
      -H 'Content-Type: application/octet-stream' --data-binary @"$T/sealed-edit.ofd")
    BODY=$(cat "$T/resp")
    [ "$STATUS" = 200 ] && [ "$(jqb .verdict)" != TOTAL-PASSED ] || [ "$STATUS" = 400 ]; check $? "raw upload of an altered OFD is not passed ($STATUS)"
    STATUS=$(curl -s -o "$T/resp" -w '%{http_code}' -X POST "$URL/api/v1/verify" \
      -H 'Content-Type: application/octet-stream' --data-binary '')
    BODY=$(cat "$T/resp"); expect 400 "raw upload with an empty body"
    TOKEN=$A_USER; printf '{"format":"ofd","data":"%s"}' "$(b64 "$T/doc.txt")" > "$T/o2.json"
    api_file POST "/api/v1/seals/$ESID/sign" "$T/o2.json"; expect 400 "seal a text file as OFD"
  fi

  # ---- suspend / freeze / loss ----
  # history has one-second resolution, as signing times do: a change in the
  # same second as a signature counts as before it (the cautious reading)
  sleep 1
  TOKEN=$A_ORG; api POST "/api/v1/seals/$ESID/suspend" '{"reason":"holiday"}'; expect 200 "suspend"
  forbidden_from suspended "$ESID"
  TOKEN=$A_USER; api POST "/api/v1/seals/$ESID/sign" "{\"data\":\"$doc\"}"; expect 409 "sign with a suspended seal"
  TOKEN=$A_ORG; api POST "/api/v1/seals/$ESID/suspend" '{}'; expect 409 "suspend twice"
  api POST "/api/v1/seals/$ESID/resume" '{}'; expect 200 "resume"
  api POST "/api/v1/seals/$ESID/freeze" '{"reason":"x"}'; expect 403 "owner may not freeze"
  TOKEN=$A_REV; api POST "/api/v1/seals/$ESID/freeze" '{}'; expect 400 "freeze without a reason"
  api POST "/api/v1/seals/$ESID/freeze" '{"reason":"court order"}'; expect 200 "authority freezes"
  forbidden_from frozen "$ESID"
  TOKEN=$A_ORG; api POST "/api/v1/seals/$ESID/resume" '{}'; expect 409 "owner cannot resume a frozen seal"
  api POST "/api/v1/seals/$ESID/unfreeze" '{}'; expect 403 "owner may not unfreeze"
  TOKEN=$A_REV; api POST "/api/v1/seals/$ESID/unfreeze" '{"reason":"order lifted"}'; expect 200 "authority unfreezes"
  TOKEN=; api GET "/api/v1/seals/$ESID/status"
  [ "$(jqb .content.status)" = active ]; check $? "status follows the changes"
  TOKEN=$A_ORG; api POST "/api/v1/seals/$ESID/report-loss" "{\"reason\":\"stolen\",\"lost_at\":$((now + 100000))}"; expect 400 "loss in the future"
  api POST "/api/v1/seals/$ESID/report-loss" '{"reason":"stolen"}'; expect 200 "report loss"
  [ "$(jqb .status)" = lost ]; check $? "lost"
  forbidden_from lost "$ESID"
  TOKEN=$A_USER; api POST "/api/v1/seals/$ESID/sign" "{\"data\":\"$doc\"}"; expect 409 "sign with a lost seal"
  TOKEN=; api_file POST /api/v1/verify "$T/v.json"; expect 200 "verify after the loss"
  [ "$(jqb '.report.signatures[0].registry.status_now')" = lost ]; check $? "registry: lost now"
  [ "$(jqb '.report.signatures[0].registry.status_at_signing')" = active ]; check $? "registry: active at signing"
  TOKEN=$A_ORG; api POST "/api/v1/seals/$ESID/cancel" '{}'; expect 400 "cancel without a reason"
  api POST "/api/v1/seals/$ESID/cancel" '{"reason":"because"}'; expect 400 "cancel with an unknown reason"
  api POST "/api/v1/seals/$ESID/cancel" '{"reason":"key-compromise"}'; expect 200 "cancel"
  forbidden_from cancelled "$ESID"
  for a in activate suspend resume report-loss cancel change; do
    api POST "/api/v1/seals/$ESID/$a" '{"reason":"rename","seal_name":"x"}'; expect 409 "$a a cancelled seal"
  done
  TOKEN=$A_REV; api POST "/api/v1/seals/$ESID/freeze" '{"reason":"x"}'; expect 409 "freeze a cancelled seal"
  api POST "/api/v1/seals/$ESID/cancel" '{"reason":"revocation"}'; expect 409 "force-cancel a cancelled seal"

  # ---- re-made seal after key compromise ----
  TOKEN=$A_ORG; api POST /api/v1/applications "{\"seal_name\":\"示例科技有限公司合同专用章\",\"replaces\":\"$ESID\"}"; expect 201 "apply for a replacement"
  APP3=$(jqb .id); [ "$(jqb .kind)" = remake ]; check $? "kind remake"
  TOKEN=$A_REV; api POST "/api/v1/applications/$APP3/approve" '{}'; expect 200 "approve the replacement"
  TOKEN=$A_MAKER; api POST "/api/v1/applications/$APP3/make" '{}'; expect 201 "make the replacement"
  ESID2=$(jqb .esid); [ "$(jqb .replaces)" = "$ESID" ]; check $? "new seal links to the old"
  TOKEN=$A_ORG; api GET "/api/v1/seals/$ESID"; [ "$(jqb .replaced_by)" = "$ESID2" ]; check $? "old seal links to the new"
  api POST /api/v1/applications "{\"seal_name\":\"again\",\"replaces\":\"$ESID\"}"; expect 409 "replace twice"
  api GET "/api/v1/seals/$ESID/events"; expect 200 "history"
  [ "$(jqb '[.events[].action] | join(",")')" = "make,register,activate,suspend,resume,freeze,unfreeze,report-loss,cancel" ]
  check $? "history timeline"

  # ---- change (变更) of a live seal ----
  TOKEN=$A_REV; api POST "/api/v1/seals/$ESID2/register" '{}'; expect 200 "register the replacement"
  TOKEN=$A_ORG; api POST "/api/v1/seals/$ESID2/activate" '{}'; expect 200 "activate the replacement"
  api POST "/api/v1/seals/$ESID2/change" '{"seal_name":"新名称科技有限公司合同专用章","reason":"rename"}'; expect 201 "change files an application"
  APP4=$(jqb .application)
  TOKEN=$A_REV; api POST "/api/v1/applications/$APP4/approve" '{}'; expect 200 "approve the change"
  TOKEN=$A_MAKER; api POST "/api/v1/applications/$APP4/make" '{}'; expect 201 "make the changed seal"; ESID3=$(jqb .esid)
  TOKEN=$A_REV; api POST "/api/v1/seals/$ESID3/register" '{}'; expect 200 "register the changed seal"
  TOKEN=$A_ORG; api POST "/api/v1/seals/$ESID3/activate" '{}'; expect 200 "activate the changed seal"
  api GET "/api/v1/seals/$ESID2"; [ "$(jqb .status)" = cancelled ] && [ "$(jqb .cancel_reason)" = rename ]
  check $? "activating the changed seal cancels the old one"

  # ---- grants, usage and audit ----
  TOKEN=$A_USER; api GET /api/v1/grants; expect 200 "user lists own grants"
  [ "$(jqb '.grants | length')" -ge 2 ]; check $? "user's grants"
  TOKEN=$A_ORG; api POST "/api/v1/grants/$GRANT/revoke" '{}'; expect 200 "revoke a grant"
  api POST "/api/v1/grants/$GRANT/revoke" '{}'; expect 409 "revoke twice"
  TOKEN=$A_ORG2; api POST "/api/v1/grants/$GRANT/revoke" '{}'; expect 404 "other org cannot revoke"
  TOKEN=$A_ORG; api GET /api/v1/usage; expect 200 "usage log (org)"
  [ "$(jqb '[.usage[] | select(.result == "ok")] | length')" -ge 1 ]; check $? "successful uses"
  [ "$(jqb '[.usage[] | select(.result == "refused")] | length')" -ge 3 ]; check $? "refused uses are logged"
  [ "$(jqb '[.usage[] | select(.result == "ok")][0].document_sm3')" != "" ]; check $? "usage has the document hash"
  TOKEN=$A_ORG2; api GET /api/v1/usage; [ "$(jqb '.usage | length')" = 0 ]; check $? "other org sees no usage"
  TOKEN=$A_AUD; api GET /api/v1/usage; expect 200 "auditor reads the usage log"
  for tok in A_ORG A_USER A_REV A_MAKER A_ADMIN; do
    TOKEN=${!tok}; api GET /api/v1/audit; expect 403 "$tok may not read the audit log"
  done
  TOKEN=$A_AUD; api GET /api/v1/audit; expect 200 "auditor exports the audit log"
  [ "$(jqb '[.entries[].action] | index("seal.report-loss") != null')" = true ]; check $? "audit has the loss"
  [ "$(jqb '[.entries[].action] | index("application.approve") != null')" = true ]; check $? "audit has the approval"
  api GET /api/v1/audit/verify; expect 200 "audit chain check"
  [ "$(jqb .intact)" = true ]; check $? "audit chain intact"
  printf '%s' "$BODY" | jq .head > "$T/head.json"
  api_file POST /api/v1/registrations/verify "$T/head.json"
  [ "$(jqb .valid)" = true ] && [ "$(jqb .registration.type)" = eseal-audit-head/1 ]; check $? "signed audit head"
  TOKEN=$A_AUD
  # the auditor recomputes the chain from the export alone
  printf '%s' "$BODY" > /dev/null
  api GET /api/v1/audit
  printf '%s' "$BODY" > "$T/audit.json"
  check_chain "$T/audit.json"; check $? "exported chain recomputed outside the server"
  "$ESEAL" audit verify "$T/audit.json" >"$T/av.out"; check $? "eseal audit verify: intact"
  jq '.entries[1].detail = "edited"' "$T/audit.json" > "$T/audit-edited.json"
  "$ESEAL" audit verify "$T/audit-edited.json" >"$T/av.out"; [ $? -eq 1 ] && grep -q TAMPERED "$T/av.out"
  check $? "eseal audit verify: an edited entry is found"
  jq 'del(.entries[2])' "$T/audit.json" > "$T/audit-cut.json"
  "$ESEAL" audit verify "$T/audit-cut.json" >"$T/av.out"; [ $? -eq 1 ]; check $? "eseal audit verify: a deleted entry is found"

  # ---- administration ----
  TOKEN=$A_ADMIN; api POST /api/v1/orgs '{"name":"第三家公司","code":"91110000MA01DEMO03"}'; expect 201 "admin creates an org"
  ORG3=$(jqb .id)
  api POST /api/v1/orgs '{"name":"第三家公司"}'; expect 409 "duplicate org"
  api POST /api/v1/users "{\"username\":\"boss3\",\"password\":\"secret1\",\"role\":\"org_admin\",\"org_id\":$ORG3}"; expect 201 "admin creates an org admin"
  api POST /api/v1/users '{"username":"boss3","password":"secret1","role":"auditor"}'; expect 409 "duplicate user"
  api POST /api/v1/users '{"username":"x y","password":"secret1","role":"auditor"}'; expect 400 "bad user name"
  api POST /api/v1/users '{"username":"zz","password":"secret1","role":"king"}'; expect 400 "unknown role"
  TOKEN=$A_ORG; api POST /api/v1/users '{"username":"clerk","password":"secret1","role":"user"}'; expect 201 "org admin creates a seal user"
  api POST /api/v1/users '{"username":"clerk2","password":"secret1","role":"reviewer"}'; expect 403 "org admin may not create a reviewer"
  for tok in A_REV A_MAKER A_USER A_AUD; do
    TOKEN=${!tok}; api POST /api/v1/users '{"username":"q1","password":"secret1","role":"user","org_id":1}'; expect 403 "$tok may not create users"
    TOKEN=${!tok}; api POST /api/v1/orgs '{"name":"q"}'; expect 403 "$tok may not create orgs"
  done
  for tok in A_USER A_REV A_MAKER; do
    TOKEN=${!tok}; api GET /api/v1/users; expect 403 "$tok may not list users"
  done
  TOKEN=$A_USER; api GET /api/v1/applications; expect 403 "user may not list applications"
  TOKEN=$A_ADMIN; api GET /api/v1/seals; expect 403 "admin does not handle seals"
  TOKEN=$A_ADMIN; api POST "/api/v1/seals/$ESID3/suspend" '{}'; expect 403 "admin may not suspend"
  TOKEN=$A_AUD; api POST "/api/v1/seals/$ESID3/suspend" '{}'; expect 403 "auditor may not suspend"
  run_matrix
  TOKEN=$A_USER; api POST /api/v1/logout; expect 200 "logout"
  api GET /api/v1/me; expect 401 "token dead after logout"
}

# check_chain FILE: recomputes SM3(prev || row) over an exported audit log
# with openssl (independent of the server's code).
check_chain() {
  local f=$1 n prev="" i
  n=$(jq '.entries | length' "$f")
  [ "$n" -gt 0 ] || return 1
  prev=0000000000000000000000000000000000000000000000000000000000000000
  for i in $(seq 0 $((n - 1))); do
    local row want got
    row=$(jq -c ".entries[$i]" "$f")
    [ "$(jq -r .prev_hash <<<"$row")" = "$prev" ] || { echo "chain broken at $i"; return 1; }
    want=$(jq -r .hash <<<"$row")
    got=$( {
      printf '%s' "$prev" | xxd -r -p
      printf '%016x' "$(jq -r .seq <<<"$row")" | xxd -r -p
      printf '%016x' "$(jq -r .at <<<"$row")" | xxd -r -p
      for k in actor action object detail; do
        local v; v=$(jq -j ".$k" <<<"$row")
        printf '%08x' "$(printf '%s' "$v" | wc -c)" | xxd -r -p
        printf '%s' "$v"
      done
    } | openssl dgst -sm3 -r | cut -d' ' -f1)
    [ "$got" = "$want" ] || { echo "hash mismatch at seq $(jq -r .seq <<<"$row")"; return 1; }
    prev=$want
  done
}

# Every role against every endpoint it must not reach: 403 (401 without a
# login). The allowed roles are not called here (the cases above do).
run_matrix() {
  local routes=(
    "GET /api/v1/me admin,reviewer,maker,org_admin,user,auditor"
    "GET /api/v1/orgs admin,reviewer,maker,auditor,org_admin"
    "POST /api/v1/orgs admin"
    "GET /api/v1/users admin,org_admin,auditor"
    "POST /api/v1/users admin,org_admin"
    "POST /api/v1/applications org_admin"
    "GET /api/v1/applications org_admin,reviewer,maker,auditor"
    "GET /api/v1/applications/$APP1 org_admin,reviewer,maker,auditor"
    "POST /api/v1/applications/$APP1/approve reviewer"
    "POST /api/v1/applications/$APP1/reject reviewer"
    "POST /api/v1/applications/$APP1/make maker"
    "GET /api/v1/seals org_admin,user,reviewer,maker,auditor"
    "GET /api/v1/seals/$ESID3 org_admin,user,reviewer,maker,auditor"
    "GET /api/v1/seals/$ESID3/events org_admin,user,reviewer,maker,auditor"
    "POST /api/v1/seals/$ESID3/sign user"
    "GET /api/v1/seals/$ESID3/grants org_admin,auditor"
    "POST /api/v1/seals/$ESID3/grants org_admin"
    "POST /api/v1/seals/$ESID3/register reviewer"
    "POST /api/v1/seals/$ESID3/activate org_admin"
    "POST /api/v1/seals/$ESID3/suspend org_admin"
    "POST /api/v1/seals/$ESID3/resume org_admin"
    "POST /api/v1/seals/$ESID3/freeze reviewer"
    "POST /api/v1/seals/$ESID3/unfreeze reviewer"
    "POST /api/v1/seals/$ESID3/report-loss org_admin"
    "POST /api/v1/seals/$ESID3/cancel org_admin,reviewer"
    "POST /api/v1/seals/$ESID3/change org_admin"
    "GET /api/v1/grants user,org_admin,auditor"
    "POST /api/v1/grants/$GRANT/revoke org_admin"
    "GET /api/v1/usage org_admin,auditor,user"
    "GET /api/v1/audit auditor"
    "GET /api/v1/audit/verify auditor"
  )
  local roles=(admin:$A_ADMIN reviewer:$A_REV maker:$A_MAKER org_admin:$A_ORG user:$A_USER auditor:$A_AUD)
  local r m p allowed rt name tok body
  for r in "${routes[@]}"; do
    read -r m p allowed <<<"$r"
    body=; [ "$m" = POST ] && body='{}'
    TOKEN=; api "$m" "$p" "$body"; expect 401 "anonymous $m $p"
    for rt in "${roles[@]}"; do
      name=${rt%%:*}; tok=${rt#*:}
      case ",$allowed," in *",$name,"*) continue ;; esac
      TOKEN=$tok; api "$m" "$p" "$body"; expect 403 "$name $m $p"
    done
  done
}
