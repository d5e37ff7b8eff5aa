#!/usr/bin/env bash
# Instructions per request of web pages, counted by callgrind: a figure
# that does not move with the machine's load (wall-clock numbers do).
#
# Usage: bash bench/web_callgrind.sh [--binary build/patchbay] [--requests 200]
#        [--port 18095] [--serve-args "--no-response-cache"] [--cookie C] PATH...
# Runs `patchbay serve --threads 1` under valgrind on the database of
# bench/http_bench.sh (bench/web_bench.sh adds its logged-in user; pass
# its cookie with --cookie), sends 20 warm-up requests per PATH, zeroes the
# counters, sends --requests requests per PATH one after another (curl,
# keep-alive) and prints the instructions (Ir) per request of each PATH.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
binary=build/patchbay; requests=200; port=18095; serve_args=(); cookie=""
paths=()
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=$2; shift 2 ;;
    --requests) requests=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --serve-args) read -r -a serve_args <<< "$2"; shift 2 ;;
    --cookie) cookie=$2; shift 2 ;;
    *) paths+=("$1"); shift ;;
  esac
done
[ ${#paths[@]} -gt 0 ] || { echo "web_callgrind: give at least one PATH" >&2; exit 2; }
gen_sum="$(sha1sum bench/gen_mbox.py | cut -c1-8)"
db="${PB_BENCH_DATA:-$repo/build/bench-data}/http-100000-$gen_sum/bench.db"
[ -f "$db" ] || { echo "web_callgrind: no database at $db; run bench/http_bench.sh first" >&2; exit 1; }
tmp="$(mktemp -d /tmp/pb-web-callgrind.XXXXXX)"
server=""
cleanup() { [ -n "$server" ] && kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
base="http://127.0.0.1:$port"
header=(); [ -n "$cookie" ] && header=(-H "Cookie: $cookie")
valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.%p" \
  "$binary" serve --database "sqlite://$db" --listen "127.0.0.1:$port" --threads 1 \
  ${serve_args[@]+"${serve_args[@]}"} > "$tmp/server.log" 2>&1 &
server=$!
for _ in $(seq 1500); do curl -sf -o /dev/null "$base/about/" && break; sleep 0.2; done
curl -sf -o /dev/null "$base/about/" || { echo "web_callgrind: server did not start" >&2; cat "$tmp/server.log" >&2; exit 1; }
# n requests of one path over one connection.
send() {
  local path=$1 n=$2 urls=()
  for _ in $(seq "$n"); do urls+=("$base$path"); done
  curl -sf "${header[@]}" -o /dev/null "${urls[@]}"
}
echo "| path | Ir per request |"
echo "|---|---|"
for path in "${paths[@]}"; do
  send "$path" 20
  callgrind_control -z "$server" > /dev/null
  send "$path" "$requests"
  callgrind_control -d "$server" > /dev/null
  sleep 1
  out=$(ls -t "$tmp"/cg.* | head -1)
  ir=$(sed -n 's/^summary: \([0-9]*\).*/\1/p; s/^totals: \([0-9]*\).*/\1/p' "$out" | head -1)
  printf '| %s | %s |\n' "$path" "$(python3 -c "print(f'{$ir / $requests:,.0f}')")"
  rm -f "$tmp"/cg.*.*
done
