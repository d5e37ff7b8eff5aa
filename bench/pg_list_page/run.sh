#!/bin/bash
# run.sh FILE...: pgbench -n -M prepared -c1 -T${PGB_T:-3} of each file in turn on the 1M benchmark
# cluster (socket dir and port below), the cluster's CPU per transaction from /proc (§9n).
pgdata=/work/main/build/bench-data/pg/data
pm=$(head -1 $pgdata/postmaster.pid)
pgticks() { local t=0 p v; for p in $pm $(pgrep -P "$pm"); do v=$(sed 's/^.*) //' /proc/$p/stat 2>/dev/null | awk '{print $12+$13+$14+$15}'); [ -n "$v" ] && t=$((t + v)); done; echo $t; }
hz=$(getconf CLK_TCK)
for f in "$@"; do
  g0=$(pgticks); l=$(cut -d' ' -f1 /proc/loadavg)
  out=$(pgbench -n -M prepared -c1 -T${PGB_T:-3} -f $f -h /work/main/build/bench-data/pg -p 54400 -U postgres bench 2>&1)
  sleep 0.5; g1=$(pgticks)
  n=$(echo "$out" | awk -F': ' '/actually processed/{print $2}')
  echo "$f n=$n pg_us=$(( (g1-g0)*1000000/hz/n )) load=$l"
done
