#!/usr/bin/env bash
# tests/cli/trustlist.sh - eseal trustlist create|sign|inspect|verify (exit
# codes 0/1/2/3), signer rotation, `eseal verify --trust-list` (a maker
# withdrawn before the seal was made makes it untrusted, one withdrawn after
# does not, a stale list is INDETERMINATE, a refused list exits 4), makers
# and intermediate CAs that are not self-signed used as anchors when a list
# names them (and with --trust-anchor), never an unnamed sibling, and a
# status answer embedded with `eseal sign --status-answer` (made here with
# openssl, as eseald would) and checked by the verifier.
set -uo pipefail
: "${ESEAL:?path of the eseal binary}"
# shellcheck source=common.bash
source "$(dirname "$0")/common.bash"
P=$T/pki
expect 0 "pki init" "$ESEAL" pki init "$P" --pass test
expect 0 "seal make" "$ESEAL" seal make --maker-key "$P/maker.key" --maker-cert "$P/maker.pem" \
  --cert "$P/owner.pem" --name "互认测试章" --valid-to +30 --pass test --esid CLI-TL-1 -o "$T/s.esl"
echo "a contract" > "$T/doc.txt"
expect 0 "sign" "$ESEAL" sign "$T/doc.txt" --seal "$T/s.esl" --key "$P/owner.key" \
  --cert "$P/owner.pem" --pass test -o "$T/doc.sig"

# ---- lists: create, sign, inspect, verify ----
expect 0 "trustlist create" "$ESEAL" trustlist create -o "$T/c1.json" --region CN-11 --seq 1 \
  --next-update +30 --since 2020-01-01 --maker "Maker A=$P/maker.pem" --ca "Root CA=$P/root-ca.pem" \
  --platform "Node A=$P/root-ca.pem,cn-11,https://a.example/api/v1"
contains "$T/c1.json" '"kind": "platform"' "content has the platform"
expect 3 "create with a duplicate name" "$ESEAL" trustlist create -o "$T/x.json" \
  --maker "A=$P/maker.pem" --ca "A=$P/root-ca.pem"
expect 3 "create with an unreadable certificate" "$ESEAL" trustlist create -o "$T/x.json" \
  --maker "A=$T/doc.txt"
expect 0 "trustlist sign" "$ESEAL" trustlist sign "$T/c1.json" --key "$P/root-ca.key" \
  --cert "$P/root-ca.pem" --pass test -o "$T/l1.json"
expect 0 "trustlist verify" "$ESEAL" trustlist verify "$T/l1.json" --signer "$P/root-ca.pem"
contains "$T/out" "VALID" "verify says valid"
contains "$T/out" "maker    Maker A" "verify lists the maker"
expect 0 "trustlist inspect" "$ESEAL" trustlist inspect "$T/l1.json"
contains "$T/out" "signature NOT checked" "inspect does not vouch"
expect 1 "verify against another signer" "$ESEAL" trustlist verify "$T/l1.json" --signer "$P/owner.pem"
contains "$T/err" "ES_ERR_CRYPTO_SIGNATURE" "refused signer named"
sed 's/Maker A/Maker B/g' "$T/l1.json" > "$T/l1-edit.json"
expect 3 "a list whose content copy was edited" "$ESEAL" trustlist verify "$T/l1-edit.json" --signer "$P/root-ca.pem"
python3 - "$T/l1.json" "$T/l1-forged.json" <<'PY' && ok || bad "forging a list"
import base64, json, sys
d = json.load(open(sys.argv[1]))
t = json.loads(base64.b64decode(d["tbs"]))
t["entries"][0]["name"] = "Maker B"
raw = json.dumps(t, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()
d["tbs"] = base64.b64encode(raw).decode(); d["content"] = t
json.dump(d, open(sys.argv[2], "w"))
PY
expect 1 "a list whose signed bytes were edited" "$ESEAL" trustlist verify "$T/l1-forged.json" --signer "$P/root-ca.pem"
expect 2 "a stale list" "$ESEAL" trustlist verify "$T/l1.json" --signer "$P/root-ca.pem" --at +60
contains "$T/out" "INDETERMINATE" "stale list is indeterminate"
echo "{" > "$T/junk.json"
expect 3 "not JSON" "$ESEAL" trustlist verify "$T/junk.json" --signer "$P/root-ca.pem"
expect 3 "verify without --signer" "$ESEAL" trustlist verify "$T/l1.json"

# ---- rotation: root hands the list over to the owner key ----
expect 0 "sign with rotation" "$ESEAL" trustlist sign "$T/c1.json" --key "$P/owner.key" \
  --cert "$P/owner.pem" --pass test --previous-key "$P/root-ca.key" --previous-cert "$P/root-ca.pem" \
  --previous-pass test -o "$T/l1-rot.json"
expect 0 "rotated list, old signer trusted" "$ESEAL" trustlist verify "$T/l1-rot.json" --signer "$P/root-ca.pem"
contains "$T/out" "1 signer rotation" "rotation reported"
expect 0 "rotated list, new signer trusted" "$ESEAL" trustlist verify "$T/l1-rot.json" --signer "$P/owner.pem"
expect 1 "rotated list, unrelated signer" "$ESEAL" trustlist verify "$T/l1-rot.json" --signer "$P/maker.pem"
expect 3 "--previous-key without --previous-cert" "$ESEAL" trustlist sign "$T/c1.json" --key "$P/owner.key" \
  --cert "$P/owner.pem" --pass test --previous-key "$P/root-ca.key" -o "$T/x.json"

# ---- eseal verify --trust-list ----
V=("$ESEAL" verify "$T/doc.sig" --data "$T/doc.txt" --json)
expect 0 "verify with the list" "${V[@]}" --trust-list "$T/l1.json" --trust-list-signer "$P/root-ca.pem"
contains "$T/out" '"id":"trust_list","result":"PASSED"' "trust_list check passed"
expect 4 "verify with a refused list" "${V[@]}" --trust-list "$T/l1.json" --trust-list-signer "$P/owner.pem"
expect 3 "--trust-list without a signer" "${V[@]}" --trust-list "$T/l1.json"
# withdrawn before the seal was made: its seals are untrusted
expect 0 "create edition 2" "$ESEAL" trustlist create --from "$T/l1.json" -o "$T/c2.json" \
  --withdraw "Maker A=2021-01-01T00:00:00Z"
contains "$T/c2.json" '"seq": 2' "the next edition gets the next number"
expect 0 "sign edition 2" "$ESEAL" trustlist sign "$T/c2.json" --key "$P/root-ca.key" \
  --cert "$P/root-ca.pem" --pass test -o "$T/l2.json"
expect 1 "maker withdrawn before the seal" "${V[@]}" --trust-list "$T/l2.json" --trust-list-signer "$P/root-ca.pem"
contains "$T/out" "MAKER_WITHDRAWN" "reason named"
contains "$T/out" "before the seal was made" "reason explained"
# a replayed older edition is refused when the reader knows a newer one
expect 0 "edition 2 with --min-seq 2" "$ESEAL" trustlist verify "$T/l2.json" --signer "$P/root-ca.pem" --min-seq 2
expect 1 "edition 1 with --min-seq 2" "$ESEAL" trustlist verify "$T/l1.json" --signer "$P/root-ca.pem" --min-seq 2
contains "$T/err" "older than --min-seq" "replay explained"
expect 4 "verify with a replayed edition" "${V[@]}" --trust-list "$T/l1.json" \
  --trust-list-signer "$P/root-ca.pem" --trust-list-min-seq 2
# withdrawn after the seal was made (tomorrow): still trusted
expect 0 "create edition 3" "$ESEAL" trustlist create --from "$T/l1.json" -o "$T/c3.json" --withdraw "Maker A=+1"
expect 0 "sign edition 3" "$ESEAL" trustlist sign "$T/c3.json" --key "$P/root-ca.key" \
  --cert "$P/root-ca.pem" --pass test -o "$T/l3.json"
expect 0 "maker withdrawn after the seal" "${V[@]}" --trust-list "$T/l3.json" --trust-list-signer "$P/root-ca.pem"
# a stale list decides nothing
expect 0 "create a stale list" "$ESEAL" trustlist create --from "$T/l1.json" -o "$T/c4.json" \
  --issued 2024-01-01 --next-update 2024-02-01
expect 0 "sign the stale list" "$ESEAL" trustlist sign "$T/c4.json" --key "$P/root-ca.key" \
  --cert "$P/root-ca.pem" --pass test -o "$T/l4.json"
expect 2 "verify with a stale list" "${V[@]}" --trust-list "$T/l4.json" --trust-list-signer "$P/root-ca.pem"
contains "$T/out" "TRUST_LIST_STALE" "stale reason"

# ---- makers and CAs that are not self-signed: anchors when named ----
# root-ca -> Intermediate CA -> makers 1 and 2, and an owner; made with
# openssl (SM2 with the default ID, as eseal pki does)
if command -v openssl >/dev/null; then
  printf '%s\n' '[ca]' 'basicConstraints=critical,CA:TRUE' \
    'keyUsage=critical,keyCertSign,cRLSign,digitalSignature' \
    'subjectKeyIdentifier=hash' 'authorityKeyIdentifier=keyid:always' \
    '[ee]' 'basicConstraints=critical,CA:FALSE' 'keyUsage=critical,digitalSignature,nonRepudiation' \
    'subjectKeyIdentifier=hash' 'authorityKeyIdentifier=keyid:always' > "$T/ext.cnf"
  issue() { # name subject extensions issuer(path without .pem/.key)
    openssl genpkey -algorithm SM2 -aes-256-cbc -pass pass:test -out "$T/$1.key" 2>/dev/null &&
    openssl req -new -key "$T/$1.key" -passin pass:test -subj "$2" -sm3 \
      -sigopt distid:1234567812345678 -out "$T/$1.csr" 2>/dev/null &&
    openssl x509 -req -in "$T/$1.csr" -CA "$4.pem" -CAkey "$4.key" -passin pass:test -sm3 \
      -sigopt distid:1234567812345678 -vfyopt distid:1234567812345678 -extfile "$T/ext.cnf" \
      -extensions "$3" -days 30 -set_serial "$((RANDOM + 1))" -out "$T/$1.pem" 2>/dev/null
  }
  issue int "/C=CN/O=Test/CN=Intermediate CA" ca "$P/root-ca" && ok || bad "openssl: intermediate CA"
  issue m1 "/C=CN/O=Test/CN=Maker 1" ee "$T/int" && ok || bad "openssl: maker 1"
  issue m2 "/C=CN/O=Test/CN=Maker 2" ee "$T/int" && ok || bad "openssl: maker 2"
  issue oi "/C=CN/O=Test/CN=Owner under the intermediate" ee "$T/int" && ok || bad "openssl: owner"
  mksig() { # maker owner-key owner-cert esid out
    "$ESEAL" seal make --maker-key "$T/$1.key" --maker-cert "$T/$1.pem" --cert "$3" --name "互认" \
      --valid-to +30 --pass test --esid "$4" -o "$T/$5.esl" >/dev/null &&
    "$ESEAL" sign "$T/doc.txt" --seal "$T/$5.esl" --key "$2" --cert "$3" --pass test \
      -o "$T/$5.sig" >/dev/null
  }
  mksig m1 "$T/oi.key" "$T/oi.pem" CLI-TL-I1 sig-i && ok || bad "seal and signature under the intermediate"
  mksig m1 "$P/owner.key" "$P/owner.pem" CLI-TL-M1 sig-m1 && ok || bad "seal by maker 1"
  mksig m2 "$P/owner.key" "$P/owner.pem" CLI-TL-M2 sig-m2 && ok || bad "seal by maker 2"
  mklist() { # out entry-options...: a current list signed by root-ca
    local out=$1; shift
    "$ESEAL" trustlist create -o "$T/$out.c.json" --region CN-31 --seq 1 --next-update +30 \
      --since 2020-01-01 "$@" >/dev/null &&
    "$ESEAL" trustlist sign "$T/$out.c.json" --key "$P/root-ca.key" --cert "$P/root-ca.pem" \
      --pass test -o "$T/$out.json" >/dev/null
  }
  L() { # signature list
    "$ESEAL" verify "$T/$1.sig" --data "$T/doc.txt" --json --trust-list "$T/$2.json" \
      --trust-list-signer "$P/root-ca.pem"
  }
  chain_is() { # check result[,reason] what
    contains "$T/out" "\"id\":\"$1\",\"result\":\"$2\"" "$3"
  }
  # only the intermediate named: every chain check passes
  mklist li --ca "Intermediate CA=$T/int.pem" && ok || bad "list of the intermediate"
  expect 0 "list naming only the intermediate" L sig-i li
  chain_is seal_maker_chain PASSED "maker chain ends at the intermediate"
  chain_is signer_chain PASSED "signer chain ends at the intermediate"
  contains "$T/out" "recognised, not self-signed" "the anchor is said to be recognised"
  # intermediate and root named: as before
  mklist lir --ca "Intermediate CA=$T/int.pem" --ca "Root CA=$P/root-ca.pem" && ok || bad "list of both"
  expect 0 "list naming the intermediate and its root" L sig-i lir
  # only the maker named (its intermediate nowhere), the signer's root as a CA
  mklist lm --maker "Maker 1=$T/m1.pem" --ca "Root CA=$P/root-ca.pem" && ok || bad "list of the maker"
  expect 0 "list naming only the maker" L sig-m1 lm
  chain_is seal_maker_chain PASSED "maker chain of one certificate"
  # a sibling maker of the same intermediate and root is not trusted through it
  expect 2 "a maker the list does not name" L sig-m2 lm
  chain_is seal_maker_chain 'INDETERMINATE","reason":"CHAIN_NOT_BUILT' "sibling chain not built"
  contains "$T/out" "NOT_IN_TRUST_LIST" "sibling not in the list"
  # the named maker withdrawn before the seal was made: FAILED, as before
  mklist lw --maker "Maker 1=$T/m1.pem" --ca "Root CA=$P/root-ca.pem" \
    --withdraw "Maker 1=2021-01-01T00:00:00Z" && ok || bad "list with the maker withdrawn"
  expect 1 "the named maker withdrawn" L sig-m1 lw
  contains "$T/out" "MAKER_WITHDRAWN" "withdrawal named"
  # --trust keeps a non-self-signed certificate an intermediate; --trust-anchor does not
  expect 2 "--trust with the intermediate" "$ESEAL" verify "$T/sig-i.sig" --data "$T/doc.txt" \
    --json --trust "$T/int.pem"
  chain_is seal_maker_chain 'INDETERMINATE","reason":"CHAIN_NOT_BUILT' "intermediate is no anchor"
  expect 0 "--trust-anchor with the intermediate" "$ESEAL" verify "$T/sig-i.sig" \
    --data "$T/doc.txt" --json --trust-anchor "$T/int.pem"
  expect 3 "--trust-anchor with a missing file" "$ESEAL" verify "$T/sig-i.sig" \
    --data "$T/doc.txt" --trust-anchor "$T/nonexistent.pem"
else
  echo "openssl missing: non-self-signed anchors part skipped"
fi

# ---- a status answer embedded in the signature ----
if command -v openssl >/dev/null && command -v base64 >/dev/null; then
  now=$(date +%s)
  answer() { # esid status from to -> envelope on stdout (as eseald writes it, plus signer_cert)
    local tbs="{\"esid\":\"$1\",\"next_update\":$4,\"status\":\"$2\",\"this_update\":$3,\"type\":\"eseal-status/1\"}"
    local sig cert
    sig=$(printf %s "$tbs" | openssl dgst -sm3 -sign "$P/root-ca.key" -passin pass:test \
          -sigopt distid:1234567812345678 | base64 -w0)
    cert=$(openssl x509 -in "$P/root-ca.pem" -outform DER | base64 -w0)
    printf '{"alg":"SM2-with-SM3","tbs":"%s","signature":"%s","signer":"x","signer_cert":"%s","content":%s}' \
      "$(printf %s "$tbs" | base64 -w0)" "$sig" "$cert" "$tbs"
  }
  answer CLI-TL-1 active $((now-60)) $((now+300)) > "$T/ans.json"
  expect 0 "sign with a status answer" "$ESEAL" sign "$T/doc.txt" --seal "$T/s.esl" --key "$P/owner.key" \
    --cert "$P/owner.pem" --pass test --status-answer "$T/ans.json" -o "$T/doc-ans.sig"
  W=("$ESEAL" verify "$T/doc-ans.sig" --data "$T/doc.txt" --json)
  expect 0 "status answer trusted through --trust" "${W[@]}" --trust "$P/root-ca.pem"
  contains "$T/out" '"id":"status_answer","result":"PASSED"' "status_answer passed"
  expect 0 "status answer trusted through the list" "${W[@]}" --trust-list "$T/l1.json" --trust-list-signer "$P/root-ca.pem"
  contains "$T/out" '"id":"status_answer","result":"PASSED"' "status_answer passed (list)"
  expect 2 "status answer from an untrusted platform" "${W[@]}" --no-chain
  contains "$T/out" "STATUS_SIGNER_UNTRUSTED" "untrusted platform named"
  answer CLI-TL-9 active $((now-60)) $((now+300)) > "$T/ans-other.json"
  expect 3 "an answer for another seal is refused" "$ESEAL" sign "$T/doc.txt" --seal "$T/s.esl" \
    --key "$P/owner.key" --cert "$P/owner.pem" --pass test --status-answer "$T/ans-other.json" -o "$T/x.sig"
  answer CLI-TL-1 active $((now-600)) $((now-300)) > "$T/ans-old.json"
  expect 4 "an expired answer is refused" "$ESEAL" sign "$T/doc.txt" --seal "$T/s.esl" \
    --key "$P/owner.key" --cert "$P/owner.pem" --pass test --status-answer "$T/ans-old.json" -o "$T/x.sig"
  [ ! -e "$T/x.sig" ] && ok || bad "a refused signature left a file"
  answer CLI-TL-1 suspended $((now-60)) $((now+300)) > "$T/ans-susp.json"
  expect 0 "sign with a 'suspended' answer" "$ESEAL" sign "$T/doc.txt" --seal "$T/s.esl" --key "$P/owner.key" \
    --cert "$P/owner.pem" --pass test --status-answer "$T/ans-susp.json" -o "$T/doc-susp.sig"
  expect 1 "a suspended seal fails" "$ESEAL" verify "$T/doc-susp.sig" --data "$T/doc.txt" --json --trust "$P/root-ca.pem"
  contains "$T/out" "STATUS_NOT_ACTIVE" "not active named"
else
  echo "openssl or base64 missing: status answer part skipped"
fi

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
