#!/usr/bin/env bash
# A long-lived PostgreSQL cluster for development: the tests, benchmarks and
# scripts/sanitize.sh run on it when PATCHBAY_TEST_DATABASE names it.
# scripts/test.sh does not use it (CI makes a throwaway cluster of its own).
# Starts the cluster if it is not running (creating it on first use) and
# prints the variables to export:
#   eval "$(bash scripts/devpg.sh)"            # cluster in build/devpg, port 54329
#   PB_DEVPG_DIR=/srv/pg PB_DEVPG_PORT=5440 bash scripts/devpg.sh
#   bash scripts/devpg.sh stop
# The template database the tests copy is migrated with build/patchbay (or
# PB_DEVPG_BINARY) each time the script runs, so a schema change reaches it.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
dir=${PB_DEVPG_DIR:-$repo/build/devpg}
port=${PB_DEVPG_PORT:-54329}
binary=${PB_DEVPG_BINARY:-$repo/build/patchbay}
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$pg_bin" ] || { echo "devpg.sh: PostgreSQL server binaries not found (bash scripts/install-deps.sh)" >&2; exit 1; }

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ "${1:-}" = stop ]; then
  as_pg "$pg_bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2
  exit 0
fi

if [ ! -f "$dir/data/PG_VERSION" ]; then
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  as_pg "$pg_bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
    --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
fi
if ! as_pg "$pg_bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
  # Development data: no fsync; enough connections for parallel tests.
  as_pg "$pg_bin/pg_ctl" -D "$dir/data" -w -l "$dir/server.log" \
    -o "-k $dir -p $port -c listen_addresses='' -c fsync=off -c synchronous_commit=off \
        -c full_page_writes=off -c max_connections=300 -c shared_buffers=256MB" start >&2 ||
    { cat "$dir/server.log" >&2; exit 1; }
fi
url="postgresql://postgres@/postgres?host=$dir&port=$port"
template=patchbay_template
if [ -x "$binary" ]; then
  "$pg_bin/psql" -qX "$url" -c "DROP DATABASE IF EXISTS $template" -c "CREATE DATABASE $template" >/dev/null
  "$binary" migrate --database "postgresql://postgres@/$template?host=$dir&port=$port" >/dev/null
  echo "export PATCHBAY_TEST_TEMPLATE=$template"
else
  echo "devpg.sh: $binary not built; the tests will migrate their own databases" >&2
fi
echo "export PATCHBAY_TEST_DATABASE='$url'"
