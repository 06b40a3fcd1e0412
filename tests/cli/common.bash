# tests/cli/common.bash - sourced by the command-line tests (tests/cli/*.sh):
# a scratch directory removed on exit, pass/fail counters, and the two checks
# they all use. Not a test itself (CTest runs *.sh only).
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fails=0; passes=0
ok()   { passes=$((passes+1)); }
bad()  { echo "FAIL: $*" >&2; fails=$((fails+1)); }
# expect EXIT DESCRIPTION COMMAND...: runs it (a program at most 120 s: a
# hang is a failure, not a stuck suite; a shell function as it is) and
# checks its exit status; out/err in $T
expect() {
  local want=$1 what=$2; shift 2
  local limit=(timeout 120)
  declare -F "$1" >/dev/null && limit=()
  "${limit[@]}" "$@" >"$T/out" 2>"$T/err"; local got=$?
  if [ "$got" -eq "$want" ]; then ok; else bad "$what: exit $got, expected $want"; cat "$T/out" "$T/err" >&2; fi
}
# contains FILE NEEDLE DESCRIPTION
contains() {
  if grep -q -- "$2" "$1"; then ok; else bad "$3: '$2' not found"; cat "$1" >&2; fi
}
