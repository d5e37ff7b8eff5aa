#!/usr/bin/env bash
# Two binaries alternated on one database, ROUNDS times each, for rows of
# bench/api_bench.sh (docs/performance.md §9x): on a shared machine only runs
# next to each other compare. Appends each run's table rows, with the time
# and load, to LOG.
#   bash bench/api_binary_alternate.sh BASE NEW LOG ROUNDS DB ROWS [more api_bench.sh args]
# ROWS: an api_bench.sh --only value (e.g. detail). Port: PB_ALTERNATE_PORT (18391).
set -euo pipefail
base=$1 new=$2 log=$3 rounds=$4 db=$5 only=$6
shift 6
cd "$(dirname "$0")/.."
for i in $(seq "$rounds"); do
  for b in "$base" "$new"; do
    echo "== $b round $i $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$log"
    bash bench/api_bench.sh --binary "$b" --duration 5s --port "${PB_ALTERNATE_PORT:-18391}" --db "$db" \
      --only "$only" "$@" --serve-args --no-response-cache 2>&1 | grep -E "^\| [a-z]|patch details" >> "$log" || true
  done
done
echo "== done $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$log"
