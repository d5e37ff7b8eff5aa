#!/usr/bin/env bash
# Ingest rate into PostgreSQL (issue #12: linuxppc-dev-first5k with 2
# ingesters >= 3,000 mails/s). Starts a throwaway cluster of its own (as
# scripts/test.sh does: own directory, own socket, no TCP, fsync on, removed at
# the end), or uses --database URL of an existing empty database.
#
# For each run: a fresh database, `patchbay project create`, then the archive
# ingested by 1 `parsearchive`, and by 2 at once, each fed one half of it
# (mails split at message boundaries, alternately, so both halves hold
# patches and replies; --split halves: the first and the second half, each
# contiguous). Prints wall time and mails/s per run.
#
# Usage: bash bench/pg_ingest_bench.sh [--binary build/patchbay] [--runs 3]
#                                      [--mbox FILE | ../shared corpus]
#                                      [--split alternate|halves]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
binary="$repo/build/patchbay"
runs=3
mbox=""
split=alternate
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=$(realpath "$2"); shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --mbox) mbox=$(realpath "$2"); shift 2 ;;
    --split) split=$2; shift 2 ;;
    *) echo "pg_ingest_bench: unknown argument $1" >&2; exit 2 ;;
  esac
done

source "$repo/bench/pg_bench_lib.sh"
pg_bench_workdir patchbay-pgbench
pg_bench_archive
echo "pg_ingest_bench: $mails mails, 2 ingesters fed $split" >&2
pg_bench_start
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}'), fsync on, load $(cut -d' ' -f1-3 /proc/loadavg)"

ingest() {
  "$binary" parsearchive -q --database "$db" --list-id linuxppc-dev.lists.ozlabs.org "$1"
}

for run in $(seq "$runs"); do
  pg_bench_fresh_db
  t0=$(date +%s.%N); ingest "$mbox"; t1=$(date +%s.%N)
  rows=$("$pg_bin/psql" -qAtX "$db" -c "SELECT (SELECT COUNT(*) FROM patches) || ' patches, ' || (SELECT COUNT(*) FROM covers) || ' covers, ' || (SELECT COUNT(*) FROM patch_comments) + (SELECT COUNT(*) FROM cover_comments) || ' comments'")
  python3 -c "import sys; w=$t1-$t0; print('run %s, 1 ingester:  %.2f s wall, %d mails/s  (%s)' % ($run, w, $mails / w, sys.argv[1]))" "$rows"
  pg_bench_fresh_db
  t0=$(date +%s.%N); ingest "$work/half0.mbox" & a=$!; ingest "$work/half1.mbox" & b=$!
  wait $a; wait $b; t1=$(date +%s.%N)
  rows=$("$pg_bin/psql" -qAtX "$db" -c "SELECT (SELECT COUNT(*) FROM patches) || ' patches, ' || (SELECT COUNT(*) FROM covers) || ' covers, ' || (SELECT COUNT(*) FROM patch_comments) + (SELECT COUNT(*) FROM cover_comments) || ' comments'")
  python3 -c "import sys; w=$t1-$t0; print('run %s, 2 ingesters: %.2f s wall, %d mails/s  (%s)' % ($run, w, $mails / w, sys.argv[1]))" "$rows"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
