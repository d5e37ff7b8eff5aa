#!/usr/bin/env bash
# `patchbay import` of a 1,000,000-patch database in upstream Patchwork
# v3.1's schema (issue #12: under 10 minutes), into SQLite and PostgreSQL.
#
# Usage (from anywhere; paths are relative to the repository root):
#   bash bench/import_1m_bench.sh --binary /tmp/pb-bench-build/patchbay
#   bash bench/import_1m_bench.sh --backends sqlite          # or postgres
#   bash bench/import_1m_bench.sh --keep-pg                   # leave the PostgreSQL
#        cluster running with the imported database (for bench/api_bench.sh --pg);
#        prints its URL and the command that stops it
#   bash bench/import_1m_bench.sh --fsync off                 # default on
#   bash bench/import_1m_bench.sh --pbdb PATH                 # patchbay's 1M database
#        (default: bench/gen_db_1m.sh's, built with --binary's schema version)
#   PB_BENCH_DATA=/big/disk bash bench/import_1m_bench.sh     # where databases go
#
# What it does:
#   1. bench/gen_db_1m.sh builds (or reuses) patchbay's 1M database.
#   2. bench/gen_upstream_db.py writes it out in upstream v3.1.3's schema (the
#      schema of ../shared/golden/upstream-db/golden-v3.1.3.sqlite3, or
#      --schema FILE): cached next to it as upstream-v3.1.3.sqlite3.
#   3. SQLite: `patchbay import --from sqlite:///… --database sqlite://<new file>`,
#      timed (/usr/bin/time: wall, user, sys, max RSS).
#   4. PostgreSQL: a throwaway cluster (initdb in the data directory, own
#      socket directory and port, no TCP; run as user postgres when root;
#      fsync on, shared_buffers=256MB, max_wal_size=4GB), an empty database,
#      then the same import, timed; the server's CPU time (postmaster and its
#      children, /proc) is reported too.
#   5. Checks, besides the importer's own row counts: each imported database
#      agrees with the patchbay database the upstream one was written from,
#      table by table (rows, sums of ids, dates and text lengths).
# Needs: sqlite3, python3, /usr/bin/time, PostgreSQL 15 server binaries.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

binary=build/patchbay
backends="sqlite postgres"
keep_pg=0
pbdb=""
fsync=on
schema="$repo/../shared/golden/upstream-db/golden-v3.1.3.sqlite3"
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=$2; shift 2 ;;
    --backends) backends=$2; shift 2 ;;
    --keep-pg) keep_pg=1; shift ;;
    --fsync) fsync=$2; shift 2 ;;
    --schema) schema=$2; shift 2 ;;
    --pbdb) pbdb=$(realpath "$2"); shift 2 ;;
    -h|--help) sed -n '2,/^set -e/{/^set -e/!p}' "$0"; exit 0 ;;
    *) echo "import_1m_bench: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -x "$binary" ] || { echo "import_1m_bench: no binary at $binary" >&2; exit 1; }
binary="$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")"
[ -f "$schema" ] || { echo "import_1m_bench: no upstream schema database at $schema" >&2; exit 1; }
data="${PB_BENCH_DATA:-$repo/build/bench-data}"
export PB_BENCH_DATA="$data"
timefmt="%e s wall, %U s user, %S s sys, %M KB max RSS"
load() { cut -d' ' -f1-3 /proc/loadavg; }

# ---- 1. patchbay's 1M database --------------------------------------------------
[ -n "$pbdb" ] || pbdb=$(bash bench/gen_db_1m.sh --binary "$binary" --print-path)
cache=$(dirname "$pbdb")
echo "== patchbay database: $pbdb ($(du -m "$pbdb" | cut -f1) MB)"

# ---- 2. the same rows in upstream's schema ------------------------------------------
up="$cache/upstream-v3.1.3-$(sha1sum bench/gen_upstream_db.py | cut -c1-8).sqlite3"
if [ ! -f "$up" ]; then
  rm -f "$cache"/upstream-v3.1.3-*.sqlite3
  echo "== writing $up (load $(load))"
  /usr/bin/time -f "$timefmt" python3 bench/gen_upstream_db.py --from "$pbdb" \
    --schema "$schema" --out "$up"
fi
echo "== upstream database: $up ($(du -m "$up" | cut -f1) MB)"
sqlite3 "file:$up?mode=ro" "SELECT 'upstream rows: ' || (SELECT count(*) FROM patchwork_patch) || ' patches, '
  || (SELECT count(*) FROM patchwork_event) || ' events, ' || (SELECT count(*) FROM patchwork_check) || ' checks, '
  || ((SELECT count(*) FROM patchwork_patchcomment) + (SELECT count(*) FROM patchwork_covercomment)) || ' comments'"

# Per table: rows, and sums over ids, dates and text lengths. The same SQL
# runs on SQLite and PostgreSQL (length() counts characters on both).
fingerprint_sql() {
  cat <<'SQL'
SELECT 'people', count(*), sum(id), sum(length(email)) + sum(coalesce(length(name), 0)) FROM people;
SELECT 'users', count(*), sum(id), sum(date_joined / 1000000) FROM users;
SELECT 'projects', count(*), sum(id), sum(length(listid)) FROM projects;
SELECT 'covers', count(*), sum(id), sum(date / 1000000) + sum(length(headers)) + sum(coalesce(length(content), 0)) FROM covers;
SELECT 'series', count(*), sum(id), sum(date / 1000000) + sum(received_total) + sum(coalesce(cover_letter_id, 0)) FROM series;
SELECT 'series_references', count(*), sum(id), sum(series_id) FROM series_references;
SELECT 'patches', count(*), sum(id), sum(date / 1000000) + sum(state_id) + sum(archived) + sum(coalesce(delegate_id, 0)) FROM patches;
SELECT 'patch text', count(*), sum(length(headers)), sum(coalesce(length(content), 0)) + sum(coalesce(length(diff), 0)) FROM patches;
SELECT 'patch_tags', count(*), sum(patch_id), sum(count) FROM patch_tags;
SELECT 'patch_comments', count(*), sum(id), sum(date / 1000000) + sum(length(headers)) + sum(coalesce(length(content), 0)) FROM patch_comments;
SELECT 'cover_comments', count(*), sum(id), sum(date / 1000000) + sum(coalesce(length(content), 0)) FROM cover_comments;
SELECT 'checks', count(*), sum(id), sum(date / 1000000) + sum(state) + sum(length(context)) FROM checks;
SELECT 'events', count(*), sum(id), sum(date / 1000000) + sum(coalesce(patch_id, 0)) + sum(coalesce(current_state_id, 0)) FROM events;
SELECT 'patch_relations', count(*), sum(id), 0 FROM patch_relations;
SELECT 'bundle_patches', count(*), sum(id), sum(position) FROM bundle_patches;
SQL
}
# Read while the imports run (the patch text sums read every page).
fingerprint_sql | sqlite3 -separator ' ' "file:$pbdb?mode=ro" > "$cache/fingerprint.expected" &
expected_pid=$!

results=()
check_fingerprint() {  # check_fingerprint NAME FILE
  if [ -n "$expected_pid" ]; then wait "$expected_pid"; expected_pid=""; fi
  if diff -u "$cache/fingerprint.expected" "$2" > "$2.diff"; then
    echo "   $1: every table agrees with the patchbay database (rows, id/date/length sums)"
  else
    echo "import_1m_bench: $1 differs from the patchbay database:" >&2; cat "$2.diff" >&2; exit 1
  fi
}

# ---- 3. SQLite --------------------------------------------------------------------------
if [[ " $backends " == *" sqlite "* ]]; then
  target="$cache/imported.db"
  rm -f "$target" "$target-wal" "$target-shm"
  echo "== sqlite: patchbay import into $target (load $(load), $(date -u +%H:%M:%S) UTC)"
  /usr/bin/time -f "$timefmt" -o "$cache/import-sqlite.time" \
    "$binary" import --from "sqlite://$up" --database "sqlite://$target"
  echo "   $(cat "$cache/import-sqlite.time"); load after $(load); $(du -m "$target" | cut -f1) MB"
  results+=("sqlite: $(cat "$cache/import-sqlite.time")")
  fingerprint_sql | sqlite3 -separator ' ' "file:$target?mode=ro" > "$cache/fingerprint.sqlite"
  check_fingerprint sqlite "$cache/fingerprint.sqlite"
fi

# ---- 4. PostgreSQL -------------------------------------------------------------------------
if [[ " $backends " == *" postgres "* ]]; then
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  pgdir="$data/pg"
  if [ -f "$pgdir/data/postmaster.pid" ]; then
    as_pg "$pg_bin/pg_ctl" -D "$pgdir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$pgdir"
  mkdir -p "$pgdir"
  chmod 755 "$pgdir"
  [ "$(id -u)" = 0 ] && chown postgres: "$pgdir"
  stop_pg() { as_pg "$pg_bin/pg_ctl" -D "$pgdir/data" -m fast -w stop >/dev/null 2>&1 || true; }
  [ "$keep_pg" = 1 ] || trap 'stop_pg; rm -rf "$pgdir"' EXIT
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  as_pg "$pg_bin/initdb" -D "$pgdir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  as_pg "$pg_bin/pg_ctl" -D "$pgdir/data" -w -l "$pgdir/server.log" \
    -o "-k $pgdir -p $port -c listen_addresses='' -c fsync=$fsync -c shared_buffers=256MB -c max_wal_size=4GB" \
    start >/dev/null
  admin="postgresql://postgres@/postgres?host=$pgdir&port=$port"
  "$pg_bin/psql" -qX "$admin" -c "CREATE DATABASE bench" >/dev/null
  url="postgresql://postgres@/bench?host=$pgdir&port=$port"
  postmaster=$(head -1 "$pgdir/data/postmaster.pid")
  # CPU of the server: the postmaster, its live children, and (cutime,
  # cstime) the children that have exited, in clock ticks.
  pg_cpu() {
    local total=0 p
    for p in $postmaster $(pgrep -P "$postmaster"); do
      [ -r "/proc/$p/stat" ] || continue
      total=$(( total + $(sed 's/^.*) //' "/proc/$p/stat" | awk '{print $12 + $13 + $14 + $15}') ))
    done
    echo "$total"
  }
  echo "== postgres $("$pg_bin/postgres" --version | awk '{print $3}'): fsync=$fsync, shared_buffers=256MB," \
       "max_wal_size=4GB; patchbay import into $url (load $(load), $(date -u +%H:%M:%S) UTC)"
  c0=$(pg_cpu)
  /usr/bin/time -f "$timefmt" -o "$cache/import-postgres.time" \
    "$binary" import --from "sqlite://$up" --database "$url"
  c1=$(pg_cpu)
  server_cpu=$(python3 -c "print('%.1f' % (($c1 - $c0) / $(getconf CLK_TCK)))")
  size=$("$pg_bin/psql" -qAtX "$url" -c "SELECT pg_size_pretty(pg_database_size('bench'))")
  echo "   $(cat "$cache/import-postgres.time"); server CPU ${server_cpu} s; load after $(load); $size"
  results+=("postgres (fsync=$fsync): $(cat "$cache/import-postgres.time"), server CPU $server_cpu s")
  fingerprint_sql | "$pg_bin/psql" -qAtX -F ' ' "$url" > "$cache/fingerprint.postgres"
  check_fingerprint postgres "$cache/fingerprint.postgres"
  if [ "$keep_pg" = 1 ]; then
    echo "== kept: $url"
    echo "   stop with: runuser -u postgres -- $pg_bin/pg_ctl -D $pgdir/data -m fast stop"
  fi
fi

echo
echo "== summary ($(nproc) cores, binary $(sha1sum < "$binary" | cut -c1-12), load now $(load))"
printf '   %s\n' "${results[@]}"
