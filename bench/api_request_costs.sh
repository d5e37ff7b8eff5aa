#!/bin/bash
# What one request costs patchbay, in measures this shared machine does not
# blur (docs/performance.md §9l): user-space instructions (callgrind) and
# system calls (strace -c) per request of a one-thread server.
#
#   bash bench/api_request_costs.sh instr|syscalls BINARY DB URL|detail [N]
#
# DB is a SQLite file or a postgresql:// URL. URL is a path such as
# '/api/events/?project=7'; `detail` cycles through N patch ids of project 7
# (read from DB). instr: N requests (default 100) after 20 warm-up ones, with
# instrumentation on only around the N; prints Ir/request (valgrind's malloc
# is used, PATCHBAY_SERVE_MALLOC=1 keeps serve from re-executing itself
# under tcmalloc). syscalls: wrk -t1 -c1 for 3 s under strace -f -c; prints
# the calls per request of the socket and wait calls. --no-response-cache
# always: the rendering path is what is measured. Needs valgrind, strace,
# wrk, curl (and psql or sqlite3 for `detail`).
set -euo pipefail
mode=$1 bin=$2 db=$3 url=$4 n=${5:-100}
port=${PB_COSTS_PORT:-18451}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
ids_sql="SELECT id FROM patches WHERE project_id = 7 ORDER BY id LIMIT $n"
if [ "$url" = detail ]; then
  case "$db" in
    postgresql://*) psql -qAtX "$db" -c "$ids_sql" > "$tmp/ids" ;;
    *) sqlite3 "$db" "$ids_sql" > "$tmp/ids" ;;
  esac
fi
urls() {  # the request URLs, one a line
  if [ "$url" = detail ]; then sed "s|.*|http://127.0.0.1:$port/api/patches/&/|" "$tmp/ids"
  else for _ in $(seq "$1"); do echo "http://127.0.0.1:$port$url"; done; fi
}
wait_serving() { for _ in $(seq 300); do grep -q 'serving on' "$tmp/log" && return; sleep 0.2; done; echo "server did not start" >&2; exit 1; }
case "$mode" in
  instr)
    PATCHBAY_SERVE_MALLOC=1 valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" --instr-atstart=no \
      "$bin" serve --database "$db" --listen 127.0.0.1:$port --threads 1 --no-webhooks --no-response-cache > "$tmp/log" 2>&1 &
    P=$!
    wait_serving
    urls 20 | head -20 | while read -r u; do curl -s -o /dev/null "$u"; done
    callgrind_control -i on $P > /dev/null
    urls "$n" | while read -r u; do curl -s -o /dev/null "$u"; done
    callgrind_control -i off $P > /dev/null
    callgrind_control -d $P > /dev/null
    kill $P; wait $P 2>/dev/null || true
    ir=$(callgrind_annotate "$tmp/cg.1" 2>/dev/null | awk '/PROGRAM TOTALS/{gsub(",","",$1); print $1}')
    echo "Ir/request=$((ir / n))"
    ;;
  syscalls)
    "$bin" serve --database "$db" --listen 127.0.0.1:$port --threads 1 --no-webhooks --no-response-cache > "$tmp/log" 2>&1 &
    P=$!
    wait_serving
    if [ "$url" = detail ]; then
      python3 "$(dirname "$0")/detail_lua.py" "$tmp/ids" "$tmp/detail.lua" 1000000 0
      args=(-s "$tmp/detail.lua" "http://127.0.0.1:$port")
    else
      args=("http://127.0.0.1:$port$url")
    fi
    wrk -t1 -c1 -d1s "${args[@]}" > /dev/null
    strace -f -c -o "$tmp/strace" -p $P 2> /dev/null & S=$!
    sleep 0.5
    reqs=$(wrk -t1 -c1 -d3s "${args[@]}" | awk '/requests in/{print $1}')
    kill -INT $S; wait $S 2>/dev/null || true
    kill $P; wait $P 2>/dev/null || true
    awk -v n="$reqs" '$NF ~ /^(poll|ppoll|sendto|recvfrom|sendmsg|epoll_wait)$/ {printf "%s %.2f  ", $NF, $4 / n}
                      END {print "requests=" n}' "$tmp/strace"
    ;;
  *) echo "usage: $0 instr|syscalls BINARY DB URL|detail [N]" >&2; exit 2 ;;
esac
