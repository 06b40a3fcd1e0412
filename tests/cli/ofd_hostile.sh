#!/usr/bin/env bash
# tests/cli/ofd_hostile.sh - hostile OFD packages at the command line: each is refused
# with exit code 3 and a message naming the entry and the rule, never a crash; the
# signing command refuses them too and writes nothing. The packages are derived from
# tests/unit/ofd/data/plain3.ofd by cutting it or by rewriting entry names in place
# (same length, in the local and central headers). tests/unit/ofd/ofd_hostile_test.c
# covers the rest (zip bombs, DTDs and entities, depth, counts).
set -uo pipefail
: "${ESEAL:?path of the eseal binary}"
SRC=${ES_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
PLAIN=$SRC/tests/unit/ofd/data/plain3.ofd
[ -f "$PLAIN" ] || { echo "skip: $PLAIN missing"; exit 77; }
command -v perl >/dev/null || { echo "skip: perl missing"; exit 77; }
# shellcheck source=common.bash
source "$(dirname "$0")/common.bash"
rename() { # from to out  (same length)
  perl -0777 -pe "s{\Q$1\E}{$2}g" "$PLAIN" > "$3"
}

expect 0 "pki init" "$ESEAL" pki init "$T/pki" --pass test
expect 0 "seal make" "$ESEAL" seal make --maker-key "$T/pki/maker.key" --maker-cert "$T/pki/maker.pem" \
  --cert "$T/pki/owner.pem" --name "测试章" --valid-to +30 --pass test -o "$T/s.esl"
SIGN=(--seal "$T/s.esl" --key "$T/pki/owner.key" --cert "$T/pki/owner.pem" --pass test --page 1 --x 1 --y 1)

hostile() { # file description needle...
  local f=$1 what=$2; shift 2
  expect 3 "ofd verify: $what" "$ESEAL" ofd verify --no-chain "$f"
  for n in "$@"; do contains "$T/err" "$n" "$what"; done
  grep -q "Sanitizer\|Segmentation" "$T/err" && bad "$what: crashed"
  expect 3 "eseal verify: $what" "$ESEAL" verify --no-chain "$f"
  expect 3 "ofd sign: $what" "$ESEAL" ofd sign "$f" -o "$T/signed.ofd" "${SIGN[@]}"
  [ ! -e "$T/signed.ofd" ] && ok || bad "$what: signing left a file"
}

size=$(stat -c %s "$PLAIN")
head -c $((size / 2)) "$PLAIN" > "$T/half.ofd"
hostile "$T/half.ofd" "truncated package" "not a ZIP package"
head -c $((size - 8)) "$PLAIN" > "$T/cut.ofd"
hostile "$T/cut.ofd" "end of central directory cut"

rename "Doc_0/PublicRes.xml" "../../PublicRes.xml" "$T/dotdot.ofd"
hostile "$T/dotdot.ofd" "'..' in a name" "'../../PublicRes.xml'" "refused"
rename "Doc_0/PublicRes.xml" "/Doc_0/PublicRes.xm" "$T/abs.ofd"
hostile "$T/abs.ofd" "absolute name" "absolute path"
rename "Doc_0/PublicRes.xml" 'Doc_0\PublicRes.xml' "$T/bs.ofd"
hostile "$T/bs.ofd" "backslash in a name"  # libzip itself may refuse it first
rename "Doc_0/PublicRes.xml" "C:/_0/PublicRes.xml" "$T/drive.ofd"
hostile "$T/drive.ofd" "drive letter" "drive letter"
rename "Doc_0/Pages/Page_1/Content.xml" "Doc_0/Pages/Page_0/Content.xml" "$T/dup.ofd"
hostile "$T/dup.ofd" "duplicate names" "appears twice"

printf 'PK\003\004 not really a zip' > "$T/fake.ofd"
hostile "$T/fake.ofd" "a ZIP signature and nothing else"

echo "ofd_hostile: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
