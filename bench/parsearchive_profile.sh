#!/usr/bin/env bash
# The steady measures of `patchbay parsearchive` on a loaded machine:
# instructions per thread (callgrind --separate-threads=yes; thread 1 is the
# store thread, thread 2 the parse thread) and, per file, the pread/pwrite
# calls, the bytes they moved, how far into the file they reached (the
# page-cache pages a run makes) and the syncs (strace). Wall and CPU times
# move with the load; these do not.
#
#   bash bench/parsearchive_profile.sh [--binary build/patchbay] [--mbox PATH[.zst]] [--list-id ID]
#                                      [--no-callgrind] [--no-strace]
set -euo pipefail
cd "$(dirname "$0")/.."
binary=build/patchbay mbox=../shared/corpus/real-lists/linuxppc-dev-first5k.mbox.zst
list_id=linuxppc-dev.lists.ozlabs.org callgrind=1 strace=1
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=$2; shift 2 ;;
    --mbox) mbox=$2; shift 2 ;;
    --list-id) list_id=$2; shift 2 ;;
    --no-callgrind) callgrind=0; shift ;;
    --no-strace) strace=0; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [[ "$mbox" == *.zst ]]; then zstd -qdc "$mbox" > "$tmp/in.mbox"; mbox=$tmp/in.mbox; fi
fresh() {
  rm -f "$tmp"/x.db*
  "$binary" project create --database "sqlite://$tmp/x.db" --linkname list --name list \
    --listid "$list_id" --listemail list@example.org >/dev/null
}
echo "binary $binary, load $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$callgrind" = 1 ]; then
  fresh
  valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$tmp/cg.%p" \
    "$binary" parsearchive -q --database "sqlite://$tmp/x.db" --list-id "$list_id" "$mbox" 2> "$tmp/cg.log"
  for f in "$tmp"/cg.*-0*; do
    n=$(callgrind_annotate "$f" 2>/dev/null | awk '/PROGRAM TOTALS/ {print $1}')
    echo "thread ${f##*-}: $n instructions"
  done
fi
if [ "$strace" = 1 ]; then
  fresh
  strace -f -e trace=pwrite64,pread64,openat,fdatasync,fsync -o "$tmp/st.txt" \
    "$binary" parsearchive -q --database "sqlite://$tmp/x.db" --list-id "$list_id" "$mbox"
  python3 - "$tmp/st.txt" <<'PY'
import collections, re, sys
names, calls = {}, collections.defaultdict(lambda: [0, 0, 0])
for line in open(sys.argv[1]):
    m = re.search(r'openat\(.*?"([^"]+)".* = (\d+)$', line)
    if m:
        names[m.group(2)] = m.group(1).rsplit('/', 1)[-1]
        continue
    m = re.search(r'(pwrite64|pread64)\((\d+),.*, (\d+), (\d+)\) = (\d+)', line)
    if m:
        c = calls[(names.get(m.group(2), m.group(2)), m.group(1))]
        c[0] += 1
        c[1] += int(m.group(5))
        c[2] = max(c[2], int(m.group(4)) + int(m.group(5)))
        continue
    m = re.search(r'(fdatasync|fsync)\((\d+)', line)
    if m:
        calls[(names.get(m.group(2), m.group(2)), m.group(1))][0] += 1
for (name, call), (n, moved, end) in sorted(calls.items()):
    if call.startswith('p'):
        print(f"{name:12} {call:9} {n:7,} calls {moved / 1e6:6.1f} MB, up to {end / 1e6:5.1f} MB into the file")
    else:
        print(f"{name:12} {call:9} {n:7,}")
PY
fi
