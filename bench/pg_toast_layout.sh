#!/usr/bin/env bash
# How a PostgreSQL database stores its mail rows: per table, of a sample of
# its heap pages, how many rows have a value moved to TOAST (read back by an
# index descent and chunk reads), how many hold a compressed value inline
# (lz4 to undo), and how many are stored whole (docs/performance.md §9r, §9w).
# Migration 23 (toast_tuple_target = 4080) changed how rows are written, not
# the rows already there, so a database imported before it answers
# differently from one imported or ingested after it.
#
# Usage:
#   bash bench/pg_toast_layout.sh 'postgresql://postgres@/bench?host=DIR&port=N'
#   bash bench/pg_toast_layout.sh URL --every 661 --tables patches,covers
#        (every Nth heap page is read, default 661: ~300 pages of the 1M
#        database's patches; tables default to the five mail tables)
#
# Needs a superuser (pageinspect's get_raw_page). The extension is created
# inside a transaction that is rolled back, so the database is left as it
# was (no extension, no data changed).
set -euo pipefail
url=${1:?usage: pg_toast_layout.sh URL [--every N] [--tables a,b]}
shift
every=661
tables=patches,patch_comments,covers,cover_comments,held_mails
while [ $# -gt 0 ]; do
  case "$1" in
    --every) every=$2; shift 2 ;;
    --tables) tables=$2; shift 2 ;;
    *) echo "pg_toast_layout: unknown argument $1" >&2; exit 2 ;;
  esac
done

q() { psql -qAtX -v ON_ERROR_STOP=1 "$url" "$@"; }

printf '| table | toast_tuple_target | heap | TOAST | rows sampled | a value in TOAST | a value compressed inline | stored whole | avg row bytes in the heap |\n'
printf '|---|---|---|---|---|---|---|---|---|\n'
for t in ${tables//,/ }; do
  # The table's text columns that may be compressed or moved out.
  cols=$(q -c "SELECT string_agg(format('pg_column_compression(x.%I) IS NOT NULL', attname), ' OR ')
               FROM pg_attribute WHERE attrelid = '$t'::regclass AND attnum > 0 AND NOT attisdropped
               AND attstorage IN ('x', 'e', 'm')")
  [ -n "$cols" ] || continue
  q <<SQL
BEGIN;
CREATE EXTENSION IF NOT EXISTS pageinspect;
CREATE TEMP TABLE sampled ON COMMIT DROP AS
  SELECT format('(%s,%s)', b, i.lp)::tid AS tid, i.lp_len, (i.t_infomask & 4) <> 0 AS external
  FROM generate_series(0, pg_relation_size('$t') / 8192 - 1, $every) b,
       LATERAL heap_page_items(get_raw_page('$t', b::int)) i
  WHERE i.lp_flags = 1 AND i.t_xmax = 0;
SELECT format('| %s | %s | %s | %s | %s | %s | %s | %s | %s |', '$t',
         coalesce((SELECT option_value FROM pg_options_to_table((SELECT reloptions FROM pg_class WHERE oid = '$t'::regclass))
                   WHERE option_name = 'toast_tuple_target'), 'default (2032)'),
         pg_size_pretty(pg_relation_size('$t')),
         pg_size_pretty(pg_relation_size((SELECT reltoastrelid FROM pg_class WHERE oid = '$t'::regclass))),
         count(*),
         count(*) FILTER (WHERE s.external),
         count(*) FILTER (WHERE NOT s.external AND ($cols)),
         count(*) FILTER (WHERE NOT s.external AND NOT ($cols)),
         round(avg(s.lp_len)))
  FROM sampled s JOIN $t x ON x.ctid = s.tid;
ROLLBACK;
SQL
done
