#!/usr/bin/env bash
# run_fuzz.sh TARGET SEEDER CORPUS_DIR CHECKED_IN_DIR SECONDS
# Generates seeds, then fuzzes for a bounded time. A crash fails the test and
# leaves the reproducer in the build directory (add it to fuzz/corpus/).
set -euo pipefail
target=$1 seeder=$2 corpus=$3 checked=$4 secs=$5
mkdir -p "$corpus"
"$seeder" "$(basename "$target")" "$corpus" ${ES_SHARED_DIR:-$(dirname "$0")/../../shared}/testdata
dirs=("$corpus")
[ -d "$checked" ] && dirs+=("$checked")
cd "$(dirname "$corpus")"
exec "$target" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -print_final_stats=1 "${dirs[@]}"
