#!/usr/bin/env bash
# The bulk update of 100 patches from the list form, POST by POST, on a
# fresh server: what each POST costs the server in CPU (schedstat of all its
# threads), read syscalls (/proc/PID/io syscr), minor page faults and the
# wall time curl saw. Shows the cost of a cold server thread against a warm
# one (docs/performance.md §7).
#
# usage: bash bench/web_bulk_cold.sh [--binary build/patchbay] [--port 18392] [--runs 4]
#        [--warm PATH]... [-- serve args, e.g. --threads 1]
# Needs the database of bench/http_bench.sh with web_bench.sh's maintainer
# session (run web_bench.sh once). WRAP="valgrind --tool=callgrind" with
# DUMP=1 and PATCHBAY_SERVE_MALLOC=1 gives one callgrind dump per POST.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/patchbay; port=18392; runs=4; warm=()
while [ $# -gt 0 ]; do
  case $1 in
    --binary) bin=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --warm) warm+=("$2"); shift 2 ;;
    --) shift; break ;;
    *) echo "web_bulk_cold: unknown option $1" >&2; exit 2 ;;
  esac
done
gen_sum="$(sha1sum bench/gen_mbox.py | cut -c1-8)"
db="${PB_BENCH_DATA:-$PWD/build/bench-data}/http-100000-$gen_sum/bench.db"
base=http://127.0.0.1:$port
${WRAP:-} "$bin" serve --database "sqlite://$db" --listen "127.0.0.1:$port" "$@" > /dev/null 2>&1 &
srv=$!
trap 'kill -TERM $srv 2>/dev/null; wait $srv 2>/dev/null || true' EXIT
for _ in $(seq 600); do curl -sf -o /dev/null "$base/about/" && break; sleep 0.1; done
cookie="csrftoken=abcdefghijklmnopqrstuvwxyzABCDEF; sessionid=benchsession0123456789abcdefghij"
ids=$(sqlite3 "$db" "SELECT p.id FROM patches p JOIN states s ON s.id = p.state_id WHERE p.project_id = 1 AND p.archived = 0 AND s.action_required = 1 ORDER BY p.date DESC, p.id DESC LIMIT 100")
form="csrfmiddlewaretoken=abcdefghijklmnopqrstuvwxyzABCDEF&form=patchlistform&action=Update&delegate=*&archived=*"
for id in $ids; do form="$form&patch_id:$id=on"; done
cpu_ns() { cat /proc/$srv/task/*/schedstat | awk '{s += $1} END {print s}'; }
reads() { awk '/syscr/ {print $2}' /proc/$srv/io; }
faults() { awk '{print $10}' /proc/$srv/stat; }
for w in "${warm[@]}"; do
  curl -s -o /dev/null -w "warm-up GET $w: %{http_code}\n" -H "Cookie: $cookie" "$base$w"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for run in $(seq "$runs"); do
  state=$(( run % 2 + 1 ))
  [ -n "${DUMP:-}" ] && callgrind_control -d $srv > /dev/null
  c0=$(cpu_ns); r0=$(reads); f0=$(faults)
  r=$(curl -s -o /tmp/web_bulk_cold.$$ -w "%{http_code} %{time_total}" -H "Cookie: $cookie" -H "Origin: $base" \
    --data "$form&state=$state" "$base/project/bench/list/")
  wall_ms=$(awk -v t="${r#* }" 'BEGIN {printf "%.1f", t * 1000}')
  echo "run $run: HTTP ${r% *} in $wall_ms ms wall, $(grep -o '[0-9]* patches updated' /tmp/web_bulk_cold.$$ || echo 'none updated'):" \
    "server CPU $(( ($(cpu_ns) - c0) / 1000 )) µs, $(( $(reads) - r0 )) reads, $(( $(faults) - f0 )) minor faults"
done
[ -n "${DUMP:-}" ] && callgrind_control -d $srv > /dev/null
rm -f /tmp/web_bulk_cold.$$
