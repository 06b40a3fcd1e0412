# tests/integration/pg.sh - a throwaway PostgreSQL cluster for one test run
# (dependencies.md §8): initdb and pg_ctl in a temporary directory, on a free
# loopback port, fsync off; run as the postgres user when we are root. Sourced.
PGDIR=
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 40000))
    (: </dev/tcp/127.0.0.1/$p) 2>/dev/null || { echo "$p"; return; }
  done
  echo 54329
}
# pg_start: sets PG_URL; exits 77 if the server binaries are absent.
pg_start() {
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
    echo "SKIP: no PostgreSQL server binaries"; exit 77
  fi
  PGDIR=$(mktemp -d /tmp/eseald-pg-XXXXXX)
  chmod 755 "$PGDIR"
  [ "$(id -u)" = 0 ] && chown postgres: "$PGDIR"
  as_pg "$PGBIN/initdb" -D "$PGDIR/data" -U seal --auth=trust -E UTF8 --locale=C.UTF-8 -N \
    >"$PGDIR/initdb.log" 2>&1 || { echo "FAIL: initdb"; cat "$PGDIR/initdb.log"; exit 1; }
  for _ in 1 2 3 4 5; do
    PGPORT=$(free_port)
    if as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/pg.log" -w -t 60 \
         -o "-c listen_addresses=127.0.0.1 -p $PGPORT -c unix_socket_directories=$PGDIR -c fsync=off" \
         start >/dev/null 2>&1; then
      PG_URL="postgresql://seal@127.0.0.1:$PGPORT/postgres"
      return 0
    fi
  done
  echo "FAIL: pg_ctl start"; cat "$PGDIR/pg.log"; exit 1
}
pg_stop() {
  if [ -n "$PGDIR" ]; then
    as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop >/dev/null 2>&1
    rm -rf "$PGDIR"
    PGDIR=
  fi
}
