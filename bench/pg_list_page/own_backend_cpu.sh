#!/bin/bash
# own_backend_cpu.sh N FILE...: `pgbench -n -M prepared -c1 -t N` of each file in turn, and the CPU
# of pgbench's own backend per transaction (§9u): /proc/<pid>/schedstat (ns, all the backend's
# work including its connection start-up), sampled until the backend exits, so other clients of a
# shared cluster are not counted (run.sh counts the whole cluster). PB_PG: the cluster's URL
# (default: the 1M benchmark cluster of docs/performance.md §9s).
PG=${PB_PG:-'postgresql://postgres@/bench?host=/work/main/build/bench-data/pg&port=48685'}
n=$1; shift
app=pgb-own-$$
for f in "$@"; do
  l=$(cut -d' ' -f1 /proc/loadavg)
  out=$(mktemp)
  PGAPPNAME=$app pgbench -n -M prepared -c1 -t "$n" -f "$f" "$PG" > "$out" 2>&1 &
  B=$!
  pid=
  for _ in $(seq 100); do
    pid=$(psql -qAtX "$PG" -c "SELECT pid FROM pg_stat_activity WHERE application_name = '$app'")
    [ -n "$pid" ] && break
    sleep 0.02
  done
  last=
  while [ -n "$pid" ] && v=$(awk '{print $1}' /proc/$pid/schedstat 2>/dev/null) && [ -n "$v" ]; do
    last=$v
    sleep 0.02
  done
  wait $B
  tps=$(awk '/^tps/{print int($3)}' "$out")
  rm -f "$out"
  if [ -n "$last" ]; then us=$((last / 1000 / n)); else us="n/a (the run ended before its backend was found)"; fi
  echo "$(basename "$f") backend_us=$us tps=$tps load=$l"
done
