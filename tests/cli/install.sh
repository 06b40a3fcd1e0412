#!/usr/bin/env bash
# `cmake --install` puts the library, headers, pkg-config file and CMake
# package in place; a program builds against them; only es_* symbols are
# exported by the shared library.
set -uo pipefail
: "${ESEAL:?}"
build=$(cd "$(dirname "$ESEAL")/.." && pwd)
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fails=0; passes=0
check() { if eval "$2"; then passes=$((passes+1)); else echo "FAIL: $1" >&2; fails=$((fails+1)); fi; }
cmake --install "$build" --prefix "$T/p" >"$T/log" 2>&1
check "cmake --install" '[ $? -eq 0 ]'
lib=$(ls "$T"/p/lib*/libeseal.so* 2>/dev/null | head -n1)
check "libeseal.so installed" '[ -n "$lib" ]'
check "headers installed" '[ -f "$T/p/include/eseal/eseal.h" ]'
pc=$(ls "$T"/p/lib*/pkgconfig/eseal.pc 2>/dev/null | head -n1)
check "pkg-config file" '[ -n "$pc" ]'
check "CMake package" 'ls "$T"/p/lib*/cmake/eseal/esealConfig.cmake >/dev/null 2>&1'
cat > "$T/t.c" <<'C'
#include <eseal/eseal.h>
#include <stdio.h>
int main(void)
{
    unsigned char h[32];
    es_sm3("abc", 3, h);
    printf("%s %02x\n", es_version(), h[0]);
    return h[0] == 0x66 ? 0 : 1;
}
C
export PKG_CONFIG_PATH=$(dirname "$pc")
san=""
# a sanitizer build of the library needs the sanitizer runtime in the program too
case "$(nm -D "$lib")" in *__asan_init*) san="-fsanitize=address,undefined" ;; esac
cc -std=c17 -Wall -Werror $san "$T/t.c" -o "$T/t" $(pkg-config --cflags --libs eseal) \
  -Wl,-rpath,"$(dirname "$lib")" 2>"$T/cc.log"
check "a program compiles against the installed library" '[ $? -eq 0 ]'
check "and runs" '"$T/t" >/dev/null'
leaked=$(nm -D --defined-only "$lib" | awk '{print $3}' | grep -vE '^(es_|_init$|_fini$|_edata$|_end$|__bss_start$)' | head)
check "only es_* symbols exported (found: $leaked)" '[ -z "$leaked" ]'
echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
