#!/usr/bin/env bash
# scripts/run.sh BUILD_DIR - what `make run` starts: eseald, the seal
# management and verification platform, on an embedded SQLite database,
# seeded with a demo authority (a throwaway SM2 PKI), an organisation and one
# user per role. It prints the URL and the demo logins; Ctrl-C stops it
# gracefully. Data lives in $XDG_DATA_HOME/eseald (~/.local/share/eseald; or
# $ESEALD_DATA), outside the source tree; the port is 8440 (or
# $ESEALD_PORT; the next free one if taken). Without an eseald build it falls
# back to the guided `eseal demo`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case "$build" in /*) ;; *) build=$root/$build ;; esac
eseal=$build/cli/eseal
eseald=$build/server/eseald
if [ ! -x "$eseald" ]; then
  echo "eseald is not built in $build: running the guided demo instead" >&2
  exec "$eseal" demo
fi
data=${ESEALD_DATA:-${XDG_DATA_HOME:-$HOME/.local/share}/eseald}
mkdir -p "$data"
chmod 700 "$data"
# the demo authority: keys protected by a random passphrase kept beside them
if [ ! -s "$data/pki.pass" ]; then
  (umask 077; head -c 18 /dev/urandom | base64 > "$data/pki.pass")
fi
if [ ! -f "$data/pki/maker.pem" ]; then
  "$eseal" pki init "$data/pki" --pass "file:$data/pki.pass" >/dev/null
fi
port=${ESEALD_PORT:-8440}
for _ in $(seq 1 20); do
  (: </dev/tcp/127.0.0.1/"$port") 2>/dev/null || break
  port=$((port + 1))
done
rm -f "$data/port"
"$eseald" --listen "127.0.0.1:$port" --db "sqlite:$data/eseald.db" \
  --platform-key "$data/pki/maker.key" --platform-cert "$data/pki/maker.pem" \
  --pass "file:$data/pki.pass" \
  --ca-key "$data/pki/root-ca.key" --ca-cert "$data/pki/root-ca.pem" --ca-pass "file:$data/pki.pass" \
  --master-key "$data/master.key" --create-master-key \
  --seed-demo --demo-password demo --port-file "$data/port" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid; exit 0' INT TERM
for _ in $(seq 1 100); do
  [ -s "$data/port" ] && break
  kill -0 $pid 2>/dev/null || { wait $pid; exit 1; }
  sleep 0.1
done
url=http://127.0.0.1:$(cat "$data/port")/
cat <<EOT

  eseald is running: $url
  (data in $data; Ctrl-C stops it)

  Demo logins (password "demo" for all):
    admin      platform administrator      users and organisations
    reviewer   issuing department          approve applications, register, freeze, force-cancel
    maker      seal production unit       make approved seals
    orgadmin   organisation administrator 示例科技有限公司: apply, activate, suspend, grants
    user       authorised seal user       seal documents with a granted seal
    auditor    auditor (read-only)        audit log and usage log
    orgadmin2 / user2                     a second organisation (sees none of the first's seals)

  Public verification (no login): $url#verify
  API: ${url}api/v1/openapi.json

EOT
wait $pid
