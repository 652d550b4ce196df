#!/usr/bin/env bash
# `npm run test:pg [-- <jest arguments>]`: runs the test suite against a throwaway PostgreSQL.
# initdb into a temporary directory, start it on a free loopback port, run jest with
# HOSO_TEST_DATABASE_URL pointing at it (each test gets its own schema, see
# tests/helpers/test-db.ts), then stop the server and delete the directory, whatever happened.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian keeps the server programs off PATH, under /usr/lib/postgresql/<version>/bin.
pg_bin() {
  if command -v initdb > /dev/null 2>&1; then dirname "$(readlink -f "$(command -v initdb)")"; return; fi
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -n 1)
  if [ -z "$found" ] || [ ! -x "$found/initdb" ]; then
    echo "test:pg: PostgreSQL server programs (initdb, pg_ctl) not found; install Debian's postgresql package" >&2
    exit 1
  fi
  echo "$found"
}
bin=$(pg_bin)

dir=$(mktemp -d "${TMPDIR:-/tmp}/hoso-pg-XXXXXX")
# initdb refuses to run as root: as root, the cluster belongs to the postgres system user.
as_owner() { "$@"; }
if [ "$(id -u)" = 0 ]; then
  chown postgres: "$dir"
  as_owner() { runuser -u postgres -- "$@"; }
fi

port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
cleanup() {
  as_owner "$bin/pg_ctl" stop -D "$dir/data" -m immediate > /dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

started=$(date +%s)
# C.UTF-8: text sorts by code point, as on SQLite. Durability is pointless for a throwaway cluster.
as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 > "$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
as_owner "$bin/pg_ctl" start -D "$dir/data" -w -l "$dir/server.log" \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  > /dev/null || { cat "$dir/server.log" >&2; exit 1; }
as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres hoso_test
echo "test:pg: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, ready in $(( $(date +%s) - started )) s"

export HOSO_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/hoso_test"
npx jest "$@"
