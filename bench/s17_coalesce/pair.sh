#!/usr/bin/env bash
# §9x: base and a build alternated on one api_bench.sh row set, ROUNDS times.
#   bash bench/s17_coalesce/pair.sh LOG ROUNDS DB ROWS [more api_bench.sh args]
# BASE and NEW (environment) name the two binaries (default: the session's).
log=$1; rounds=$2; db=$3; only=$4; shift 4
cd "$(dirname "$0")/../.."
for i in $(seq $rounds); do
  for b in "${BASE:-/tmp/pb-base-s17}" "${NEW:-/tmp/pb-s17-coalesce-2}"; do
    echo "== $b round $i $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" >> $log
    bash bench/api_bench.sh --binary $b --duration 5s --port 18391 --db "$db" --only "$only" "$@" --serve-args --no-response-cache 2>&1 | grep -E "^\| [a-z]|patch details" >> $log
  done
done
echo "== done $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" >> $log
