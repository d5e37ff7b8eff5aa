#!/bin/bash
# CPU per request of two patchbay binaries, one request at a time, on the
# 1M PostgreSQL benchmark database (§9h of docs/performance.md):
#
#   bash bench/api_serial_cpu.sh BASE_BINARY NEW_BINARY REPS DB_URL PGDATA [serve args...]
#
# For each URL and repetition, BASE then NEW: `serve --threads 1` (plus the
# serve args, e.g. --no-response-cache), wrk -t1 -c1 for 1 s of warm-up and
# 4 s measured; prints requests, patchbay's CPU per request (/proc/PID/stat)
# and the PostgreSQL cluster's (postmaster and all its children, PGDATA's
# postmaster.pid), p99 and the load. One request at a time: every wait for
# PostgreSQL puts both processes to sleep, which is what round trips cost.
# The detail URL cycles through 1,000 ids of project 7. Needs wrk, psql.
# PB_SERIAL_ONLY=detail,series-30 runs a subset of the names below;
# PB_SERIAL_PORT changes the server's port (18215).
set -euo pipefail
base=$1 new=$2 reps=$3 db=$4 pgdata=$5; shift 5
port=${PB_SERIAL_PORT:-18215}
only=${PB_SERIAL_ONLY:+,$PB_SERIAL_ONLY,}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
psql -qAtX "$db" -c "SELECT id FROM patches WHERE project_id = 7 ORDER BY md5(id::text) LIMIT 1000" > "$tmp/ids.txt"
python3 "$(dirname "$0")/detail_lua.py" "$tmp/ids.txt" "$tmp/detail.lua" 1000000 0
pm=$(head -1 "$pgdata/postmaster.pid")
# A child may exit between the listing and the read: skip it.
pgticks() { local t=0 p v; for p in $pm $(pgrep -P "$pm"); do v=$(sed 's/^.*) //' /proc/$p/stat 2>/dev/null | awk '{print $12+$13+$14+$15}'); [ -n "$v" ] && t=$((t + v)); done; echo $t; }
hz=$(getconf CLK_TCK)
names=(detail list-p1 list-mid events-p1 series-30 covers-last list-pp100-last)
paths=(LUA '/api/patches/?project=7&state=new&order=-date' '/api/patches/?project=7&state=new&order=-date&page=433'
       '/api/events/?project=7' '/api/series/219327/' '/api/covers/?project=7&page=547'
       '/api/patches/?project=7&state=new&order=-date&per_page=100&page=260')
for i in "${!names[@]}"; do
  if [ -n "$only" ] && [[ "$only" != *",${names[$i]},"* ]]; then continue; fi
  for r in $(seq "$reps"); do
    for which in base new; do
      bin=$base; [ $which = new ] && bin=$new
      "$bin" serve --database "$db" --listen 127.0.0.1:$port --threads 1 --no-webhooks "$@" > "$tmp/server.log" 2>&1 &
      P=$!
      for _ in $(seq 100); do grep -q 'serving on' "$tmp/server.log" && break; sleep 0.1; done
      if [ "${paths[$i]}" = LUA ]; then args=(-s "$tmp/detail.lua" http://127.0.0.1:$port); else args=("http://127.0.0.1:$port${paths[$i]}"); fi
      wrk -t1 -c1 -d1s "${args[@]}" > /dev/null 2>&1
      c0=$(awk '{print $14+$15}' /proc/$P/stat); g0=$(pgticks); l0=$(cut -d' ' -f1 /proc/loadavg)
      out=$(wrk -t1 -c1 -d4s --latency "${args[@]}" 2>&1)
      c1=$(awk '{print $14+$15}' /proc/$P/stat); g1=$(pgticks)
      n=$(echo "$out" | awk '/requests in/{print $1}')
      p99=$(echo "$out" | awk '$1=="99%"{print $2}')
      echo "${names[$i]} $which rep$r n=$n patchbay_us=$(( (c1-c0)*1000000/hz/n )) pg_us=$(( (g1-g0)*1000000/hz/n )) p99=$p99 load=$l0"
      kill -TERM $P; wait $P || true
    done
  done
done
