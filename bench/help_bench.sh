#!/usr/bin/env bash
# `patchbay help` CPU time (issue #13: <= 1 ms), beside the floor this machine
# puts under any process: an empty dynamically linked C program, run the same
# way. Rounds alternate the programs, so a change of load hits all of them.
#
# Usage: bash bench/help_bench.sh [--binary build/patchbay] [--base OTHER]
#          [--rounds 5] [--runs 300]
# Prints, per round and program, perf stat's task-clock (ms) and page faults,
# then each program's median over the rounds. Needs perf and cc.
set -euo pipefail
binary=build/patchbay
base=""
rounds=5
runs=300
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=$2; shift 2 ;;
    --base) base=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    *) echo "help_bench: unknown argument $1" >&2; exit 2 ;;
  esac
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'int main(void) { return 0; }\n' > "$work/empty.c"
cc -O2 -o "$work/empty-dynamic" "$work/empty.c"
# The floor of any program that starts glibc: nothing linked at run time.
cc -O2 -static -o "$work/empty-static" "$work/empty.c"

programs=("$binary help")
[ -n "$base" ] && programs+=("$base help")
programs+=("$work/empty-dynamic" "$work/empty-static")
names=("$binary")
[ -n "$base" ] && names+=("$base")
names+=("empty dynamic C" "empty static C")

echo "load $(cut -d' ' -f1-3 /proc/loadavg); $rounds rounds of perf stat -r $runs"
for ((r = 1; r <= rounds; r++)); do
  for i in "${!programs[@]}"; do
    read -r -a cmd <<< "${programs[$i]}"
    perf stat -x, -r "$runs" -e task-clock,page-faults "${cmd[@]}" 2>&1 >/dev/null |
      awk -F, -v name="${names[$i]}" -v r="$r" '
        $3 == "task-clock" {ms = $1} $3 == "page-faults" {pf = $1}
        END {printf "round %d  %-40s %.3f ms  %d faults\n", r, name, ms, pf}'
  done
done | tee "$work/rounds.txt"
echo "medians:"
for name in "${names[@]}"; do
  grep -F "  $name " "$work/rounds.txt" | awk '{print $(NF-3), $(NF-1)}' | sort -n |
    awk -v name="$name" '{ms[NR] = $1; pf[NR] = $2}
      END {m = int((NR + 1) / 2); printf "  %-40s %.3f ms  %d faults\n", name, ms[m], pf[m]}'
done
