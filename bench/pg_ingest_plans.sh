#!/usr/bin/env bash
# The plans an ingest into PostgreSQL actually runs, every execution of
# every statement (auto_explain with ANALYZE, timing off, nested statements
# too), summed per statement: which plans it ran (node types, relations and
# indexes, costs and counts left out), how often, and the most rows one
# execution's scans read (rows returned plus rows removed by a filter or an
# index recheck, times loops). A statement whose executions read many rows
# for a few mails is a plan that scans a table or a project, however fast it
# is while the tables are small (docs/performance.md §9g, §9r, §9v).
#
# A throwaway cluster as in pg_ingest_profile.sh (fsync on, shared_buffers
# 256MB, autovacuum off so that only the ingest's own ANALYZEs make
# statistics), `patchbay project create`, then the first --mails mails of
# linuxppc-dev-first5k ingested by one `parsearchive -q` (or two at once with
# --ingesters 2, fed alternate mails or --split halves).
#
# Usage: bash bench/pg_ingest_plans.sh [--binary build/patchbay] [--mails 5000] [--mbox FILE]
#                                      [--ingesters 1|2] [--split alternate|halves]
#                                      [--rows 100] [--out DIR] [--api]
# Prints the statements with a plan whose execution read more than --rows
# rows, or that scans a table sequentially or an index without a condition;
# OUT/plans.txt has every statement's plans, OUT/auto_explain.log the log.
# --api: then `patchbay serve` on the database as the import left it (no
# autovacuum: the statistics are those the import made, or none), a fixed
# set of API and web requests, each once, and their plans summed the same
# way (OUT/api-plans.txt): what the first requests after an import run.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
binary="$repo/build/patchbay"
limit=5000
mbox=""
ingesters=1
split=alternate
rows=100
out=""
api=0
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=$(realpath "$2"); shift 2 ;;
    --mails) limit=$2; shift 2 ;;
    --mbox) mbox=$(realpath "$2"); shift 2 ;;
    --ingesters) ingesters=$2; shift 2 ;;
    --split) split=$2; shift 2 ;;
    --rows) rows=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --api) api=1; shift ;;
    *) echo "pg_ingest_plans: unknown argument $1" >&2; exit 2 ;;
  esac
done
source "$repo/bench/pg_bench_lib.sh"
pg_bench_workdir patchbay-pgplans
[ -n "$out" ] || out=$work/out
mkdir -p "$out"
out=$(realpath "$out")
pg_bench_archive
pg_bench_first_mails
pg_bench_start -c autovacuum=off -c shared_preload_libraries=auto_explain \
  -c logging_collector=off -c log_min_messages=warning
db="postgresql://postgres@/bench?host=$work&port=$port"
psql() { "$pg_bin/psql" -qAtX "$@"; }
psql "$admin" -c "CREATE DATABASE bench"
"$binary" project create --database "$db" --linkname linuxppc-dev --name linuxppc-dev \
  --listid linuxppc-dev.lists.ozlabs.org --listemail linuxppc-dev@lists.ozlabs.org >/dev/null
# Only the ingest's sessions (they connect after this) log their plans.
psql "$db" -c "ALTER DATABASE bench SET auto_explain.log_min_duration = 0" \
  -c "ALTER DATABASE bench SET auto_explain.log_analyze = on" \
  -c "ALTER DATABASE bench SET auto_explain.log_timing = off" \
  -c "ALTER DATABASE bench SET auto_explain.log_nested_statements = on" \
  -c "ALTER DATABASE bench SET auto_explain.log_format = json"
start=$(wc -c < "$work/server.log")
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') with auto_explain, $limit mails, $ingesters ingester(s)$([ "$ingesters" = 2 ] && echo ", $split"), load $(cut -d' ' -f1-3 /proc/loadavg)"
ingest() { "$binary" parsearchive -q --database "$db" --list-id linuxppc-dev.lists.ozlabs.org "$1"; }
if [ "$ingesters" = 1 ]; then
  ingest "$work/first.mbox"
else
  ingest "$work/first.mbox0" & a=$!
  ingest "$work/first.mbox1" & b=$!
  wait $a; wait $b
fi
tail -c +"$((start + 1))" "$work/server.log" > "$out/auto_explain.log"
if [ "$api" = 1 ]; then
  source "$repo/bench/api_lib.sh"
  start=$(wc -c < "$work/server.log")
  apiport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  api_start_server "$binary" "$db" "$apiport" "$work/serve.log"
  export PGOPTIONS="-c auto_explain.log_min_duration=-1"  # the server's plans, not this script's
  x=$(psql "$db" -c "SELECT id FROM projects WHERE linkname = 'linuxppc-dev'")
  read -r p1 p2 p3 <<<"$(psql "$db" -c "SELECT MIN(id), (MIN(id) + MAX(id)) / 2, MAX(id) FROM patches" | tr '|' ' ')"
  c1=$(psql "$db" -c "SELECT MIN(cover_id) FROM cover_comments")
  s1=$(psql "$db" -c "SELECT id FROM series ORDER BY received_total DESC, id LIMIT 1")
  who=$(psql "$db" -c "SELECT submitter_id FROM patches GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1")
  paths=("/api/patches/?project=$x" "/api/patches/?project=$x&state=new&order=-date"
         "/api/patches/?project=$x&state=new&order=-date&page=20" "/api/patches/?project=$x&submitter=$who"
         "/api/patches/?project=$x&q=powerpc" "/api/patches/$p1/" "/api/patches/$p2/" "/api/patches/$p3/"
         "/api/patches/$p2/comments/" "/api/covers/?project=$x" "/api/covers/$c1/" "/api/covers/$c1/comments/"
         "/api/series/?project=$x" "/api/series/$s1/" "/api/events/?project=$x" "/api/events/?project=$x&page=50"
         "/api/people/?q=ben" "/project/linuxppc-dev/list/" "/patch/$p2/")
  for path in "${paths[@]}"; do
    printf '%s %s\n' "$(curl -s -o /dev/null -w '%{http_code}' "$base$path")" "$path"
  done > "$out/api-requests.txt"
  api_stop_server
  unset PGOPTIONS
  tail -c +"$((start + 1))" "$work/server.log" > "$out/api-auto_explain.log"
  echo "API requests (status path): $(tr '\n' ' ' < "$out/api-requests.txt")"
fi
psql "$db" -c "ALTER DATABASE bench RESET ALL"
psql "$db" -c "SELECT (SELECT COUNT(*) FROM patches) || ' patches, ' || (SELECT COUNT(*) FROM covers) || ' covers, ' || (SELECT COUNT(*) FROM patch_comments) + (SELECT COUNT(*) FROM cover_comments) || ' comments'"
python3 "$repo/bench/pg_plans_summary.py" "$out/auto_explain.log" "$out/plans.txt" "$rows"
if [ "$api" = 1 ]; then
  echo "the API's requests:"
  python3 "$repo/bench/pg_plans_summary.py" "$out/api-auto_explain.log" "$out/api-plans.txt" "$rows"
fi
echo "plans in $out/plans.txt"
