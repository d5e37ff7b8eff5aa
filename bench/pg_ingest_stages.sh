#!/usr/bin/env bash
# Where the wall time of a PostgreSQL ingest goes, per batch of
# `parsearchive` (issue #12: two ingesters should not be slower than one):
# reading and parsing the batch, gathering its look-ups, waiting for the
# write lock (pg_advisory_xact_lock), holding it (storing and committing),
# and the time between its commit and the next batch ("statistics": the
# ANALYZE that parsearchive ran there until performance.md §9y, now about
# nothing). The stages come from the
# client's own notes (PATCHBAY_EVENT_TRACE, "batch" lines: src/cli/ingest.cc).
#
# For each run: a fresh database, 1 ingester fed the archive, then 2 fed its
# halves (alternate mails, or --split halves). Prints, per ingester, the sum
# of each stage, and how long the lock was held by anyone against the wall.
#
# Usage: bash bench/pg_ingest_stages.sh [--binary build/patchbay] [--runs 1]
#                                       [--mbox FILE] [--split alternate|halves]
#                                       [--only 1|2] [--batches]
# --batches: also list every batch in the order it took the lock.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
binary="$repo/build/patchbay"
runs=1
mbox=""
split=alternate
only=""
batches=0
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=$(realpath "$2"); shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --mbox) mbox=$(realpath "$2"); shift 2 ;;
    --split) split=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --batches) batches=1; shift ;;
    *) echo "pg_ingest_stages: unknown argument $1" >&2; exit 2 ;;
  esac
done
source "$repo/bench/pg_bench_lib.sh"
pg_bench_workdir patchbay-pgstages
pg_bench_archive
pg_bench_start
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}'), $mails mails, 2 ingesters fed $split, $(basename "$binary"), load $(cut -d' ' -f1-3 /proc/loadavg)"
ingest() {
  PATCHBAY_EVENT_TRACE="$work/trace" "$binary" parsearchive -q --database "$db" \
    --list-id linuxppc-dev.lists.ozlabs.org "$1"
}
summary() {
  python3 - "$work/trace" "$1" "$2" "$3" "$mails" "$batches" <<'PY'
import sys
from collections import defaultdict
path, label, t0, t1, mails = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
by_pid = defaultdict(list)
for line in open(path):
    f = line.split()
    if f[0] == "batch":
        by_pid[f[1]].append([int(x) for x in f[2:]])
wall = (t1 - t0) / 1e9
print("%s: %.2f s wall, %d mails/s, load %s" % (label, wall, mails / wall, open("/proc/loadavg").read().split()[0]))
held = []
if sys.argv[6] == "1":
    rows = sorted((b[3], pid, b) for pid, bs in by_pid.items() for b in bs)
    for _, pid, (n, read, locking, locked, committed, done) in rows:
        print("    %s %4d mails: read at %6.0f ms, waited %4.0f, held %4.0f, statistics %3.0f"
              % (pid, n, (read - t0) / 1e6, (locked - locking) / 1e6, (committed - locked) / 1e6, (done - committed) / 1e6))
for pid, batches in sorted(by_pid.items(), key=lambda kv: kv[1][0][1]):
    tot = defaultdict(float)
    prev = t0
    for n, read, locking, locked, committed, done in batches:
        tot["read"] += read - prev
        tot["gather"] += locking - read
        tot["wait"] += locked - locking
        tot["hold"] += committed - locked
        tot["stats"] += done - committed
        held.append((locked, committed))
        prev = done
    tot["after"] = t1 - prev
    print("  ingester %s: %d batches; ms read %.0f, gather %.0f, wait for lock %.0f, hold %.0f, statistics %.0f, exit %.0f"
          % (pid, len(batches), *(tot[k] / 1e6 for k in ("read", "gather", "wait", "hold", "stats", "after"))))
held.sort()
busy, end = 0, t0
for a, b in held:
    a = max(a, end)
    if b > a:
        busy += b - a
        end = b
print("  lock held %.0f ms of %.0f ms wall (%.0f %%)" % (busy / 1e6, wall * 1e3, 100 * busy / 1e9 / wall))
PY
}
for run in $(seq "$runs"); do
  if [ "$only" != 2 ]; then
    pg_bench_fresh_db; : > "$work/trace"
    t0=$(date +%s%N); ingest "$mbox"; t1=$(date +%s%N)
    summary "run $run, 1 ingester" "$t0" "$t1"
  fi
  if [ "$only" != 1 ]; then
    pg_bench_fresh_db; : > "$work/trace"
    t0=$(date +%s%N); ingest "$work/half0.mbox" & a=$!; ingest "$work/half1.mbox" & b=$!
    wait $a; wait $b; t1=$(date +%s%N)
    summary "run $run, 2 ingesters" "$t0" "$t1"
  fi
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
