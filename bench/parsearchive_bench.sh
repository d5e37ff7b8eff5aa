#!/usr/bin/env bash
# `patchbay parsearchive` end to end: CPU per mail, mails per second of wall
# time and peak RSS, over --runs fresh SQLite databases on disk.
#
#   bash bench/parsearchive_bench.sh [--binary build/patchbay] [--runs 3]
#                                    [--mbox PATH[.zst]] [--list-id ID]
#
# Default input: the real linuxppc-dev archive of ../shared (5,000 mails,
# 46 MB), else 5,000 generated mails (bench/gen_mbox.py). Each run creates
# the project and times only `parsearchive -q` with /usr/bin/time (user +
# sys = CPU; the parse thread's CPU is included). The load average is printed
# before and after: the machine is shared, compare CPU, not wall, under load.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=build/patchbay runs=3 mbox="" list_id=""
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --mbox) mbox=$2; shift 2 ;;
    --list-id) list_id=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
real=../shared/corpus/real-lists/linuxppc-dev-first5k.mbox.zst
if [ -z "$mbox" ] && [ -f "$real" ]; then mbox=$real; list_id=linuxppc-dev.lists.ozlabs.org; fi
if [ -z "$mbox" ]; then
  python3 bench/gen_mbox.py -n 5000 --seed 1 -o "$tmp/in.mbox"
  mbox=$tmp/in.mbox; list_id=bench.lists.example.org
fi
if [[ "$mbox" == *.zst ]]; then zstd -qdc "$mbox" > "$tmp/in.mbox"; mbox=$tmp/in.mbox; fi
list_id=${list_id:-bench.lists.example.org}
mails=$(grep -c '^From ' "$mbox")
echo "input: $mbox ($mails mails, $(( $(stat -c %s "$mbox") / 1048576 )) MB), binary $binary"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq "$runs"); do
  rm -f "$tmp"/x.db*
  "$binary" project create --database "sqlite://$tmp/x.db" --linkname list --name list \
    --listid "$list_id" --listemail "list@example.org" >/dev/null
  /usr/bin/time -f "%e %U %S %M" -o "$tmp/time" "$binary" parsearchive --database "sqlite://$tmp/x.db" \
    --list-id "$list_id" "$mbox" > "$tmp/out"
  read -r wall user sys rss < "$tmp/time"
  summary=$(grep -E 'patches|cover|comments|errors' "$tmp/out" | awk '{printf "%s %s; ", $1, $2}')
  python3 - "$wall" "$user" "$sys" "$rss" "$mails" "$i" "$summary" <<'PY'
import sys
wall, user, sys_, rss, mails, run, summary = sys.argv[1:]
wall, cpu, mails = float(wall), float(user) + float(sys_), int(mails)
print(f"run {run}: {wall:.2f} s wall, {cpu:.2f} s CPU ({float(user):.2f} user + {float(sys_):.2f} sys), "
      f"{cpu / mails * 1e6:.0f} us CPU/mail, {mails / wall:,.0f} mails/s wall, "
      f"max RSS {int(rss) / 1024:.0f} MB  [{summary.strip()}]")
PY
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
