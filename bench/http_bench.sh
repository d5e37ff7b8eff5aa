#!/usr/bin/env bash
# HTTP benchmark of `patchbay serve` on a SQLite database with >= 100,000 patches.
#
# Usage (from anywhere; paths are relative to the repository root):
#   bash bench/http_bench.sh                         # 100,000 patches, wrk -t2 -c32 -d10s
#   bash bench/http_bench.sh --binary build-bench/patchbay --patches 100000 \
#        --duration 10s --connections 32 --threads 2 --port 18080
#   bash bench/http_bench.sh --rebuild               # rebuild the cached database (do so after
#                                                    # changes to ingest or the schema)
#   bash bench/http_bench.sh --serve-args "--no-response-cache"   # extra `patchbay serve` arguments
#                                                    # (measure rendering, not the response cache)
#
# What it does:
#   1. Builds the database once and caches it in $PB_BENCH_DATA (default
#      build/bench-data/), keyed by the patch count and gen_mbox.py's checksum:
#      bench/gen_mbox.py --patches N writes the mbox, then
#        patchbay project create --linkname bench ... --listid bench.lists.example.org
#        patchbay parsearchive --list-id bench.lists.example.org MBOX     (timed)
#      The timing goes to <cache>/build-times.txt and is printed again on reuse.
#   2. Starts `patchbay serve --database ... --listen 127.0.0.1:PORT` and waits
#      for "serving on" (30 s at most).
#   3. For each endpoint runs a 2 s warm-up, then `wrk -tT -cC -dD --latency --timeout 10s`:
#        /api/patches/<id>/              id drawn at random from 5,000 real patch ids (Lua)
#        /api/patches/?project=1          the default (first) page
#        /api/patches/?project=1&page=L   the last page (deep OFFSET cost)
#      and prints req/s, p50, p99, non-2xx count, the server's peak RSS during
#      that run (VmHWM, reset before each run via /proc/PID/clear_refs) and
#      requests per server CPU-second (utime+stime from /proc/PID/stat).
#   4. Stops the server with SIGTERM (SIGKILL after 10 s).
# Loopback only; total run time about 3 x (2 s + duration) once the database exists.
# Needs: wrk, curl, sqlite3, python3.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

patches=100000
duration=10s
connections=32
threads=2
port=18080
binary=build/patchbay
rebuild=0
serve_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --patches) patches=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --binary) binary=$2; shift 2 ;;
    --rebuild) rebuild=1; shift ;;
    --serve-args) read -r -a serve_args <<< "$2"; shift 2 ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) echo "http_bench: unknown argument $1" >&2; exit 2 ;;
  esac
done
for tool in wrk curl sqlite3 python3; do
  command -v "$tool" >/dev/null || { echo "http_bench: $tool is required" >&2; exit 1; }
done
[ -x "$binary" ] || { echo "http_bench: no binary at $binary (build it first)" >&2; exit 1; }
binary="$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")"

gen_sum="$(sha1sum bench/gen_mbox.py | cut -c1-8)"
data="${PB_BENCH_DATA:-$repo/build/bench-data}"
cache="$data/http-$patches-$gen_sum"
db="$cache/bench.db"
url="sqlite://$db"
mkdir -p "$cache"

# ---- 1. the database ---------------------------------------------------------
if [ "$rebuild" = 1 ] || [ ! -f "$cache/ready" ]; then
  rm -f "$cache"/bench.db* "$cache/ready" "$cache/build-times.txt"
  echo "== building the database in $cache"
  start=$(date +%s.%N)
  python3 bench/gen_mbox.py --patches "$patches" --seed 1 -o "$cache/bench.mbox" 2>"$cache/gen.log"
  gen_s=$(python3 -c "import time;print('%.1f'%(time.time()-$start))")
  cat "$cache/gen.log"
  "$binary" project create --database "$url" --linkname bench --name bench \
    --listid bench.lists.example.org --listemail bench@lists.example.org
  mbox_mb=$(python3 -c "import os;print('%.1f'%(os.path.getsize('$cache/bench.mbox')/1e6))")
  # GNU time gives wall, CPU and peak RSS of the import.
  /usr/bin/time -f "%e s wall, %U s user, %S s sys, %M KB max RSS" -o "$cache/parsearchive.time" \
    "$binary" parsearchive --database "$url" --list-id bench.lists.example.org "$cache/bench.mbox" \
    > "$cache/parsearchive.out" 2> "$cache/parsearchive.err" || {
      echo "http_bench: parsearchive failed:" >&2; tail -20 "$cache/parsearchive.err" >&2; exit 1; }
  cat "$cache/parsearchive.out"
  mails=$(sed -n 's/^Processed \([0-9]*\) messages.*/\1/p' "$cache/parsearchive.out")
  wall=$(cut -d' ' -f1 "$cache/parsearchive.time")
  {
    echo "gen_mbox.py --patches $patches: ${gen_s} s; $(cat "$cache/gen.log")"
    echo "parsearchive of $mails mails ($mbox_mb MB): $(cat "$cache/parsearchive.time")"
    python3 -c "print('  = %.0f mails/s, %.1f MB/s' % ($mails/$wall, $mbox_mb/$wall))"
    echo "database: $(du -m "$db" | cut -f1) MB"
  } > "$cache/build-times.txt"
  rm -f "$cache/bench.mbox"   # regenerable; the database is what we keep
  sha1sum < "$binary" | cut -c1-12 > "$cache/built-by"
  touch "$cache/ready"
elif [ "$(sha1sum < "$binary" | cut -c1-12)" != "$(cat "$cache/built-by" 2>/dev/null)" ]; then
  echo "note: the cached database was built by another patchbay binary;" \
       "pass --rebuild if ingest or the schema changed since"
fi
echo "== database $db"
cat "$cache/build-times.txt"
npatches=$(sqlite3 "$db" "SELECT count(*) FROM patches WHERE project_id = 1")
echo "patches in project 1: $npatches"

# ---- 2. the server -------------------------------------------------------------
tmp="$(mktemp -d /tmp/pb-http-bench.XXXXXX)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$server_pid" 2>/dev/null && { echo "server ignored SIGTERM; killing" >&2; kill -KILL "$server_pid"; }
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

"$binary" serve --database "$url" --listen "127.0.0.1:$port" ${serve_args[@]+"${serve_args[@]}"} \
  >"$tmp/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 300); do
  grep -q "serving on" "$tmp/server.log" && break
  kill -0 "$server_pid" 2>/dev/null || { echo "server exited:" >&2; cat "$tmp/server.log" >&2; exit 1; }
  sleep 0.1
done
grep -q "serving on" "$tmp/server.log" || { echo "server not ready after 30 s" >&2; cat "$tmp/server.log" >&2; exit 1; }
base="http://127.0.0.1:$port"
echo "== server pid $server_pid: $(head -1 "$tmp/server.log"); VmRSS after start: $(awk '/VmRSS/{print $2, $3}' /proc/$server_pid/status)"

# Page size from the default page, last page from the count.
curl -sf "$base/api/patches/?project=1" -o "$tmp/page1.json" || { echo "GET /api/patches/?project=1 failed" >&2; exit 1; }
per_page=$(python3 -c "import json;print(len(json.load(open('$tmp/page1.json'))))")
last=$(( (npatches + per_page - 1) / per_page ))
echo "page size $per_page, last page $last"

# Random patch ids for the detail endpoint (seeded, real ids only).
sqlite3 "$db" "SELECT id FROM patches WHERE project_id = 1" > "$tmp/ids.txt"
python3 "$repo/bench/detail_lua.py" "$tmp/ids.txt" "$tmp/detail.lua" 5000 997
first_id=$(head -1 "$tmp/ids.txt")
detail_bytes=$(curl -sf "$base/api/patches/$first_id/" | wc -c)
deep_bytes=$(curl -sf "$base/api/patches/?project=1&page=$last" | wc -c)
echo "response sizes: detail $detail_bytes B, page 1 $(wc -c <"$tmp/page1.json") B, page $last $deep_bytes B"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }
hz=$(getconf CLK_TCK)
results=()
run() {  # run NAME PATH [LUA]
  local name=$1 path=$2 lua=${3:-}
  local args=(-t"$threads" -c"$connections" --latency --timeout 10s)
  [ -n "$lua" ] && args+=(-s "$lua")
  local target="$base${path%% (*}"
  [ -n "$lua" ] && target="$base/"                                     # the script sets paths
  wrk "${args[@]}" -d2s "$target" >/dev/null 2>&1 || true              # warm-up
  echo 5 > "/proc/$server_pid/clear_refs" 2>/dev/null || true         # reset VmHWM
  local c0; c0=$(cpu_ticks)
  wrk "${args[@]}" -d"$duration" "$target" > "$tmp/$name.wrk" 2>&1
  local c1; c1=$(cpu_ticks)
  local rps p50 p99 non2xx hwm cpu_s eff
  rps=$(awk '/^Requests\/sec:/{print $2}' "$tmp/$name.wrk")
  p50=$(awk '$1=="50%"{print $2}' "$tmp/$name.wrk")
  p99=$(awk '$1=="99%"{print $2}' "$tmp/$name.wrk")
  non2xx=$(awk '/Non-2xx/{print $NF}' "$tmp/$name.wrk"); non2xx=${non2xx:-0}
  hwm=$(awk '/VmHWM/{printf "%.1f MB", $2/1024}' "/proc/$server_pid/status")
  cpu_s=$(python3 -c "print('%.2f' % (($c1-$c0)/$hz))")
  total=$(awk '/requests in/{print $1}' "$tmp/$name.wrk")
  eff=$(python3 -c "print('%.0f' % ($total/$cpu_s) if $cpu_s > 0 else 'n/a')")
  echo "---- $name: GET $path${lua:+ (ids from $(basename "$lua"))}"
  cat "$tmp/$name.wrk"
  results+=("| $name | \`$path\` | $rps | $p50 | $p99 | $non2xx | $hwm | $eff |")
}

echo "== wrk -t$threads -c$connections -d$duration --latency --timeout 10s (after a 2 s warm-up each)"
run detail "/api/patches/<random id>/" "$tmp/detail.lua"
run list-first "/api/patches/?project=1"
run list-last "/api/patches/?project=1&page=$last"

# mbox downloads: one patch (its msgid URL; /patch/N/mbox/ only redirects),
# and the largest series of the database.
linkname=$(sqlite3 "$db" "SELECT linkname FROM projects WHERE id = 1")
msgid_path=$(sqlite3 "$db" "SELECT msgid FROM patches WHERE id = $first_id" |
  python3 -c "import sys, urllib.parse; print(urllib.parse.quote(sys.stdin.read().strip()[1:-1].replace('/', '%2F'), safe='@%+=!~*'))")
big_series=$(sqlite3 "$db" "SELECT series_id FROM patches WHERE series_id IS NOT NULL GROUP BY series_id ORDER BY COUNT(*) DESC, series_id LIMIT 1")
big_n=$(sqlite3 "$db" "SELECT COUNT(*) FROM patches WHERE series_id = $big_series")
echo "mbox: patch $first_id ($(curl -sf "$base/project/$linkname/patch/$msgid_path/mbox/" | wc -c) B), series $big_series with $big_n patches ($(curl -sf "$base/series/$big_series/mbox/" | wc -c) B)"
run patch-mbox "/project/$linkname/patch/$msgid_path/mbox/"
run series-mbox "/series/$big_series/mbox/ ($big_n patches)"

echo
echo "== summary ($npatches patches, $(nproc) cores, wrk -t$threads -c$connections -d$duration)"
echo "| run | path | req/s | p50 | p99 | non-2xx | server peak RSS (VmHWM) | req per server CPU-s |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${results[@]}"
