#!/usr/bin/env bash
# Where an ingest into PostgreSQL spends its work, counted rather than timed
# (wall time on the shared 2-core machine follows its load): for one
# `parsearchive` of an archive into a fresh database, or two at once (each
# fed alternate mails, as bench/pg_ingest_bench.sh does),
#   * server CPU: user + sys of the postmaster's children (/proc), read
#     before and after the ingest (ended backends are in cutime/cstime);
#   * statements: pg_stat_statements (track = all, so statements run by
#     triggers and foreign-key checks count too), calls and execution time,
#     the largest listed;
#   * round trips: `strace -f -c -e trace=sendto` of the ingester(s);
#   * client CPU: /usr/bin/time of the ingester(s) (under strace);
#   * the stored rows, dumped in id order without the columns that hold the
#     time of the ingest (events.date, held_mails.held), to `cmp` two
#     binaries' ingests.
# A throwaway cluster as in pg_ingest_bench.sh (fsync on, shared_buffers
# 256MB) plus pg_stat_statements, removed at the end.
#
# Usage: bash bench/pg_ingest_profile.sh [--binary build/patchbay] [--ingesters 1|2|seq]
#                                        [--mbox FILE] [--out DIR] [--sqlite] [--planning]
# --sqlite: also ingest (one process) into an SQLite file and dump its rows
# the same way (OUT/dump-sqlite.txt).
# --ingesters seq: the two halves (alternate mails, or split=halves in the
# environment: contiguous) by one ingester each, one after the other: the
# replies that reach the database before their parents (held, attached,
# moved) of two ingesters, in an order that repeats, so that two binaries'
# dumps compare (also on SQLite with --sqlite).
# --planning: pg_stat_statements.track_planning on, and OUT/plans.txt lists
# how often each statement was planned and the planning time (which the
# tracking itself adds a little to).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
binary="$repo/build/patchbay"
ingesters=1
mbox=""
out=""
sqlite=0
planning=off
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=$(realpath "$2"); shift 2 ;;
    --ingesters) ingesters=$2; shift 2 ;;
    --mbox) mbox=$(realpath "$2"); shift 2 ;;
    --out) out=$2; shift 2 ;;
    --sqlite) sqlite=1; shift ;;
    --planning) planning=on; shift ;;
    *) echo "pg_ingest_profile: unknown argument $1" >&2; exit 2 ;;
  esac
done
source "$repo/bench/pg_bench_lib.sh"
pg_bench_workdir patchbay-pgprof
[ -n "$out" ] || out=$work/out
mkdir -p "$out"
out=$(realpath "$out")
pg_bench_archive
pg_bench_start -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all \
  -c pg_stat_statements.track_planning=$planning
db="postgresql://postgres@/bench?host=$work&port=$port"
psql() { "$pg_bin/psql" -qAtX "$@"; }
psql "$admin" -c "CREATE DATABASE bench"
psql "$db" -c "CREATE EXTENSION pg_stat_statements"
"$binary" project create --database "$db" --linkname linuxppc-dev --name linuxppc-dev \
  --listid linuxppc-dev.lists.ozlabs.org --listemail linuxppc-dev@lists.ozlabs.org >/dev/null

# Server CPU in clock ticks (server_ticks of pg_bench_lib.sh).
ticks=$(getconf CLK_TCK)

echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}'), $ingesters ingester(s), $mails mails, load before $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$out/summary.txt"
psql "$db" -c "SELECT pg_stat_statements_reset()" >/dev/null
s0=$(server_ticks)
t0=$(date +%s.%N)
run() {  # $1 mbox, $2 tag
  strace -f -c -o "$out/strace-$2.txt" -e trace=sendto \
    /usr/bin/time -f "%U %S" -o "$out/time-$2.txt" \
    "$binary" parsearchive -q --database "$db" --list-id linuxppc-dev.lists.ozlabs.org "$1"
}
if [ "$ingesters" = 1 ]; then
  run "$mbox" a
elif [ "$ingesters" = seq ]; then
  run "$work/half0.mbox" a
  run "$work/half1.mbox" b
else
  run "$work/half0.mbox" a & a=$!
  run "$work/half1.mbox" b & b=$!
  wait $a; wait $b
fi
t1=$(date +%s.%N)
sleep 0.5
s1=$(server_ticks)
{
  python3 -c "w=$t1-$t0; print('wall %.2f s, %d mails/s (strace on); load after $(cut -d' ' -f1-3 /proc/loadavg)' % (w, $mails / w))"
  python3 -c "print('server CPU %.2f s (%.0f us per mail)' % (($s1-$s0)/$ticks, ($s1-$s0)/$ticks/$mails*1e6))"
  for f in "$out"/time-*.txt; do echo "client $(basename "$f" .txt) user+sys: $(cat "$f")"; done
  for f in "$out"/strace-*.txt; do echo "sendto $(basename "$f" .txt): $(awk '$NF=="sendto"{print $4}' "$f")"; done
  psql "$db" -c "SELECT 'statements ' || SUM(calls) || ', ' || ROUND(SUM(total_exec_time)::numeric) || ' ms execution' FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%'"
  psql "$db" -c "SELECT (SELECT COUNT(*) FROM patches) || ' patches, ' || (SELECT COUNT(*) FROM covers) || ' covers, ' || (SELECT COUNT(*) FROM patch_comments) + (SELECT COUNT(*) FROM cover_comments) || ' comments, ' || (SELECT COUNT(*) FROM events) || ' events'"
} | tee -a "$out/summary.txt"
psql -F ' | ' "$db" -c "SELECT calls, ROUND(total_exec_time::numeric, 1) AS ms, rows, LEFT(regexp_replace(query, '\s+', ' ', 'g'), 110) FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 300" > "$out/statements.txt"
if [ "$planning" = on ]; then
  psql "$db" -c "SELECT 'plans ' || SUM(plans) || ', ' || ROUND(SUM(total_plan_time)::numeric) || ' ms planning' FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%'" | tee -a "$out/summary.txt"
  psql -F ' | ' "$db" -c "SELECT plans, calls, ROUND(total_plan_time::numeric, 1) AS plan_ms, LEFT(regexp_replace(query, '\s+', ' ', 'g'), 110) FROM pg_stat_statements WHERE plans > 0 ORDER BY total_plan_time DESC LIMIT 300" > "$out/plans.txt"
fi

# The rows, in id order, without the time of the ingest.
dump_sql() {
  cat <<'EOF'
SELECT 'patches', id, project_id, msgid, name, date, submitter_id, delegate_id, state_id, archived, hash, commit_ref, pull_url, series_id, number, related_id, headers, content, diff FROM patches ORDER BY id;
SELECT 'covers', * FROM covers ORDER BY id;
SELECT 'patch_comments', * FROM patch_comments ORDER BY id;
SELECT 'cover_comments', * FROM cover_comments ORDER BY id;
SELECT 'series', * FROM series ORDER BY id;
SELECT 'series_references', * FROM series_references ORDER BY project_id, msgid;
SELECT 'series_dependencies', * FROM series_dependencies ORDER BY series_id, depends_on_id;
SELECT 'people', * FROM people ORDER BY id;
SELECT 'patch_tags', * FROM patch_tags ORDER BY patch_id, tag_id;
SELECT 'events', id, project_id, category, actor_id, patch_id, series_id, cover_id, previous_state_id, current_state_id, previous_delegate_id, current_delegate_id, previous_relation_id, current_relation_id, created_check_id, cover_comment_id, patch_comment_id FROM events ORDER BY id;
SELECT 'held_mails', id, project_id, msgid, list_id, universal_newlines, length(raw) FROM held_mails ORDER BY id;
SELECT 'held_mail_refs', * FROM held_mail_refs ORDER BY 2, 3, 4;
SELECT 'comment_refs', * FROM comment_refs ORDER BY 1, 2, 3;
SELECT 'failed_mails', id, msgid, list_id, reason FROM failed_mails ORDER BY id;
SELECT 'data_generation', * FROM data_generation;
EOF
}
dump_sql | psql "$db" > "$out/dump.txt"
echo "dump: $(wc -l < "$out/dump.txt") lines, sha1 $(sha1sum < "$out/dump.txt" | cut -c1-12)" | tee -a "$out/summary.txt"

if [ "$sqlite" = 1 ]; then
  sq="$work/sqlite.db"
  "$binary" project create --database "$sq" --linkname linuxppc-dev --name linuxppc-dev \
    --listid linuxppc-dev.lists.ozlabs.org --listemail linuxppc-dev@lists.ozlabs.org >/dev/null
  sqlite_ingest() {
    /usr/bin/time -a -f "%e s wall, %U user %S sys" -o "$out/time-sqlite.txt" \
      "$binary" parsearchive -q --database "$sq" --list-id linuxppc-dev.lists.ozlabs.org "$1"
  }
  : > "$out/time-sqlite.txt"
  if [ "$ingesters" = seq ]; then
    sqlite_ingest "$work/half0.mbox"
    sqlite_ingest "$work/half1.mbox"
  else
    sqlite_ingest "$mbox"
  fi
  # sqlite3's list mode separates with |, as psql -A does.
  dump_sql | sqlite3 -bail "$sq" > "$out/dump-sqlite.txt"
  echo "sqlite: $(tr '\n' ' ' < "$out/time-sqlite.txt"); dump $(wc -l < "$out/dump-sqlite.txt") lines, sha1 $(sha1sum < "$out/dump-sqlite.txt" | cut -c1-12)" | tee -a "$out/summary.txt"
fi
echo "results in $out"
