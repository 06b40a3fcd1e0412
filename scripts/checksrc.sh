#!/usr/bin/env bash
# Lint in the manner of curl's checksrc and s2n's grep_simple_mistakes:
# banned functions, // comments, and the dependency rules of STYLE.md (b).
# Prints "N passed, N failed" (one rule = one check).
set -uo pipefail
cd "$(dirname "$0")/.."
pass=0; fail=0
rule() { # description, then a command whose output lists violations
  local what=$1; shift
  local out; out=$("$@" 2>/dev/null || true)
  if [ -n "$out" ]; then echo "checksrc: $what:"; echo "$out" | head -20; fail=$((fail+1)); else pass=$((pass+1)); fi
}
src="lib cli server store bench"
rule "banned functions (strcpy, strcat, sprintf, vsprintf, gets, atoi, atol, atoll)" \
  grep -rnE '\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|atoll)\s*\(' $src --include=*.c --include=*.h
rule "raw malloc/calloc/realloc/free outside lib/base/alloc.c" \
  bash -c "grep -rnE '(^|[^_a-z])(malloc|calloc|realloc|free)\s*\(' lib --include=*.c | grep -v '^lib/base/alloc.c' | grep -vE 'OPENSSL_free|_free\(|es_free'"
rule "// comments" bash -c "grep -rnE '^\s*//|[;{}]\s*//' $src --include=*.c --include=*.h | grep -v 'http'"
rule "OpenSSL included outside lib/crypto" \
  bash -c "grep -rln '#include <openssl/' lib cli include server store | grep -vE '^(lib/crypto/|server/keystore.c)'"
rule "OpenSSL, SQLite or libpq types in public headers" \
  grep -rnE 'EVP_|X509|sqlite3|PGconn|BIGNUM' include
rule "cli/ uses lib/ internals" bash -c "grep -rnE '#include \"(base|der|crypto|seal|verify)/' cli"
rule "lib/ includes store, server or cli" bash -c "grep -rnE '#include \"(store|server|cli)/' lib"
rule "memcmp on digests or MACs (use es_ct_equal)" \
  bash -c "grep -rnE 'memcmp\([^;]*(hash|digest|mac)' lib --include=*.c"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
