#!/usr/bin/env bash
# What a mail table's toast_tuple_target costs in disk and saves (or costs)
# in reading: linuxppc-dev-first5k ingested by one `parsearchive` into a
# throwaway cluster (fsync on, shared_buffers 256MB, autovacuum off), with
# --sql FILE run on the migrated database first (an ALTER TABLE … SET
# (toast_tuple_target = …), say); then
#   * the WAL the ingest wrote (pg_current_wal_lsn before and after);
#   * after a CHECKPOINT, the database's size and each mail table's heap,
#     TOAST and indexes;
#   * the server's instructions per read of one mail row (callgrind: the
#     postmaster restarted under valgrind, `pgbench -M prepared -c 1 -t N`
#     for N = --reads and 2 × --reads, the difference over --reads), of the patches and of the comments whose texts
#     (headers, content, diff) are 4,000-8,000 bytes: the rows a target of
#     8,160 keeps whole and 4,080 compresses. The statement reads what the
#     API's detail reads of the row (its texts, sent to the client).
#
# Usage: bash bench/pg_toast_target.sh --binary B [--sql FILE] [--reads 2000] [--mbox FILE]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
binary="$repo/build/patchbay"
sql=""
reads=2000
mbox=""
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=$(realpath "$2"); shift 2 ;;
    --sql) sql=$(realpath "$2"); shift 2 ;;
    --reads) reads=$2; shift 2 ;;
    --mbox) mbox=$(realpath "$2"); shift 2 ;;
    *) echo "pg_toast_target: unknown argument $1" >&2; exit 2 ;;
  esac
done
source "$repo/bench/pg_bench_lib.sh"
pg_bench_workdir patchbay-pgtoast
pg_bench_archive
pg_bench_start -c autovacuum=off
psql() { "$pg_bin/psql" -qAtX "$@"; }
pg_bench_fresh_db
[ -z "$sql" ] || psql "$db" -v ON_ERROR_STOP=1 -f "$sql" >/dev/null
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}'), $mails mails$([ -n "$sql" ] && echo ", $(basename "$sql") first"), load $(cut -d' ' -f1-3 /proc/loadavg)"
psql "$db" -c "SELECT reloptions FROM pg_class WHERE relname = 'patches'" | sed 's/^/patches reloptions: /'
lsn0=$(psql "$db" -c "SELECT pg_current_wal_lsn()")
"$binary" parsearchive -q --database "$db" --list-id linuxppc-dev.lists.ozlabs.org "$mbox"
psql "$db" -c "SELECT 'WAL written by the ingest: ' || ROUND(pg_wal_lsn_diff(pg_current_wal_lsn(), '$lsn0') / 1e6, 2) || ' MB'"
psql "$db" -c "CHECKPOINT"
psql "$db" -c "SELECT 'database: ' || ROUND(pg_database_size(current_database()) / 1e6, 2) || ' MB'"
psql -F ' ' "$db" -c "SELECT relname || ': heap ' || ROUND(pg_relation_size(oid) / 1e6, 2) || ' MB, toast ' || ROUND(COALESCE(pg_total_relation_size(NULLIF(reltoastrelid, 0)), 0) / 1e6, 2) || ' MB, indexes ' || ROUND(pg_indexes_size(oid) / 1e6, 2) || ' MB' FROM pg_class WHERE relname IN ('patches', 'patch_comments', 'covers', 'cover_comments', 'held_mails') ORDER BY relname"
# The rows of 4,000-8,000 bytes of text, numbered for pgbench.
len="COALESCE(octet_length(headers), 0) + COALESCE(octet_length(content), 0)"
psql "$db" -c "CREATE TABLE pb_read_p AS SELECT row_number() OVER (ORDER BY id) AS k, id FROM patches WHERE $len + COALESCE(octet_length(diff), 0) BETWEEN 4000 AND 8000" \
  -c "CREATE TABLE pb_read_c AS SELECT row_number() OVER (ORDER BY id) AS k, id FROM patch_comments WHERE $len BETWEEN 4000 AND 8000" \
  -c "CREATE UNIQUE INDEX ON pb_read_p (k)" -c "CREATE UNIQUE INDEX ON pb_read_c (k)"
np=$(psql "$db" -c "SELECT COUNT(*) FROM pb_read_p")
nc=$(psql "$db" -c "SELECT COUNT(*) FROM pb_read_c")
psql "$db" -c "SELECT 'rows of 4,000-8,000 bytes: $np patches (' || COUNT(*) FILTER (WHERE pg_column_compression(headers) IS NOT NULL OR pg_column_compression(content) IS NOT NULL OR pg_column_compression(diff) IS NOT NULL) || ' with a compressed text)' FROM patches WHERE id IN (SELECT id FROM pb_read_p)"
psql "$db" -c "SELECT '                           $nc patch comments (' || COUNT(*) FILTER (WHERE pg_column_compression(headers) IS NOT NULL OR pg_column_compression(content) IS NOT NULL) || ' with a compressed text)' FROM patch_comments WHERE id IN (SELECT id FROM pb_read_c)"
cat > "$work/read_p.sql" <<EOF
\set k random(1, $np)
SELECT p.id, p.name, p.headers, p.content, p.diff FROM patches p WHERE p.id = (SELECT id FROM pb_read_p WHERE k = :k);
EOF
cat > "$work/read_c.sql" <<EOF
\set k random(1, $nc)
SELECT c.id, c.msgid, c.headers, c.content FROM patch_comments c WHERE c.id = (SELECT id FROM pb_read_c WHERE k = :k);
EOF
chmod 644 "$work"/read_*.sql
as_pg "$pg_bin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null
pg_bench_start_callgrind "$work/server-cg.log"
# A backend's count for N reads, its start included.
reads_ir() {  # $1 kind, $2 N
  ls "$work/cg" | sort > "$work/before.txt"
  "$pg_bin/pgbench" -n -M prepared -c 1 -t "$2" -f "$work/read_$1.sql" "$db" >"$work/pgbench.log" 2>&1 ||
    { cat "$work/pgbench.log" >&2; exit 1; }
  # pgbench opens two connections (one to set up, one for the client); each
  # backend writes its count as it exits, which under valgrind takes a
  # while. The client's is the larger.
  local n
  for _ in $(seq 300); do
    n=0
    for f in $(comm -13 "$work/before.txt" <(ls "$work/cg" | sort)); do
      [ -n "$(awk '/^(summary|totals):/ {print $2; exit}' "$work/cg/$f")" ] && n=$((n + 1))
    done
    [ "$n" -ge 2 ] && break
    sleep 0.2
  done
  for f in $(comm -13 "$work/before.txt" <(ls "$work/cg" | sort)); do
    awk '/^(summary|totals):/ {print $2; exit}' "$work/cg/$f"
  done | sort -n | tail -1
}
for kind in p c; do
  reads_ir $kind 50 >/dev/null  # the rows into shared buffers
  a=$(reads_ir $kind "$reads")
  b=$(reads_ir $kind $((2 * reads)))
  echo "$([ $kind = p ] && echo patches || echo 'patch comments'): $(( (b - a) / reads )) Ir per read ($reads and $((2 * reads)) reads by one backend: $a and $b Ir)"
done
as_pg "$pg_bin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null 2>&1 || true
sleep 1
