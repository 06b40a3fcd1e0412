#!/usr/bin/env bash
# bench/bench_server.sh [BUILD_DIR] - a load run against a running eseald
# (wrk, loopback, bounded in time): requests per second and latency
# percentiles for the public status endpoint and for verifying a small sealed
# OFD, beside a static file served by the same daemon in the same run, so the
# ratios mean something on a noisy machine. Targets: status >= 50% of the
# static rate; verification bound by the cryptography (compare with
# bench_crypto's SM2 verify figure).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
export ESEALD=$build/server/eseald ESEAL=$build/cli/eseal
SECS=${BENCH_SECONDS:-5}
# shellcheck source=../tests/integration/lib.sh
source "$root/tests/integration/lib.sh"
need curl jq wrk
make_pki
start_eseald "sqlite:$T/bench.db" --threads "$(nproc)"

# a registered seal whose status is asked for
TOKEN=$(login orgadmin)
api POST /api/v1/applications '{"seal_name":"压测科技有限公司合同专用章"}'; app=$(jqb .id)
TOKEN=$(login reviewer); api POST "/api/v1/applications/$app/approve" '{"reason":"bench"}'
TOKEN=$(login maker); api POST "/api/v1/applications/$app/make" '{}'; esid=$(jqb .esid)
[ -n "$esid" ] && [ "$esid" != null ] || { echo "bench: could not make a seal: $BODY"; exit 1; }

# a small sealed OFD (sealed offline with the demo PKI; the platform verifies any document)
"$ESEAL" seal make --maker-key "$T/pki/maker.key" --maker-cert "$T/pki/maker.pem" \
  --cert "$T/pki/owner.pem" --name "压测科技有限公司合同专用章" --valid-to +30 --pass test \
  -o "$T/s.esl" >/dev/null
"$ESEAL" ofd sign "$root/tests/unit/ofd/data/plain3.ofd" -o "$T/doc.ofd" --seal "$T/s.esl" \
  --key "$T/pki/owner.key" --cert "$T/pki/owner.pem" --pass test --page 1 --x 20 --y 20 >/dev/null
printf '{"file":"%s"}' "$(base64 -w0 "$T/doc.ofd")" > "$T/verify.json"
cat > "$T/post.lua" <<LUA
local f = io.open("$T/verify.json", "rb")
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
LUA

# eseald's CPU time so far (user + system), in clock ticks
cpu_ticks() { awk '{print $14 + $15}' "/proc/$ESEALD_PID/stat"; }

run() { # label url [wrk args]
  local label=$1 url=$2; shift 2
  local c0; c0=$(cpu_ticks)
  wrk -t2 -c32 -d"${SECS}s" --latency "$@" "$url" > "$T/wrk.out" 2>&1
  # microseconds of eseald CPU per request: unlike the rate, hardly moved by
  # other load on the machine (wrk itself included)
  awk -v c0="$c0" -v c1="$(cpu_ticks)" -v hz="$(getconf CLK_TCK)" \
    '/requests in/ {n = $1} END {if (n > 0) printf "%.1f\n", (c1 - c0) * 1e6 / hz / n}' \
    "$T/wrk.out" > "$T/cpu.out"
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$T/wrk.out")
  p50=$(awk '$1 == "50%" {print $2}' "$T/wrk.out")
  p99=$(awk '$1 == "99%" {print $2}' "$T/wrk.out")
  printf '  %-44s %12s req/s   p50 %-9s p99 %s\n' "$label" "$rps" "$p50" "$p99" >&2
  echo "$rps"
}
echo "eseald load run: wrk -t2 -c32 -d${SECS}s on loopback, $(nproc) cores shared by client and server" >&2
static=$(run "static file (web page), same daemon" "$URL/")
status=$(run "GET /api/v1/seals/{esid}/status (signed)" "$URL/api/v1/seals/$esid/status")
verify=$(run "POST /api/v1/verify, sealed OFD as JSON ($(stat -c %s "$T/doc.ofd") B)" "$URL/api/v1/verify" -s "$T/post.lua")
json_cpu=$(cat "$T/cpu.out")
cat > "$T/raw.lua" <<LUA
local f = io.open("$T/doc.ofd", "rb")
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/octet-stream"
LUA
raw=$(run "POST /api/v1/verify, the same OFD sent raw" "$URL/api/v1/verify" -s "$T/raw.lua")
raw_cpu=$(cat "$T/cpu.out")
# the same document verified by libeseal in this machine's threads, no HTTP:
# the cryptography and parsing alone, measured in the same run
read -r lib lib_cpu < <("$build/bench/bench_verify" "$T/doc.ofd" "$SECS" "$(nproc)" "$T/pki/root-ca.pem" | tail -n1)
awk -v s="$static" -v st="$status" -v v="$verify" -v r="$raw" -v l="$lib" -v rc="$raw_cpu" -v jc="$json_cpu" -v lc="$lib_cpu" 'BEGIN {
  printf "  status / static = %.0f%% (target >= 50%%)\n", 100 * st / s
  printf "  verification: %.0f documents/s as JSON, %.0f raw (each: SM3 of every part, two SM2 verifications, two chains)\n", v, r
  printf "  libeseal alone, same document, same threads: %.0f documents/s; eseald raw = %.0f%% of it\n", l, 100 * r / l
  printf "  (wrk shares the cores with eseald here, so 100%% of the rate is out of reach on a 2-core machine)\n"
  printf "  CPU per document: libeseal %.0f us, eseald (raw, HTTP included) %.0f us: the library is %.0f%% of the service'"'"'s work\n", lc, rc, 100 * lc / rc
  printf "  (as JSON: %.0f us of eseald CPU per document, base64 and JSON decoding included)\n", jc
}' >&2
stop_eseald
