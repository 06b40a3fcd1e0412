#!/usr/bin/env bash
# The whole suite: a plain build, an ASan+UBSan build, and the libFuzzer
# targets (clang) for FUZZ_SECONDS each. Every stage runs even if an earlier
# one failed; the last line totals them.
set -uo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
total_pass=0; total_fail=0; status=0
log=$(mktemp)

run_ctest() { # dir label
  ctest --test-dir "$1" --output-on-failure -j "$JOBS" 2>&1 | tee "$log"
  local line pass fail all
  line=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n1)
  if [ -z "$line" ]; then
    echo "$2: ctest printed no summary" >&2; status=1; total_fail=$((total_fail+1)); return
  fi
  fail=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
  all=$(sed -E 's/.* failed out of ([0-9]+).*/\1/' <<<"$line")
  pass=$((all - fail))
  total_pass=$((total_pass + pass)); total_fail=$((total_fail + fail))
  [ "$fail" -eq 0 ] || status=1
}

build() { # dir cmake-args...
  local dir=$1; shift
  if ! { cmake -S . -B "$dir" "$@" >/dev/null && cmake --build "$dir" -j "$JOBS" >/dev/null; }; then
    cmake --build "$dir" -j 1 2>&1 | tail -n 40
    echo "build of $dir failed" >&2
    status=1; total_fail=$((total_fail+1)); return 1
  fi
}

echo "== plain build and tests"
build build -DCMAKE_BUILD_TYPE=RelWithDebInfo && run_ctest build plain

echo "== AddressSanitizer + UndefinedBehaviorSanitizer"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
build build-asan -DCMAKE_BUILD_TYPE=Debug -DES_ASAN=ON -DES_UBSAN=ON -DES_SES_V5=ON -DES_BUILD_BENCH=OFF \
  && run_ctest build-asan asan

echo "== libFuzzer targets, ${FUZZ_SECONDS}s each"
build build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DES_FUZZ=ON \
  -DES_BUILD_TESTS=OFF -DES_BUILD_BENCH=OFF -DES_FUZZ_SECONDS="$FUZZ_SECONDS" \
  && (cd build-fuzz && ctest -L fuzz --output-on-failure 2>&1 | tee "$log") \
  && {
    line=$(grep -E '^[0-9]+% tests passed' "$log" | tail -n1)
    fail=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
    all=$(sed -E 's/.* failed out of ([0-9]+).*/\1/' <<<"$line")
    total_pass=$((total_pass + all - fail)); total_fail=$((total_fail + fail))
    [ "$fail" -eq 0 ] || status=1
  }

rm -f "$log"
echo
echo "eseal: ${total_pass} passed, ${total_fail} failed"
exit $status
