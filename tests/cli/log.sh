#!/usr/bin/env bash
# tests/cli/log.sh - eseal log verify: inclusion of an entry, consistency of
# two tree heads, a whole export against a head; a tampered entry, a
# rewritten or forked history, a cut export, a head signed by another key,
# and no --platform (INDETERMINATE) each give their exit code. The log is
# built here by an independent RFC 6962 implementation (Python, SM3 from
# OpenSSL) and its heads signed with openssl, as eseald would sign them.
set -uo pipefail
: "${ESEAL:?path of the eseal binary}"
command -v python3 >/dev/null && command -v openssl >/dev/null || { echo "python3/openssl missing"; exit 77; }
python3 -c "import hashlib; hashlib.new('sm3')" 2>/dev/null || { echo "no SM3 in Python's hashlib"; exit 77; }
# shellcheck source=common.bash
source "$(dirname "$0")/common.bash"
P=$T/pki
expect 0 "pki init" "$ESEAL" pki init "$P" --pass test

# log.py DIR: 11 entries; tree heads of 6 and 11 (tbs only), an inclusion
# proof for entry 4 in 11, a consistency proof 6 -> 11, the export; and a
# forked history (entry 2 changed) with its head at 11.
cat > "$T/log.py" <<'PY'
import base64, hashlib, json, sys
d = sys.argv[1]
def H(b): return hashlib.new("sm3", b).digest()
def leaf(e): return H(b"\x00" + e)
def node(l, r): return H(b"\x01" + l + r)
def split(n):
    k = 1
    while k * 2 < n: k *= 2
    return k
def mth(L):
    if not L: return H(b"")
    if len(L) == 1: return L[0]
    k = split(len(L)); return node(mth(L[:k]), mth(L[k:]))
def path(m, L):
    if len(L) <= 1: return []
    k = split(len(L))
    return path(m, L[:k]) + [mth(L[k:])] if m < k else path(m - k, L[k:]) + [mth(L[:k])]
def sub(m, L, b):
    if m == len(L): return [] if b else [mth(L)]
    k = split(len(L))
    return sub(m, L[:k], b) + [mth(L[k:])] if m <= k else sub(m - k, L[k:], False) + [mth(L[:k])]
def entry(i, status="active"):
    e = {"type": "eseal-log-entry/1", "node": "cn-11", "seq": i + 1, "esid": "ES-%d" % i,
         "event": "register", "status": status, "at": "2026-11-24T10:00:%02dZ" % i, "reason": ""}
    return json.dumps(e, separators=(",", ":"), sort_keys=True).encode()
E = [entry(i) for i in range(11)]
L = [leaf(e) for e in E]
def sth(n, leaves, name):
    t = {"type": "eseal-sth/1", "node": "cn-11", "tree_size": n, "root_hash": mth(leaves[:n]).hex(),
         "timestamp": "2026-11-24T11:00:00Z"}
    open("%s/%s.tbs" % (d, name), "wb").write(json.dumps(t, separators=(",", ":"), sort_keys=True).encode())
sth(6, L, "sth6"); sth(11, L, "sth11")
open(d + "/entry4.json", "wb").write(E[4])
json.dump({"leaf_index": 4, "tree_size": 11, "path": [h.hex() for h in path(4, L)]}, open(d + "/incl4.json", "w"))
json.dump({"first": 6, "second": 11, "path": [h.hex() for h in sub(6, L, True)]}, open(d + "/cons.json", "w"))
json.dump({"entries": [base64.b64encode(e).decode() for e in E]}, open(d + "/export.json", "w"))
F = list(E); F[2] = entry(2, "revoked")
FL = [leaf(e) for e in F]
sth(11, FL, "fork11")
json.dump({"first": 6, "second": 11, "path": [h.hex() for h in sub(6, FL, True)]}, open(d + "/cons-fork.json", "w"))
json.dump({"entries": [base64.b64encode(e).decode() for e in F]}, open(d + "/export-fork.json", "w"))
json.dump({"entries": [base64.b64encode(e).decode() for e in E[:9]]}, open(d + "/export-cut.json", "w"))
json.dump({"entries": [base64.b64encode(e).decode() for e in E[:5] + [E[6], E[5]] + E[7:]]}, open(d + "/export-swap.json", "w"))
PY
python3 "$T/log.py" "$T" && ok || bad "building the log"
envelope() { # tbs-file key-prefix -> envelope on stdout
  local sig
  sig=$(openssl dgst -sm3 -sign "$P/$2.key" -passin pass:test -sigopt distid:1234567812345678 "$1" | base64 -w0)
  printf '{"alg":"SM2-with-SM3","tbs":"%s","signature":"%s","signer":"x","content":%s}' \
    "$(base64 -w0 < "$1")" "$sig" "$(cat "$1")"
}
for h in sth6 sth11 fork11; do envelope "$T/$h.tbs" root-ca > "$T/$h.json"; done
envelope "$T/sth11.tbs" maker > "$T/sth11-other.json"
PL=(--platform "$P/root-ca.pem")

# inclusion
expect 0 "inclusion" "$ESEAL" log verify --entry "$T/entry4.json" --proof "$T/incl4.json" --sth "$T/sth11.json" "${PL[@]}"
contains "$T/out" "VERIFIED" "inclusion verified"
sed 's/"active"/"revoked"/' "$T/entry4.json" > "$T/entry4-bad.json"
expect 1 "a changed entry" "$ESEAL" log verify --entry "$T/entry4-bad.json" --proof "$T/incl4.json" --sth "$T/sth11.json" "${PL[@]}"
contains "$T/err" "ES_ERR_CRYPTO_PROOF" "proof failure named"
sed 's/"leaf_index": 4/"leaf_index": 5/' "$T/incl4.json" > "$T/incl-idx.json"
expect 1 "a wrong index" "$ESEAL" log verify --entry "$T/entry4.json" --proof "$T/incl-idx.json" --sth "$T/sth11.json" "${PL[@]}"
expect 1 "a proof for another tree size" "$ESEAL" log verify --entry "$T/entry4.json" --proof "$T/incl4.json" --sth "$T/sth6.json" "${PL[@]}"
contains "$T/err" "tree head has 6" "size mismatch explained"
expect 1 "a head signed by another key" "$ESEAL" log verify --entry "$T/entry4.json" --proof "$T/incl4.json" --sth "$T/sth11-other.json" "${PL[@]}"
contains "$T/err" "ES_ERR_CRYPTO_SIGNATURE" "signature failure named"
expect 2 "no --platform" "$ESEAL" log verify --entry "$T/entry4.json" --proof "$T/incl4.json" --sth "$T/sth11.json"
contains "$T/out" "INDETERMINATE" "unchecked heads are indeterminate"
# consistency
expect 0 "consistency 6 -> 11" "$ESEAL" log verify --sth "$T/sth6.json" --sth2 "$T/sth11.json" --proof "$T/cons.json" "${PL[@]}"
expect 1 "a forked history" "$ESEAL" log verify --sth "$T/sth6.json" --sth2 "$T/fork11.json" --proof "$T/cons-fork.json" "${PL[@]}"
contains "$T/err" "rewritten or forked" "fork explained"
expect 1 "heads in the wrong order" "$ESEAL" log verify --sth "$T/sth11.json" --sth2 "$T/sth6.json" --proof "$T/cons.json" "${PL[@]}"
# exports
expect 0 "export" "$ESEAL" log verify --export "$T/export.json" --sth "$T/sth11.json" "${PL[@]}"
expect 0 "export longer than an older head" "$ESEAL" log verify --export "$T/export.json" --sth "$T/sth6.json" "${PL[@]}"
contains "$T/out" "first 6 of 11" "prefix explained"
expect 1 "an edited export" "$ESEAL" log verify --export "$T/export-fork.json" --sth "$T/sth11.json" "${PL[@]}"
expect 1 "a cut export" "$ESEAL" log verify --export "$T/export-cut.json" --sth "$T/sth11.json" "${PL[@]}"
contains "$T/err" "entries were removed" "cut explained"
expect 1 "a reordered export" "$ESEAL" log verify --export "$T/export-swap.json" --sth "$T/sth11.json" "${PL[@]}"
# bad input
echo '{"leaf_index":4,"tree_size":11,"path":["zz"]}' > "$T/junk.json"
expect 3 "a malformed proof" "$ESEAL" log verify --entry "$T/entry4.json" --proof "$T/junk.json" --sth "$T/sth11.json" "${PL[@]}"
expect 3 "not a tree head" "$ESEAL" log verify --export "$T/export.json" --sth "$T/incl4.json" "${PL[@]}"
expect 3 "two modes at once" "$ESEAL" log verify --export "$T/export.json" --entry "$T/entry4.json" --sth "$T/sth11.json"
expect 3 "a missing file" "$ESEAL" log verify --export "$T/nope.json" --sth "$T/sth11.json" "${PL[@]}"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
