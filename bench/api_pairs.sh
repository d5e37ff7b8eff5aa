#!/bin/bash
# SQLite and PostgreSQL at the same moment, row by row (docs/performance.md §9n): for each
# row of bench/api_bench.sh, one run on SQLite with NEW, then PostgreSQL with NEW, then
# PostgreSQL with BASE, right after each other, so that the ratio is of one moment of a
# shared machine. Prints req/s, p99, CPU per request and the load per run.
#
#   bash bench/api_pairs.sh NEW BASE SQLITE_DB PG_URL [ROWS] [serve args]
#
# ROWS: comma-separated names of api_bench.sh (default: all nine). Serve args default to
# --no-response-cache (the rendering path); PB_PAIRS_DURATION (4s), PB_PAIRS_PORT (18550).
set -euo pipefail
new=$1 base=$2 sq=$3 pg=$4
rows=${5:-detail,list-new-p1,list-new-mid,list-new-last,list-new-last-pp100,events-p1,events-last,series-30,covers-last}
shift $(( $# < 5 ? $# : 5 ))
serve_args=${*:---no-response-cache}
cd "$(dirname "$0")/.."
for row in ${rows//,/ }; do
  for which in "sqlite $new $sq" "pg-new $new $pg" "pg-base $base $pg"; do
    set -- $which
    bash bench/api_bench.sh --binary "$2" --duration "${PB_PAIRS_DURATION:-4s}" --db "$3" \
      --port "${PB_PAIRS_PORT:-18550}" --only "$row" --serve-args "$serve_args" 2>&1 |
      grep -E '^\| [a-z]' | sed "s/^/$1 /" | cut -d'|' -f1,2,5,7,10,12 || true
  done
done
