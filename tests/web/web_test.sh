#!/usr/bin/env bash
# The web page end to end in Debian's headless Chromium, driven by
# playwright-core (npm; no browser download): a life cycle through the pages
# and the verification of a sealed document. Skipped (77) when chromium or
# node is missing, or playwright-core cannot be installed.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../integration/lib.sh"
need curl node npm
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || { echo "SKIP: no $CHROMIUM (apt-get install chromium)"; exit 77; }
export CHROMIUM
if [ ! -f "$here/node_modules/playwright-core/package.json" ]; then
  # install into tests/web/node_modules (git-ignored); PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: use Debian's
  if ! (cd "$here" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund >"$T/npm.log" 2>&1); then
    echo "SKIP: npm ci failed"; tail -n 20 "$T/npm.log"; exit 77
  fi
fi
make_pki
start_eseald "sqlite:$T/web.db"
if node "$here/web_test.mjs" "$URL"; then PASSES=$((PASSES + 1)); else FAILS=$((FAILS + 1)); fi
stop_eseald
finish
