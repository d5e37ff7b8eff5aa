#!/usr/bin/env bash
# The web UI's patch list and patch page under wrk, on the 100,000-patch
# database bench/http_bench.sh builds (run that once first; it caches the
# database in build/bench-data/).
#
# Usage: bash bench/web_bench.sh [--binary build/patchbay] [--duration 10s]
#        [--connections 32] [--threads 2] [--port 18090]
# For each case it starts `patchbay serve` (with or without the response
# cache), runs a 2 s warm-up, then `wrk --latency` and prints req/s, p50, p99
# and the non-2xx count:
#   list, page 1 (anonymous; the response cache serves repeats)
#   list, page 1, --no-response-cache (every request rendered)
#   list, last page, --no-response-cache (the deep-page id list)
#   list sorted by submitter, --no-response-cache
#   the patch page with the most comments, --no-response-cache
# Also counts the statements one rendered list page costs (the server's
# statement counter is not exposed, so this is sqlite's: see below).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
binary=build/patchbay; duration=10s; connections=32; threads=2; port=18090
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    *) echo "web_bench: unknown argument $1" >&2; exit 2 ;;
  esac
done
gen_sum="$(sha1sum bench/gen_mbox.py | cut -c1-8)"
db="${PB_BENCH_DATA:-$repo/build/bench-data}/http-100000-$gen_sum/bench.db"
[ -f "$db" ] || { echo "web_bench: no database at $db; run bench/http_bench.sh first" >&2; exit 1; }
base="http://127.0.0.1:$port"
pages=$(( ($(sqlite3 "$db" "SELECT count(*) FROM patches p JOIN states s ON s.id = p.state_id WHERE p.project_id = 1 AND p.archived = 0 AND s.action_required = 1") + 99) / 100 ))
busy=$(sqlite3 "$db" "SELECT '/project/bench/patch/' || substr(p.msgid, 2, length(p.msgid) - 2) || '/' FROM patches p JOIN patch_comments c ON c.patch_id = p.id GROUP BY p.id ORDER BY count(*) DESC, length(p.diff) DESC LIMIT 1")
comments=$(sqlite3 "$db" "SELECT count(*) FROM patch_comments c JOIN patches p ON p.id = c.patch_id WHERE '/project/bench/patch/' || substr(p.msgid, 2, length(p.msgid) - 2) || '/' = '$busy'")
server=""
stop() { [ -n "$server" ] && kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null; server=""; }
trap stop EXIT
serve() {
  stop
  "$binary" serve --database "sqlite://$db" --listen "127.0.0.1:$port" "$@" > /dev/null 2>&1 &
  server=$!
  for _ in $(seq 100); do curl -sf -o /dev/null "$base/about/" && return; sleep 0.1; done
  echo "web_bench: server did not start" >&2; exit 1
}
bench() {
  local name=$1 path=$2
  local bytes; bytes=$(curl -sf "$base$path" | wc -c)
  wrk -t"$threads" -c"$connections" -d2s "$base$path" > /dev/null
  wrk -t"$threads" -c"$connections" -d"$duration" --latency --timeout 10s "$base$path" > /tmp/web_bench.$$ 
  python3 - "$name" "$bytes" /tmp/web_bench.$$ <<'PY'
import re, sys
name, size, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
t = open(path).read()
rps = re.search(r"Requests/sec:\s+([\d.]+)", t).group(1)
lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", t, re.M))
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
print("| %s | %.1f KB | %s | %s | %s | %s |" % (name, size / 1024, rps, lat.get("50"), lat.get("99"), bad.group(1) if bad else 0))
PY
  rm -f /tmp/web_bench.$$
}
echo "database: $db; list pages (default filters): $pages; busiest patch: $comments comments"
echo "| case | body | req/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|---|"
serve --threads "$threads"
bench "list page 1, anonymous (response cache)" "/project/bench/list/"
serve --threads "$threads" --no-response-cache
bench "list page 1, rendered" "/project/bench/list/"
bench "list page $pages (last), rendered" "/project/bench/list/?page=$pages"
bench "list by submitter, page 2, rendered" "/project/bench/list/?order=submitter&page=2"
bench "patch page, $comments comments, rendered" "$busy"
stop
