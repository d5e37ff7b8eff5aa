#!/usr/bin/env bash
# The server's instructions for an ingest into PostgreSQL, counted by
# callgrind: on this shared 2-core VM the server's CPU time moves by a third
# between identical runs with the load (docs/performance.md §9m), an
# instruction count does not. A throwaway cluster as in pg_ingest_profile.sh
# (fsync on, shared_buffers 256MB; autovacuum off, so no worker's work lands
# in the count), its postmaster run under `valgrind --tool=callgrind` (each
# backend writes its own count when it exits); `patchbay project create`,
# then the first --mails mails of linuxppc-dev-first5k ingested by one
# `parsearchive -q` (or by two at once, each fed alternate mails, with
# --ingesters 2). Prints the instructions (Ir) of the ingest's backends
# (the largest counts written during the ingest, one per ingester) and of
# all processes that ended during it, and the stored counts.
#
# Usage: bash bench/pg_ingest_callgrind.sh [--binary build/patchbay] [--mails 1000] [--mbox FILE]
#                                          [--ingesters 1|2] [--first 0|1] [--keep FILE]
#                                          [--sql FILE] [--split alternate|halves]
# With 2 ingesters the count depends on which takes the write lock first
# (the other's mails then find more parents, or fewer): half --first (0,
# the archive's odd mails, by default) starts alone and the other once it
# holds the lock, so a run repeats.
# --keep: copy the ingest backend's callgrind output there (for
# callgrind_annotate --inclusive=yes FILE).
# --split halves: the two ingesters fed the first and the second half of
# the mails, each contiguous, instead of alternate mails.
# --sql: run this SQL file on the migrated database before the ingest (a
# schema or storage change counted before it is made a migration).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
binary="$repo/build/patchbay"
limit=1000
mbox=""
keep=""
ingesters=1
first=0
sql=""
split=alternate
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=$(realpath "$2"); shift 2 ;;
    --mails) limit=$2; shift 2 ;;
    --mbox) mbox=$(realpath "$2"); shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    --ingesters) ingesters=$2; shift 2 ;;
    --first) first=$2; shift 2 ;;
    --sql) sql=$(realpath "$2"); shift 2 ;;
    --split) split=$2; shift 2 ;;
    *) echo "pg_ingest_callgrind: unknown argument $1" >&2; exit 2 ;;
  esac
done
source "$repo/bench/pg_bench_lib.sh"
pg_bench_workdir patchbay-pgcg
pg_bench_archive
pg_bench_first_mails
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
as_pg "$pg_bin/initdb" -D "$work/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
pg_bench_start_callgrind "$work/server.log"
db="postgresql://postgres@/bench?host=$work&port=$port"
psql() { "$pg_bin/psql" -qAtX "$@"; }
psql "$admin" -c "CREATE DATABASE bench"
"$binary" project create --database "$db" --linkname linuxppc-dev --name linuxppc-dev \
  --listid linuxppc-dev.lists.ozlabs.org --listemail linuxppc-dev@lists.ozlabs.org >/dev/null
[ -z "$sql" ] || psql "$db" -v ON_ERROR_STOP=1 -f "$sql" >/dev/null
sleep 1
ls "$work/cg" | sort > "$work/before.txt"
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') under callgrind, $limit mails, $ingesters ingester(s)$([ "$ingesters" = 2 ] && echo ", half $first first, $split"), load before $(cut -d' ' -f1-3 /proc/loadavg)"
ingest() { "$binary" parsearchive -q --database "$db" --list-id linuxppc-dev.lists.ozlabs.org "$1"; }
if [ "$ingesters" = 1 ]; then
  ingest "$work/first.mbox"
else
  ingest "$work/first.mbox$first" & a=$!
  until [ "$(psql "$admin" -c "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 7050726 AND granted")" -gt 0 ]; do
    sleep 0.1
  done
  ingest "$work/first.mbox$((1 - first))" & b=$!
  wait $a; wait $b
fi
sleep 2
ls "$work/cg" | sort > "$work/after.txt"
total=0
counts=$(for f in $(comm -13 "$work/before.txt" "$work/after.txt"); do
  echo "$(awk '/^(summary|totals):/ {print $2; exit}' "$work/cg/$f") $f"
done | sort -rn)
total=$(echo "$counts" | awk '{s += $1} END {print s}')
ingest_ir=$(echo "$counts" | head -"$ingesters" | awk '{s += $1} END {print s}')
[ -z "$keep" ] || cp "$work/cg/$(echo "$counts" | head -1 | cut -d' ' -f2)" "$keep"
echo "ingest backend(s): $ingest_ir Ir ($((ingest_ir / limit)) per mail); all processes ended during the ingest: $total Ir"
psql "$db" -c "SELECT (SELECT COUNT(*) FROM patches) || ' patches, ' || (SELECT COUNT(*) FROM covers) || ' covers, ' || (SELECT COUNT(*) FROM patch_comments) + (SELECT COUNT(*) FROM cover_comments) || ' comments, ' || (SELECT COUNT(*) FROM events) || ' events'"
echo "load after $(cut -d' ' -f1-3 /proc/loadavg)"
# Stopped here, not by the exit trap's immediate stop: processes under
# valgrind still write their counts while they exit, and the directory
# must be empty of them before it is removed.
as_pg "$pg_bin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null 2>&1 || true
sleep 1
