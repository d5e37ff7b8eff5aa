#!/usr/bin/env bash
# REST API benchmark at 1,000,000 patches across 10 projects (the targets of
# the open REST API performance issue), on the database of bench/gen_db_1m.sh.
#
# Usage (from anywhere; paths are relative to the repository root):
#   bash bench/api_bench.sh                                    # wrk -t2 -c32 -d10s, project 7
#   bash bench/api_bench.sh --binary build-bench/patchbay --duration 10s \
#        --connections 32 --threads 2 --port 18180 --project 7
#   bash bench/api_bench.sh --only detail,list-new-last        # a subset (names below)
#   bash bench/api_bench.sh --db /path/to/bench.db             # skip gen_db_1m.sh
#   bash bench/api_bench.sh --db postgresql://postgres@/bench?host=/dir&port=N
#        # the same runs on PostgreSQL (a database holding the same rows, e.g.
#        # the one bench/import_1m_bench.sh --keep-pg leaves running); the
#        # summary then adds the PostgreSQL server's CPU per request (the whole
#        # cluster, and in parentheses this server's own backends alone)
#   bash bench/api_bench.sh --perf /tmp/prof                    # + a perf profile of the server per run
#        (perf record -e cpu-clock -g during the timed run; reports in /tmp/prof/<run>.txt;
#        perf costs the server CPU, so take the numbers from a run without it)
#   bash bench/api_bench.sh --warmup 2s --detail-warmup 15s       # the warm-ups (these are the defaults)
#   bash bench/api_bench.sh --write-every 0.5                    # a writer during the runs
#        (bumps data_generation every 0.5 s, as every patchbay writer does in its
#        transaction, so per-generation caches start over; the only change
#        made to the cached database: its generation counter)
#   bash bench/api_bench.sh --serve-args "--no-response-cache"  # extra `patchbay serve` arguments
#        (binaries with the per-generation response cache answer a repeated
#        URL from it; pass --no-response-cache to measure the rendering path)
#
# What it does:
#   1. Gets the database from bench/gen_db_1m.sh (built once and cached in
#      build/bench-data/, see there; the first build takes several minutes).
#   2. Starts `patchbay serve --database ... --listen 127.0.0.1:PORT`.
#   3. Works out the pages: the last page of each list from its Link header
#      (rel="last"), checked against a COUNT in the database; the middle page
#      of the new-patch list; the first 30-patch series of the project.
#   4. For each endpoint: a warm-up (2 s; the detail's 15 s, see below), then wrk -tT -cC -dD --latency
#      --timeout 10s; reports req/s, p50, p99, non-2xx responses and socket
#      errors, the server's peak RSS during the run (VmHWM, reset before it
#      via /proc/PID/clear_refs), requests per server CPU-second
#      (utime+stime from /proc/PID/stat) and the 1-minute load average at
#      the start of the run (other people share the machine).
#        detail                /api/patches/<id>/, id from 20,000 random patches (Lua)
#        list-new-p1           /api/patches/?project=X&state=new&order=-date
#        list-new-mid          ... &page=<middle>
#        list-new-last         ... &page=<last>
#        list-new-last-pp100   ... &per_page=100&page=<last at 100 per page>
#        events-p1             /api/events/?project=X
#        events-last           /api/events/?project=X&page=<last>
#        series-30             /api/series/<id>/ of a 30-patch series
#        covers-last           /api/covers/?project=X&page=<last>
#      The detail's warm-up is longer (--detail-warmup, 15 s) because its
#      20,000 ids are spread over the whole table: a new PostgreSQL backend
#      maps each shared buffer it touches for the first time (a page fault,
#      plus its caches), so a fresh server's backends cost about twice the
#      CPU per detail for their first ~10 s (docs/performance.md §9s); a
#      list row repeats one URL and is warm within its 2 s (--warmup).
#   5. Exits 1 (after the summary) if any response was not 2xx or any
#      request failed.
# wrk and the server share the machine's cores. Needs wrk, curl, sqlite3, python3.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
source bench/api_lib.sh

duration=10s
connections=32
threads=2
port=18180
binary=build/patchbay
project=7
db=""
only=""
perf_dir=""
write_every=""
warmup=2s
detail_warmup=15s
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --binary) binary=$2; shift 2 ;;
    --project) project=$2; shift 2 ;;
    --db) db=$2; shift 2 ;;
    --only) only=",$2,"; shift 2 ;;
    --serve-args) read -r -a serve_args <<< "$2"; shift 2 ;;
    --perf) perf_dir=$2; shift 2 ;;
    --write-every) write_every=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --detail-warmup) detail_warmup=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -e/{/^set -e/!p}' "$0"; exit 0 ;;
    *) echo "api_bench: unknown argument $1" >&2; exit 2 ;;
  esac
done
for tool in wrk curl sqlite3 python3 ${perf_dir:+perf}; do
  command -v "$tool" >/dev/null || { echo "api_bench: $tool is required" >&2; exit 1; }
done
[ -z "$perf_dir" ] || mkdir -p "$perf_dir"
[ -x "$binary" ] || { echo "api_bench: no binary at $binary (build it first)" >&2; exit 1; }
binary="$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")"

# ---- 1. the database -----------------------------------------------------------
if [ -z "$db" ]; then
  db=$(bash bench/gen_db_1m.sh --binary "$binary" --print-path)
fi
pg_postmaster=""
case "$db" in
  postgres://*|postgresql://*)
    command -v psql >/dev/null || { echo "api_bench: psql is required for $db" >&2; exit 1; }
    # The patches' heap and TOAST: a database imported before migration 23
    # keeps most mail bodies in TOAST, which makes each detail dearer (§9w).
    echo "== database $db ($(api_db_query "$db" "SELECT pg_size_pretty(pg_database_size(current_database())) || ', PostgreSQL ' || current_setting('server_version')
      || '; patches: heap ' || pg_size_pretty(pg_relation_size('patches')) || ', TOAST '
      || pg_size_pretty(pg_relation_size((SELECT reltoastrelid FROM pg_class WHERE oid = 'patches'::regclass)))"))"
    # The server's processes, for its CPU time per request (local clusters only).
    datadir=$(api_db_query "$db" "SELECT current_setting('data_directory')" 2>/dev/null || true)
    [ -r "$datadir/postmaster.pid" ] && pg_postmaster=$(head -1 "$datadir/postmaster.pid")
    ;;
  *)
    [ -f "$db" ] || { echo "api_bench: no database at $db" >&2; exit 1; }
    echo "== database $db ($(du -m "$db" | cut -f1) MB)"
    [ -f "$(dirname "$db")/build-times.txt" ] && sed 's/^/   /' "$(dirname "$db")/build-times.txt"
    ;;
esac

# ---- 2. the server -------------------------------------------------------------
tmp="$(mktemp -d /tmp/pb-api-bench.XXXXXX)"
server_pid=""
writer_pid=""
trap '[ -z "$writer_pid" ] || kill "$writer_pid" 2>/dev/null; api_stop_server; rm -rf "$tmp"' EXIT
# The server's connections carry their own application_name, so that its own
# backends' CPU can be told from other clients' of a shared cluster.
app_name="pb-api-bench-$$"
api_start_server "$binary" "$db" "$port" "$tmp/server.log" PGAPPNAME="$app_name"
echo "== server pid $server_pid, binary $binary ($(sha1sum < "$binary" | cut -c1-12))" \
     "${serve_args[*]+serve ${serve_args[*]}}:" \
     "$(head -1 "$tmp/server.log"); VmRSS after start: $(awk '/VmRSS/{print $2, $3}' /proc/$server_pid/status)"

# ---- 3. the endpoints -------------------------------------------------------------
api_endpoints "$db" "$project" "$tmp"
echo "== endpoints (project $project)"
for i in "${!ep_names[@]}"; do
  path=${ep_paths[$i]}
  [ "${ep_names[$i]}" = detail ] && path="/api/patches/$(head -1 "$tmp/ids.txt")/"
  bytes=$(curl -sf "$base$path" | wc -c) || { echo "api_bench: GET $path failed" >&2; exit 1; }
  printf '   %-20s %-62s %7d B  %s\n' "${ep_names[$i]}" "${ep_paths[$i]}" "$bytes" "${ep_notes[$i]}"
  ep_bytes[$i]=$bytes
done

# ---- 4. wrk -------------------------------------------------------------------------
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }
# The database server's CPU: postmaster and children (live ones' utime+stime,
# exited ones' via cutime+cstime). 0 without a local PostgreSQL server.
db_cpu_ticks() {
  local total=0 p
  [ -n "$pg_postmaster" ] || { echo 0; return; }
  for p in $pg_postmaster $(pgrep -P "$pg_postmaster"); do
    [ -r "/proc/$p/stat" ] || continue
    total=$(( total + $(sed 's/^.*) //' "/proc/$p/stat" | awk '{print $12 + $13 + $14 + $15}') ))
  done
  echo "$total"
}
# The CPU of this server's own backends only (by application_name; a backend
# that exits during the run is missed): the cluster's total above also counts
# autovacuum, checkpoints and any other client of a shared cluster. Prints
# "pid:ticks" pairs, which own_cpu_delta subtracts (a backend born during the
# run counts from 0).
own_backend_ticks() {
  [ -n "$pg_postmaster" ] || return 0
  local p
  for p in $(api_db_query "$db" "SELECT pid FROM pg_stat_activity WHERE application_name = '$app_name'"); do
    [ -r "/proc/$p/stat" ] && echo "$p:$(sed 's/^.*) //' "/proc/$p/stat" | awk '{print $12 + $13}')"
  done
}
own_cpu_delta() {  # own_cpu_delta "BEFORE" "AFTER"
  python3 -c "
import sys
b = dict(x.split(':') for x in sys.argv[1].split())
a = dict(x.split(':') for x in sys.argv[2].split())
print(sum(int(v) - int(b.get(p, 0)) for p, v in a.items()))" "$1" "$2"
}
hz=$(getconf CLK_TCK)
results=()
failed=()
to_ms() { python3 -c "
import sys
v = sys.argv[1]
for unit, f in (('us', 1e-3), ('ms', 1.0), ('s', 1e3)):
    if v.endswith(unit):
        print('%.2f' % (float(v[:-len(unit)]) * f)); break
else:
    print('nan')" "$1"; }
verdict() {  # verdict NAME RPS P99_MS
  python3 - "$@" <<'EOF'
import sys
name, rps, p99 = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
if name == "detail":
    print("≥ 20,000: " + ("met" if rps >= 20000 else "**missed**"))
elif name.endswith("pp100"):
    print("none (the issue's is for the default 30 per page)")
elif name.startswith("list-new"):
    ok = rps >= 5000 and p99 < 10
    print("≥ 5,000, p99 < 10 ms: " + ("met" if ok else "**missed**"))
elif name.startswith("events") or name.startswith("series"):
    print("≥ 5,000: " + ("met" if rps >= 5000 else "**missed**"))
else:
    print("(none)")
EOF
}
run() {  # run INDEX
  local i=$1 name=${ep_names[$1]} path=${ep_paths[$1]} lua=${ep_lua[$1]}
  local args=(-t"$threads" -c"$connections" --latency --timeout 10s)
  local target="$base$path"
  if [ -n "$lua" ]; then args+=(-s "$lua"); target="$base/"; fi
  local warm=$warmup; [ "$name" = detail ] && warm=$detail_warmup
  wrk "${args[@]}" -d"$warm" "$target" >/dev/null 2>&1 || true         # warm-up
  echo 5 > "/proc/$server_pid/clear_refs" 2>/dev/null || true         # reset VmHWM
  local load c0 c1 t0 t1
  load=$(cut -d' ' -f1 /proc/loadavg)
  t0=$(date +%H:%M:%S)
  c0=$(cpu_ticks)
  local d0 d1 o0 o1; d0=$(db_cpu_ticks); o0=$(own_backend_ticks)
  local perf_pid=""
  if [ -n "$perf_dir" ]; then
    perf record -q -e cpu-clock -F 999 -g -p "$server_pid" -o "$perf_dir/$name.data" \
      -- sleep "${duration%s}" >/dev/null 2>&1 &
    perf_pid=$!
  fi
  wrk "${args[@]}" -d"$duration" "$target" > "$tmp/$name.wrk" 2>&1 || true
  c1=$(cpu_ticks)
  d1=$(db_cpu_ticks); o1=$(own_backend_ticks)
  if [ -n "$perf_pid" ]; then
    wait "$perf_pid" || true
    perf report -i "$perf_dir/$name.data" --stdio --no-children --sort dso,symbol \
      --percent-limit 0.7 -g none 2>/dev/null | grep -v '^$' > "$perf_dir/$name.txt" || true
  fi
  local rps p50 p99 non2xx sockerr hwm cpu_s eff total
  rps=$(awk '/^Requests\/sec:/{print $2}' "$tmp/$name.wrk")
  p50=$(awk '$1=="50%"{print $2}' "$tmp/$name.wrk")
  p99=$(awk '$1=="99%"{print $2}' "$tmp/$name.wrk")
  non2xx=$(awk '/Non-2xx/{print $NF}' "$tmp/$name.wrk"); non2xx=${non2xx:-0}
  sockerr=$(sed -n 's/.*Socket errors: \(.*\)/\1/p' "$tmp/$name.wrk"); sockerr=${sockerr:-none}
  hwm=$(awk '/VmHWM/{printf "%.0f MB", $2/1024}' "/proc/$server_pid/status")
  cpu_s=$(python3 -c "print('%.2f' % (($c1-$c0)/$hz))")
  total=$(awk '/requests in/{print $1}' "$tmp/$name.wrk")
  if [ -z "$rps" ] || [ -z "$total" ]; then
    echo "---- $name: wrk failed:"; cat "$tmp/$name.wrk"; failed+=("$name: wrk failed"); return
  fi
  eff=$(python3 -c "print('{:,.0f}'.format($total/$cpu_s) if $cpu_s > 0 else 'n/a')")
  # CPU per request: patchbay, and PostgreSQL's server when there is one.
  local per_req
  per_req=$(python3 -c "
t = $total
s = '%.0f µs' % (1e6 * ($c1 - $c0) / $hz / t)
if '$pg_postmaster':
    s += ' + PG %.0f µs (own backends %.0f µs)' % (1e6 * ($d1 - $d0) / $hz / t,
                                                   1e6 * $(own_cpu_delta "$o0" "$o1") / $hz / t)
print(s)")
  echo "---- $name ($t0, load $load): GET $path${lua:+ (ids from $(basename "$lua"))}"
  cat "$tmp/$name.wrk"
  [ "$non2xx" = 0 ] || failed+=("$name: $non2xx non-2xx responses")
  [ "$sockerr" = none ] || failed+=("$name: socket errors: $sockerr")
  local p99ms; p99ms=$(to_ms "$p99")
  results+=("| $name | \`$path\` | ${ep_bytes[$i]} | $(python3 -c "print('{:,.0f}'.format($rps))") | $p50 | $p99 | $non2xx | $eff | $per_req | $hwm | $t0, $load | $(verdict "$name" "$rps" "$p99ms") |")
}

if [ -n "$write_every" ]; then
  g0=$(api_db_query "$db" "SELECT generation FROM data_generation")
  ( while sleep "$write_every"; do
      case "$db" in
        postgres://*|postgresql://*) api_db_query "$db" "UPDATE data_generation SET generation = generation + 1" >/dev/null || true ;;
        *) sqlite3 -cmd ".timeout 10000" "$db" "UPDATE data_generation SET generation = generation + 1" || true ;;
      esac
    done ) &
  writer_pid=$!
  echo "== writer: data_generation + 1 every $write_every s (pid $writer_pid; generation was $g0)"
fi
start_uptime=$(uptime)
echo "== wrk -t$threads -c$connections -d$duration --latency --timeout 10s (after a $warmup warm-up each, the detail's $detail_warmup); $start_uptime"
for i in "${!ep_names[@]}"; do
  if [ -n "$only" ] && [[ "$only" != *",${ep_names[$i]},"* ]]; then continue; fi
  run "$i"
done

if [ -n "$writer_pid" ]; then
  kill "$writer_pid" 2>/dev/null || true; wait "$writer_pid" 2>/dev/null || true; writer_pid=""
  echo "== writer stopped; generation $(api_db_query "$db" "SELECT generation FROM data_generation") (was $g0)"
fi
echo
echo "== summary: $(api_db_query "$db" "SELECT count(*) FROM patches") patches in $(api_db_query "$db" "SELECT count(*) FROM projects") projects, $(api_db_url "$db" | cut -d: -f1)," \
     "project $project; $(nproc) cores; wrk -t$threads -c$connections -d$duration;" \
     "binary $(sha1sum < "$binary" | cut -c1-12)${serve_args[*]+, serve ${serve_args[*]}}${write_every:+; a write every $write_every s}"
echo "   start: $start_uptime"
echo "   end:   $(uptime)"
echo
echo "| run | path | body (B) | req/s | p50 | p99 | non-2xx | req per server CPU-s | CPU per request | server peak RSS (VmHWM) | time, load (1 min) | target |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${results[@]}"
# A server that reads concurrent details together (PostgreSQL) says on
# SIGTERM how many ids its statements read (warm-ups included).
api_stop_server
if grep -q "patch details:" "$tmp/server.log"; then
  echo
  grep "patch details:" "$tmp/server.log"
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo
  echo "api_bench: FAILED:" >&2
  printf '  %s\n' "${failed[@]}" >&2
  exit 1
fi
