#!/usr/bin/env bash
# Second command of the README: install what is missing, build everything,
# run every test (unit + integration) on SQLite and again on PostgreSQL, and
# print one pass/fail summary over both runs.
#
# The PostgreSQL run uses a throwaway cluster this script owns: initdb into a
# temporary directory (as the `postgres` user when run as root), listening
# only on its own Unix socket and port, removed at the end, also on failure.
# Tests get their own database each (PATCHBAY_TEST_DATABASE is the cluster's
# maintenance database; tests/test_util.h and tests/integration/testdb.py
# create and drop theirs). PATCHBAY_TEST_BACKENDS="sqlite" or "postgres"
# runs one backend only.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh || exit 1
bash scripts/build.sh || exit 1
cd build

backends=${PATCHBAY_TEST_BACKENDS:-"sqlite postgres"}
pg_dir=""

stop_cluster() {
  [ -n "$pg_dir" ] || return 0
  if [ -f "$pg_dir/data/postmaster.pid" ]; then
    as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate -w stop >/dev/null 2>&1
  fi
  rm -rf "$pg_dir"
  pg_dir=""
}
trap stop_cluster EXIT
trap 'exit 130' INT TERM

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_cluster() {
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$pg_bin" ]; then
    echo "test.sh: PostgreSQL server binaries not found" >&2
    return 1
  fi
  pg_dir=$(mktemp -d /tmp/patchbay-pg-XXXXXX)
  [ "$(id -u)" = 0 ] && chown postgres: "$pg_dir"
  pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  as_pg "$pg_bin/initdb" -D "$pg_dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
    --no-sync >"$pg_dir/initdb.log" 2>&1 || { cat "$pg_dir/initdb.log" >&2; return 1; }
  # Throwaway data: no fsync. Enough connections for parallel tests that
  # each start servers with a few threads.
  as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -w -l "$pg_dir/server.log" \
    -o "-k $pg_dir -p $pg_port -c listen_addresses='' -c fsync=off -c synchronous_commit=off \
        -c full_page_writes=off -c max_connections=300 -c shared_buffers=64MB" start >/dev/null ||
    { cat "$pg_dir/server.log" >&2; return 1; }
  export PATCHBAY_TEST_DATABASE="postgresql://postgres@/postgres?host=$pg_dir&port=$pg_port"
  # Every test copies this migrated database instead of migrating its own.
  "$pg_bin/psql" -qX "$PATCHBAY_TEST_DATABASE" -c "CREATE DATABASE patchbay_template" >/dev/null &&
    ./patchbay migrate --database "postgresql://postgres@/patchbay_template?host=$pg_dir&port=$pg_port" \
      >/dev/null || return 1
  export PATCHBAY_TEST_TEMPLATE=patchbay_template
  echo "test.sh: PostgreSQL cluster in $pg_dir, port $pg_port"
}

status=0
logs=()
for backend in $backends; do
  log="ctest-$backend.log"
  logs+=("$log")
  if [ "$backend" = postgres ]; then
    start_cluster || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }
    # Tests that never open a database (parser, mail, core, fuzzing) ran
    # in the SQLite pass; running them again would prove nothing.
    extra=(-LE nodb)
  else
    unset PATCHBAY_TEST_DATABASE PATCHBAY_TEST_TEMPLATE
    extra=()
  fi
  echo "=== test suite on $backend ==="
  ctest --output-on-failure -j"$(nproc)" --timeout 600 "${extra[@]}" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  [ "$rc" = 0 ] || status=$rc
  [ "$backend" = postgres ] && stop_cluster
done

results='^ *[0-9]+/[0-9]+ Test +#[0-9]+: '
passed=$(cat "${logs[@]}" | grep -cE "${results}.* Passed" || true)
skipped=$(cat "${logs[@]}" | grep -cE "${results}.*\*\*\*Skipped" || true)
failed=$(cat "${logs[@]}" | grep -E "${results}" | grep -vE ' Passed|\*\*\*Skipped' | grep -cE 'Failed|Timeout|Exception|Not Run' || true)
cat "${logs[@]}" > ctest.log
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"
