# Shared by the bench/pg_ingest_*.sh scripts (source it): a throwaway
# PostgreSQL cluster in a work directory of its own (own socket, no TCP,
# removed at exit, run as user postgres when root), the archive split into
# two halves for two ingesters, and fresh databases for each run.

# Makes $work (mktemp -d with prefix $1), sets $pg_bin and as_pg, and removes
# both the cluster and $work when the script exits.
pg_bench_workdir() {
  work=$(mktemp -d "/tmp/$1-XXXXXX")
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  trap pg_bench_cleanup EXIT
  chmod 755 "$work"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$work"; fi
}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_bench_cleanup() {
  [ -f "$work/data/postmaster.pid" ] && as_pg "$pg_bin/pg_ctl" -D "$work/data" -m immediate -w stop >/dev/null 2>&1
  rm -rf "$work"
}

# Sets $mbox (linuxppc-dev-first5k from ../shared unless $mbox is set),
# $mails, and writes $work/half0.mbox and $work/half1.mbox: alternate mails
# by default, or with split=halves the first and the second half of the
# archive, each contiguous (issue #12 feeds its concurrency test "the
# quarters of a real archive": whole threads mostly stay in one half).
pg_bench_archive() {
  if [ -z "$mbox" ]; then
    local zst="$repo/../shared/corpus/real-lists/linuxppc-dev-first5k.mbox.zst"
    [ -f "$zst" ] || { echo "$(basename "$0"): no --mbox and no $zst" >&2; exit 2; }
    mbox="$work/archive.mbox"
    zstd -qdc "$zst" > "$mbox"
  fi
  python3 - "$mbox" "$work/half0.mbox" "$work/half1.mbox" "${split:-alternate}" <<'PY'
import re, sys
data = open(sys.argv[1], "rb").read()
msgs = [m for m in re.split(rb"(?m)^(?=From )", data) if m]
for k in (0, 1):
    if sys.argv[4] == "halves":
        half = (len(msgs) + 1) // 2
        part = msgs[:half] if k == 0 else msgs[half:]
    else:
        part = msgs[k::2]
    open(sys.argv[2 + k], "wb").write(b"".join(part))
PY
  mails=$(grep -c '^From ' "$mbox")
}

# After pg_bench_archive: the archive's first $limit mails in $work/first.mbox,
# and their two halves (alternate mails, or with split=halves the first and
# the second half) in $work/first.mbox0 and $work/first.mbox1.
pg_bench_first_mails() {
  python3 - "$mbox" "$work/first.mbox" "$limit" "${split:-alternate}" <<'PY'
import re, sys
data = open(sys.argv[1], "rb").read()
msgs = [m for m in re.split(rb"(?m)^(?=From )", data) if m]
first = msgs[: int(sys.argv[3])]
open(sys.argv[2], "wb").write(b"".join(first))
half = (len(first) + 1) // 2
for k in (0, 1):
    part = (first[:half] if k == 0 else first[half:]) if sys.argv[4] == "halves" else first[k::2]
    open(sys.argv[2] + str(k), "wb").write(b"".join(part))
PY
}

# initdb and start (fsync on), with any extra server options as arguments;
# sets $port and $admin (a URL of the postgres database).
pg_bench_start() {
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  as_pg "$pg_bin/initdb" -D "$work/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  as_pg "$pg_bin/pg_ctl" -D "$work/data" -w -l "$work/server.log" \
    -o "-k $work -p $port -c listen_addresses='' -c shared_buffers=256MB $*" start >/dev/null
  admin="postgresql://postgres@/postgres?host=$work&port=$port"
}

# After initdb of $work/data (with $port): the server under callgrind, a
# count per process in $work/cg/cg.<pid>, autovacuum off, its log in $1;
# returns once it answers, with $admin set.
pg_bench_start_callgrind() {
  mkdir -p "$work/cg"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$work/cg"; fi
  as_pg valgrind -q --tool=callgrind --callgrind-out-file="$work/cg/cg.%p" \
    "$pg_bin/postgres" -D "$work/data" -k "$work" -p "$port" -c listen_addresses='' \
    -c shared_buffers=256MB -c autovacuum=off >"$1" 2>&1 &
  for _ in $(seq 600); do
    "$pg_bin/pg_isready" -q -h "$work" -p "$port" && break
    sleep 0.2
  done
  admin="postgresql://postgres@/postgres?host=$work&port=$port"
}

# After pg_bench_start: a fresh, empty database "bench" holding the
# archive's project (linuxppc-dev) made by $binary; sets $db, its URL.
pg_bench_fresh_db() {
  "$pg_bin/psql" -qX "$admin" -c "DROP DATABASE IF EXISTS bench" -c "CREATE DATABASE bench" >/dev/null
  db="postgresql://postgres@/bench?host=$work&port=$port"
  "$binary" project create --database "$db" --linkname linuxppc-dev --name linuxppc-dev \
    --listid linuxppc-dev.lists.ozlabs.org --listemail linuxppc-dev@lists.ozlabs.org >/dev/null
}

# The server's CPU in clock ticks, after pg_bench_start: the postmaster and
# its children, live and ended.
server_ticks() {
  python3 - "$(head -1 "$work/data/postmaster.pid")" <<'EOF'
import os, sys
pm = sys.argv[1]
def stat(pid):
    s = open(f"/proc/{pid}/stat").read()
    return s[s.rindex(")") + 2:].split()
f = stat(pm)
total = int(f[11]) + int(f[12]) + int(f[13]) + int(f[14])  # utime stime cutime cstime
for pid in os.listdir("/proc"):
    if not pid.isdigit(): continue
    try:
        g = stat(pid)
        if g[1] == pm: total += int(g[11]) + int(g[12])
    except OSError:
        pass
print(total)
EOF
}
