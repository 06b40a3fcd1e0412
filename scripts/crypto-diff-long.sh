#!/usr/bin/env bash
# scripts/crypto-diff-long.sh - long differential run of libeseal's own SM2/SM3
# (lib/crypto/fast) against OpenSSL and libgcrypt.
#
# usage: scripts/crypto-diff-long.sh [MINUTES] [BUILD_DIR]
#   MINUTES    total time (default 30)
#   BUILD_DIR  a build with the tests (default build-fast; configured and
#              built here if missing)
#
# Repeats tests/unit/crypto/fast_sm2_test.c with fresh seeds (ES_TEST_SEED)
# and ES_TEST_ITERS=20 (twenty times the per-run counts: random keys, digests,
# signatures from all three implementations, corrupted signatures), then the
# SM3 tests; when a libFuzzer build of fuzz/fuzz_crypto_diff exists
# (build-fuzz, see fuzz/CMakeLists.txt) a quarter of the time goes to it.
# A failure stops the run and prints the seed that reproduces it.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-30}
build=${2:-build-fast}
if [ ! -x "$build/tests/t_crypto_fast_sm2" ]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build" -j "$(nproc)" --target t_crypto_fast_sm2 t_crypto_sm3 t_crypto_sm2
fi
end=$(( $(date +%s) + minutes * 60 ))
fuzz_bin=build-fuzz/fuzz/fuzz_crypto_diff
fuzz_secs=0
if [ -x "$fuzz_bin" ]; then
  fuzz_secs=$(( minutes * 15 ))
  end=$(( end - fuzz_secs ))
fi
runs=0
while [ "$(date +%s)" -lt "$end" ]; do
  seed=$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')
  if ! ES_TEST_SEED=$seed ES_TEST_ITERS=20 "$build/tests/t_crypto_fast_sm2" >/tmp/crypto-diff-$$.log 2>&1; then
    cat /tmp/crypto-diff-$$.log
    echo "FAILED: reproduce with ES_TEST_SEED=$seed ES_TEST_ITERS=20 $build/tests/t_crypto_fast_sm2"
    exit 1
  fi
  runs=$((runs + 1))
  echo "run $runs (seed $seed): ok"
done
rm -f /tmp/crypto-diff-$$.log
"$build/tests/t_crypto_sm3" >/dev/null
"$build/tests/t_crypto_sm2" >/dev/null
echo "SM3 and SM2 known-answer tests: ok"
if [ "$fuzz_secs" -gt 0 ]; then
  corpus=$(mktemp -d)
  echo "fuzz_crypto_diff for ${fuzz_secs}s"
  "$fuzz_bin" -max_total_time="$fuzz_secs" -timeout=10 -print_final_stats=1 "$corpus" \
    fuzz/corpus/fuzz_crypto_diff
  rm -rf "$corpus"
fi
echo "crypto-diff-long: $runs differential runs passed"
