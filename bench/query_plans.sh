#!/usr/bin/env bash
# EXPLAIN QUERY PLAN of the SQL that `patchbay serve` runs for the endpoints
# of bench/api_bench.sh, taken from the server itself, not reconstructed:
# an LD_PRELOAD shim (bench/sqltrace.c) registers sqlite3_trace_v2 on every
# connection the server opens and logs each finished statement with its
# bound values expanded. src/ is not touched.
#
# Usage:
#   bash bench/query_plans.sh                       # project 7, build/patchbay
#   bash bench/query_plans.sh --binary build-bench/patchbay --project 7 --db PATH
#   bash bench/query_plans.sh --only list-new-last,events-last --runs 50
#
# For each endpoint it requests the page twice on a one-thread server
# (--threads 1) and prints every statement of the first request (those that
# the second request no longer runs are marked: per-thread caches such as
# the COUNT cache), then for each SELECT:
#   * EXPLAIN QUERY PLAN on the benchmark database (which has sqlite_stat1:
#     gen_db_1m.sh runs ANALYZE);
#   * the plan SQLite picks without sqlite_stat1 (the same schema in an
#     empty in-memory database), when it differs: patchbay never runs
#     ANALYZE itself, so that is the plan of a server whose admin didn't;
#   * the statement's cost: from the trace, the time the server spent in
#     sqlite3_step for it (first and second request), and the mean wall time
#     of --runs executions alone (Python's sqlite3 module, the same SQLite
#     3.40, cache_size=-16384 as the server; warm OS page cache).
# Needs cc (to build the shim), sqlite3, python3, curl; a patchbay linked
# dynamically against libsqlite3 (Debian's default build is).
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
source bench/api_lib.sh

binary=build/patchbay
project=7
db=""
port=18185
only=""
runs=20
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=$2; shift 2 ;;
    --project) project=$2; shift 2 ;;
    --db) db=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --only) only=",$2,"; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -e/{/^set -e/!p}' "$0"; exit 0 ;;
    *) echo "query_plans: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -x "$binary" ] || { echo "query_plans: no binary at $binary" >&2; exit 1; }
binary="$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")"
ldd "$binary" | grep -q libsqlite3 ||
  { echo "query_plans: $binary is not linked against libsqlite3.so; the trace shim cannot work" >&2; exit 1; }
[ -n "$db" ] || db=$(bash bench/gen_db_1m.sh --binary "$binary" --print-path)

tmp="$(mktemp -d /tmp/pb-plans.XXXXXX)"
server_pid=""
trap 'api_stop_server; rm -rf "$tmp"' EXIT
cc -O2 -shared -fPIC -o "$tmp/sqltrace.so" bench/sqltrace.c -ldl
serve_args=(--threads 1)
# Binaries with the per-generation response cache would answer the second
# request from it, without SQL.
if grep -qa -- "--no-response-cache" "$binary"; then serve_args+=(--no-response-cache); fi
# The endpoints (last pages from Link headers) from a plain server ...
api_start_server "$binary" "$db" "$port" "$tmp/server.log"
api_endpoints "$db" "$project" "$tmp"
api_stop_server

echo "# Query plans: $(date -u '+%Y-%m-%d %H:%M UTC'), project $project, $(basename "$db") in $(dirname "$db")"
echo "# binary $binary ($(sha1sum < "$binary" | cut -c1-12)), SQLite $(sqlite3 --version | cut -d' ' -f1)"
for i in "${!ep_names[@]}"; do
  name=${ep_names[$i]}
  if [ -n "$only" ] && [[ "$only" != *",$name,"* ]]; then continue; fi
  path=${ep_paths[$i]}
  [ "$name" = detail ] && path="/api/patches/$(sed -n 1p "$tmp/ids.txt")/"
  # ... then, per endpoint, a fresh traced server: the first request shows
  # what a thread runs cold (catalog, COUNT), the second the steady state.
  : > "$tmp/sql.log"
  api_start_server "$binary" "$db" "$port" "$tmp/server.log" \
    LD_PRELOAD="$tmp/sqltrace.so" PB_SQLTRACE="$tmp/sql.log"
  a=$(wc -l < "$tmp/sql.log")
  code1=$(curl -s -o /dev/null -w '%{http_code}' "$base$path")
  b=$(wc -l < "$tmp/sql.log")
  code2=$(curl -s -o /dev/null -w '%{http_code}' "$base$path")
  c=$(wc -l < "$tmp/sql.log")
  api_stop_server
  sed -n "$((a + 1)),${b}p" "$tmp/sql.log" > "$tmp/$name.first"
  sed -n "$((b + 1)),${c}p" "$tmp/sql.log" > "$tmp/$name.second"
  echo
  echo "## $name: GET $path (HTTP $code1, $code2)"
  python3 - "$db" "$tmp/$name.first" "$tmp/$name.second" "$runs" <<'EOF'
import sqlite3, sys, time
db, first, second, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

def load(path):
    out = []
    for line in open(path, encoding="utf-8", errors="replace"):
        tid, us, nrows, sql = line.rstrip("\n").split("\t", 3)
        out.append((float(us), int(nrows), sql))
    return out

skip = ("PRAGMA", "BEGIN", "COMMIT", "ROLLBACK", "CREATE TABLE IF NOT EXISTS schema_migrations")
stmts = [x for x in load(first) if not x[2].startswith(skip)]
again = {x[2]: x for x in load(second)}
con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
con.execute("PRAGMA cache_size=-16384")
bare = sqlite3.connect(":memory:")   # same schema, no sqlite_stat1
for (sql,) in con.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL "
                          "AND name NOT LIKE 'sqlite_stat%' ORDER BY rowid"):
    bare.execute(sql)

def plan(c, sql):
    rows = c.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
    depth = {0: 0}
    out = []
    for id_, parent, _, detail in rows:
        depth[id_] = depth.get(parent, 0) + 1
        out.append("  " * depth[id_] + detail)
    return out

for n, (us, nrows, sql) in enumerate(stmts, 1):
    if sql in again:
        when = "in the server: %.0f µs cold, %.0f µs warm, %d rows" % (us, again[sql][0], nrows)
    else:
        when = ("in the server: %.0f µs, %d rows; first request on a thread only "
                "(per-thread cache: not run by the second request)" % (us, nrows))
    print("\n%d. %s\n```sql\n%s\n```" % (n, when, sql))
    if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
        continue
    p = plan(con, sql)
    print("```\n" + "\n".join(p) + "\n```")
    pb = plan(bare, sql)
    if pb != p:
        print("without sqlite_stat1:\n```\n" + "\n".join(pb) + "\n```")
    t = time.perf_counter()
    for _ in range(runs):
        rows = con.execute(sql).fetchall()
    ms = (time.perf_counter() - t) * 1000 / runs
    print("alone: %.3f ms per run (mean of %d), %d rows" % (ms, runs, len(rows)))
EOF
done
