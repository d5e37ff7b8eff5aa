#!/usr/bin/env bash
# The CPU an ingest into PostgreSQL costs per mail, client and server, and
# the rate two cores could give at best (issue #12: linuxppc-dev-first5k
# with 2 ingesters >= 3,000 mails/s, i.e. at most 667 us of CPU per mail
# on this 2-core machine, whatever overlaps). Unlike pg_ingest_profile.sh
# nothing is traced, so the client's CPU is its own.
#
# Each run: a fresh database, then the archive ingested by one
# `parsearchive -q`; the server's CPU (user + sys of the postmaster and its
# children, live and ended, from /proc) and the client's (/usr/bin/time) are
# read around it. Prints per run, then the best run's sum:
#   server us/mail, client us/mail, wall, and
#   "2-core bound": 2 s of CPU per second / (server + client per mail);
#   "serial bound": 1 / (server + client store thread) per mail: the rate
#   of two ingesters while every write of a batch holds the one write lock,
#   taken as 1 / (server + client - parse thread) (--callgrind splits it).
# --callgrind: also runs one client under callgrind (--separate-threads)
# over the first --cg-mails mails and prints each thread's instructions per
# mail (the store thread's are all spent while the batch holds the lock).
#
# Usage: bash bench/pg_ingest_budget.sh [--binary build/patchbay] [--runs 3]
#                                       [--mbox FILE] [--callgrind] [--cg-mails 5000]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
binary="$repo/build/patchbay"
runs=3
mbox=""
callgrind=0
cg_mails=5000
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=$(realpath "$2"); shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --mbox) mbox=$(realpath "$2"); shift 2 ;;
    --callgrind) callgrind=1; shift ;;
    --cg-mails) cg_mails=$2; shift 2 ;;
    *) echo "pg_ingest_budget: unknown argument $1" >&2; exit 2 ;;
  esac
done
source "$repo/bench/pg_bench_lib.sh"
pg_bench_workdir patchbay-pgbudget
pg_bench_archive
pg_bench_start
psql() { "$pg_bin/psql" -qAtX "$@"; }
ticks=$(getconf CLK_TCK)
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}'), $mails mails, $(basename "$binary"), load $(cut -d' ' -f1-3 /proc/loadavg)"
for run in $(seq "$runs"); do
  pg_bench_fresh_db
  sleep 0.5
  s0=$(server_ticks)
  t0=$(date +%s.%N)
  /usr/bin/time -f "%U %S" -o "$work/time.txt" \
    "$binary" parsearchive -q --database "$db" --list-id linuxppc-dev.lists.ozlabs.org "$mbox"
  t1=$(date +%s.%N)
  sleep 0.5  # backends account their last ticks
  s1=$(server_ticks)
  read -r cu cs < "$work/time.txt"
  python3 - "$run" "$s0" "$s1" "$ticks" "$cu" "$cs" "$t0" "$t1" "$mails" "$(cut -d' ' -f1 /proc/loadavg)" <<'EOF'
import sys
run, s0, s1, tk, cu, cs, t0, t1, n, load = sys.argv[1:]
server = (int(s1) - int(s0)) / int(tk) / int(n) * 1e6
client = (float(cu) + float(cs)) / int(n) * 1e6
wall = float(t1) - float(t0)
print("run %s: server %.0f us/mail, client %.0f us/mail (user %.2f s, sys %.2f s), sum %.0f us/mail; "
      "wall %.2f s, %d mails/s; 2-core bound %d mails/s; load %s"
      % (run, server, client, float(cu), float(cs), server + client, wall, int(n) / wall,
         2e6 / (server + client), load))
EOF
done

if [ "$callgrind" = 1 ]; then
  python3 - "$mbox" "$work/cg.mbox" "$cg_mails" <<'PY'
import re, sys
data = open(sys.argv[1], "rb").read()
msgs = [m for m in re.split(rb"(?m)^(?=From )", data) if m]
open(sys.argv[2], "wb").write(b"".join(msgs[: int(sys.argv[3])]))
PY
  pg_bench_fresh_db
  mkdir -p "$work/cg"
  valgrind -q --tool=callgrind --separate-threads=yes --callgrind-out-file="$work/cg/client" \
    "$binary" parsearchive -q --database "$db" --list-id linuxppc-dev.lists.ozlabs.org "$work/cg.mbox"
  # One file per thread (client-01 is main, the store thread; the parse
  # thread is the other one that ran long).
  for f in "$work"/cg/client*; do
    ir=$(awk '/^(summary|totals):/ {print $2; exit}' "$f")
    echo "client thread $(basename "$f"): $ir Ir, $((ir / cg_mails)) per mail"
  done
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
