#!/usr/bin/env bash
# One binary, several databases in turn: bench/api_bench.sh on each database
# given, in the order given, and that sequence again --rounds times; prints
# each run's table rows under a line with the database, the time and the
# load. For comparing two layouts of the same rows (docs/performance.md §9w:
# the 1M PostgreSQL database imported before and after migration 23), with
# SQLite's file as a reference at either end.
#
# Usage:
#   bash bench/api_db_alternate.sh --binary B --only detail,events-last [--rounds 2] \
#        [--port 18977] DB1 DB2 ...
#   (a database is a SQLite file or a postgresql:// URL, as for api_bench.sh;
#   every run is `--duration 5s --serve-args --no-response-cache`)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
binary=build/patchbay
only=""
rounds=1
port=18977
dbs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    -*) echo "api_db_alternate: unknown argument $1" >&2; exit 2 ;;
    *) dbs+=("$1"); shift ;;
  esac
done
[ ${#dbs[@]} -gt 0 ] && [ -n "$only" ] || { echo "usage: api_db_alternate.sh --binary B --only ROWS DB..." >&2; exit 2; }
for _ in $(seq "$rounds"); do
  for db in "${dbs[@]}"; do
    echo "=== $db $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
    bash "$repo/bench/api_bench.sh" --binary "$binary" --duration 5s --port "$port" --db "$db" \
      --only "$only" --serve-args --no-response-cache 2>&1 | grep '^| [a-z]' | grep -v '^| run ' || true
  done
done
echo "=== end $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
