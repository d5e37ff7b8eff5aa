#!/bin/bash
# The PostgreSQL server's CPU per patch detail, without patchbay in the way
# (docs/performance.md §9i): pgbench -M prepared -c1 runs, in turn, the
# statements a detail cost before §9i (one pipeline: BEGIN, the checks, the
# row, the generation; then ROLLBACK) and the one statement it costs now
# (read::GetPatchAlone's), for random ids of the 1M database; prints the
# transactions in 5 s and the whole cluster's CPU per transaction (/proc).
# Variants: before (§9h's pipeline), s9 (§9i's one statement), now (§9l's:
# ARRAY sublinks, the delegate by key); PB_DETAIL_VARIANTS="s9 now" picks.
#
#   bash bench/pg_detail_pgbench.sh DB_URL PGDATA [PAIRS]
set -euo pipefail
db=$1 pgdata=$2 pairs=${3:-3}
pgbench=$(ls /usr/lib/postgresql/*/bin/pgbench | tail -1)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
max=$(psql -qAtX "$db" -c "SELECT max(id) FROM patches")
cols="p.id, p.project_id, p.msgid, p.name, p.date, p.commit_ref, p.pull_url, p.archived, p.hash, p.state_id, p.related_id, s.id, s.name, s.email, d.id, d.username, d.first_name, d.last_name, d.email, sr.id, sr.date, sr.name, sr.version, sr.project_id, p.headers, p.content, p.diff"
joins="JOIN people s ON s.id = p.submitter_id LEFT JOIN users d ON d.id = p.delegate_id LEFT JOIN series sr ON sr.id = p.series_id"
cat > "$tmp/before.sql" <<EOF
\set id random(1, $max)
\startpipeline
BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
SELECT patch_id, user_id, context, state, date FROM checks WHERE patch_id IN (:id) ORDER BY patch_id, id;
SELECT $cols FROM patches p $joins WHERE p.id = :id;
SELECT generation FROM data_generation WHERE id = 1;
\endpipeline
\startpipeline
ROLLBACK;
\endpipeline
EOF
chk="c.id || ' ' || c.user_id || ' ' || c.state || ' ' || c.date || ' ' || length(c.context) || ':' || c.context"
rel="r.id || ' ' || r.project_id || ' ' || r.date || ' ' || length(r.msgid) || ':' || r.msgid || length(r.name) || ':' || r.name"
cat > "$tmp/s9.sql" <<EOF
\set id random(1, $max)
SELECT $cols, (SELECT generation FROM data_generation WHERE id = 1), (SELECT string_agg($chk, '') FROM checks c WHERE c.patch_id = p.id), (SELECT string_agg($rel, '') FROM patches r WHERE r.related_id = p.related_id) FROM patches p $joins WHERE p.id = :id;
EOF
# §9l: ARRAY sublinks instead of string_agg, the delegate looked up by key.
ljoins="JOIN people s ON s.id = p.submitter_id LEFT JOIN LATERAL (SELECT id, username, first_name, last_name, email FROM users WHERE id = p.delegate_id OFFSET 0) d ON TRUE LEFT JOIN series sr ON sr.id = p.series_id"
cat > "$tmp/now.sql" <<EOF
\set id random(1, $max)
SELECT $cols, (SELECT generation FROM data_generation WHERE id = 1), array_to_string(ARRAY(SELECT $chk FROM checks c WHERE c.patch_id = p.id), ''), array_to_string(ARRAY(SELECT $rel FROM patches r WHERE r.related_id = p.related_id), '') FROM patches p $ljoins WHERE p.id = :id;
EOF
pm=$(head -1 "$pgdata/postmaster.pid")
hz=$(getconf CLK_TCK)
# A child may exit between the listing and the read: skip it.
pgticks() { local t=0 p v; for p in $pm $(pgrep -P "$pm"); do v=$(sed 's/^.*) //' /proc/$p/stat 2>/dev/null | awk '{print $12+$13+$14+$15}'); [ -n "$v" ] && t=$((t + v)); done; echo $t; }
# PB_DETAIL_LOOP=N: instead, each one-statement variant N times inside one
# server process (a plpgsql loop over ids spread across the table, PERFORM:
# no client, no socket, no output functions), which this shared machine
# measures with less noise than a client's round trips; prints the server
# process's CPU per statement. The "before" pipeline has no loop form.
if [ -n "${PB_DETAIL_LOOP:-}" ]; then
  for r in $(seq "$pairs"); do
    for which in ${PB_DETAIL_VARIANTS:-s9 now}; do
      [ "$which" = before ] && continue
      body=$(sed -n 2p "$tmp/$which.sql" | sed 's/:id/i/; s/^SELECT/PERFORM/; s/;$//')
      printf 'DO $x$ DECLARE i bigint; BEGIN FOR k IN 1..%s LOOP i := 1 + (k * 7919) %% %s; %s; END LOOP; END $x$;\n' \
        "$PB_DETAIL_LOOP" "$max" "$body" > "$tmp/loop.sql"
      # The loop's backend exits with psql; its CPU reaches the postmaster's
      # children's total once reaped: wait for that on both sides.
      sleep 0.5; g0=$(pgticks)
      psql -qX "$db" -f "$tmp/loop.sql"
      sleep 0.5; g1=$(pgticks)
      echo "$which loop$r n=$PB_DETAIL_LOOP pg_us=$(( (g1-g0)*1000000/hz/PB_DETAIL_LOOP )) load=$(cut -d' ' -f1 /proc/loadavg)"
    done
  done
  exit 0
fi
for r in $(seq "$pairs"); do
  for which in ${PB_DETAIL_VARIANTS:-before s9 now}; do
    "$pgbench" -n -M prepared -c1 -T1 -f "$tmp/$which.sql" "$db" > /dev/null 2>&1
    # Each pgbench's backend exits with it and is counted (the postmaster's
    # children's total) once reaped: wait, so that the warm-up's CPU is not
    # counted in the run and the run's is.
    sleep 0.5; g0=$(pgticks)
    out=$("$pgbench" -n -M prepared -c1 -T5 -f "$tmp/$which.sql" "$db" 2>&1)
    sleep 0.5; g1=$(pgticks)
    n=$(echo "$out" | awk '/number of transactions actually processed/{print $NF}' | cut -d/ -f1)
    echo "$which pair$r n=$n pg_us=$(( (g1-g0)*1000000/hz/n )) load=$(cut -d' ' -f1 /proc/loadavg)"
  done
done
