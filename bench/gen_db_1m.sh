#!/usr/bin/env bash
# Builds (once, cached) a patchbay SQLite database with 1,000,000 patches
# across 10 projects, for bench/api_bench.sh and bench/query_plans.sh.
#
# Usage (from anywhere; paths are relative to the repository root):
#   bash bench/gen_db_1m.sh                              # prints the database path last
#   bash bench/gen_db_1m.sh --binary build-bench/patchbay --rebuild
#   bash bench/gen_db_1m.sh --projects 2 --base-patches 3000 --series30 1   # a small trial
#   db=$(bash bench/gen_db_1m.sh --print-path)           # path only (builds if needed)
#
# How (the honest-and-fast route: the rows are what the ingest path writes,
# then copied with INSERT ... SELECT):
#   1. Template = project 1 of the 100,000-patch database of bench/http_bench.sh
#      (gen_mbox.py --patches 100000 + `patchbay parsearchive`), reused from
#      build/bench-data/http-100000-<gen_mbox sum>/ when that cache exists,
#      else built here the same way; copied with VACUUM INTO, never modified.
#   2. `patchbay parsearchive` adds 25 thirty-patch series sent as v1 and v2
#      (1,500 patches with covers and review replies; gen_mbox.py's generator),
#      then whole single-patch series are deleted until the template holds
#      exactly --base-patches (100,000) patches.
#   3. A fresh database: `patchbay migrate`, `patchbay project create` for
#      proj1..projN, `patchbay user create` for 3 maintainers per project and
#      two CI users; then bench/gen_db_1m.py replicate copies the template
#      into every project (ids interleaved, msgids <pK.X>, dates mapped onto
#      2013-2025 + a per-project stagger, Date/From/Message-Id headers
#      rewritten to match, people from a pool of 6,000, states/delegates/
#      archived drawn per series, synthetic state-change, delegation, check
#      and relation events, checks, relations, bundles), rebuilds the
#      indexes and runs ANALYZE.
#   4. Checks: PRAGMA quick_check, PRAGMA foreign_key_check, row counts, and a
#      smoke test: `patchbay serve` on it, curl of project 7's resources whose
#      every embedded project/series/patch must be project 7's.
# Output: build/bench-data/api<N>x<base>-s<series30>-v<schema version>-<checksum>/
#         bench.db, build-times.txt, stats.txt.
# Needs: sqlite3, python3, curl. It never reads ../shared.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

binary=build/patchbay
projects=10
base_patches=100000
series30=25
rebuild=0
print_path=0
port=18190
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=$2; shift 2 ;;
    --projects) projects=$2; shift 2 ;;
    --base-patches) base_patches=$2; shift 2 ;;
    --series30) series30=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --rebuild) rebuild=1; shift ;;
    --print-path) print_path=1; shift ;;
    -h|--help) sed -n '2,/^set -e/{/^set -e/!p}' "$0"; exit 0 ;;
    *) echo "gen_db_1m: unknown argument $1" >&2; exit 2 ;;
  esac
done
for tool in sqlite3 python3 curl; do
  command -v "$tool" >/dev/null || { echo "gen_db_1m: $tool is required" >&2; exit 1; }
done
[ -x "$binary" ] || { echo "gen_db_1m: no binary at $binary (build it first)" >&2; exit 1; }
binary="$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")"

gen_sum="$(sha1sum bench/gen_mbox.py | cut -c1-8)"
# The cache key: what decides the rows. Bump `layout` when a step of this
# script that writes rows changes (comments and options don't count).
layout=1
my_sum="$( (echo "layout $layout"; cat bench/gen_db_1m.py bench/gen_mbox.py) | sha1sum | cut -c1-8)"
# The binary's schema version is part of the key: the indexes (and the
# ANALYZE statistics) are those of the binary's migrations.
schema_tmp="$(mktemp -d /tmp/pb-gen1m-schema.XXXXXX)"
schema=$("$binary" migrate --database "sqlite://$schema_tmp/s.db" | sed -n 's/.*schema version \([0-9]*\).*/\1/p')
rm -rf "$schema_tmp"
[ -n "$schema" ] || { echo "gen_db_1m: cannot tell the schema version of $binary" >&2; exit 1; }
data="${PB_BENCH_DATA:-$repo/build/bench-data}"
cache="$data/api${projects}x${base_patches}-s${series30}-v$schema-$my_sum"
db="$cache/bench.db"
if [ "$print_path" = 1 ] && [ -f "$cache/ready" ] && [ "$rebuild" = 0 ]; then
  echo "$db"; exit 0
fi
exec 3>&1
[ "$print_path" = 1 ] && exec 1>&2   # progress to stderr, the path alone to stdout

if [ "$rebuild" = 0 ] && [ -f "$cache/ready" ]; then
  echo "== cached: $db"
  cat "$cache/build-times.txt"
  [ "$print_path" = 1 ] && echo "$db" >&3
  exit 0
fi

rm -rf "$cache"
mkdir -p "$cache"
echo "== building $db"
now() { date +%s.%N; }
secs() { python3 -c "print('%.1f' % ($2 - $1))"; }
t_all=$(now)
{
  echo "built $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores, load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "binary: $binary ($(sha1sum < "$binary" | cut -c1-12))"
} > "$cache/build-times.txt"
step() { echo "$1: $2 s" | tee -a "$cache/build-times.txt"; }

# ---- 1. the base: project 1 as ingested ------------------------------------
t=$(now)
base_cache="$data/http-$base_patches-$gen_sum"
if [ -f "$base_cache/ready" ]; then
  echo "== base: reusing $base_cache/bench.db (bench/http_bench.sh's cache)"
  base_note="reused $base_cache"
else
  base_cache="$cache/base"
  mkdir -p "$base_cache"
  echo "== base: gen_mbox.py --patches $base_patches + patchbay parsearchive"
  python3 bench/gen_mbox.py --patches "$base_patches" --seed 1 -o "$base_cache/bench.mbox"
  "$binary" project create --database "sqlite://$base_cache/bench.db" --linkname bench --name bench \
    --listid bench.lists.example.org --listemail bench@lists.example.org >/dev/null
  /usr/bin/time -f "%e s wall, %U s user, %S s sys, %M KB max RSS" -o "$base_cache/parsearchive.time" \
    "$binary" parsearchive -q --database "sqlite://$base_cache/bench.db" \
    --list-id bench.lists.example.org "$base_cache/bench.mbox"
  rm -f "$base_cache/bench.mbox"
  base_note="gen_mbox + parsearchive ($(cat "$base_cache/parsearchive.time"))"
fi
tpl="$cache/template.db"
sqlite3 "file:$base_cache/bench.db?mode=ro" "VACUUM INTO '$tpl'"
step "1. base database ($base_note), copied with VACUUM INTO" "$(secs "$t" "$(now)")"

# ---- 2. thirty-patch series, then trim to exactly base_patches -------------------
t=$(now)
python3 bench/gen_db_1m.py series30-mbox --count "$series30" -o "$cache/series30.mbox"
"$binary" parsearchive -q --database "sqlite://$tpl" --list-id bench.lists.example.org "$cache/series30.mbox"
rm -f "$cache/series30.mbox"
python3 bench/gen_db_1m.py trim "$tpl" --patches "$base_patches"
n30=$(sqlite3 "$tpl" "SELECT count(*) FROM series WHERE received_total = 30")
[ "$n30" -ge "$((2 * series30))" ] || { echo "gen_db_1m: only $n30 series of 30 patches in the template" >&2; exit 1; }
step "2. template: + $((2 * series30)) series of 30 patches (parsearchive), trimmed to $base_patches patches" "$(secs "$t" "$(now)")"

# ---- 3. the database: schema, projects, users by the CLI; rows by replicate -----
t=$(now)
url="sqlite://$db"
"$binary" migrate --database "$url" >/dev/null
for k in $(seq "$projects"); do
  "$binary" project create --database "$url" --linkname "proj$k" --name "Project $k" \
    --listid "proj$k.lists.example.org" --listemail "proj$k@lists.example.org" \
    --web-url "https://proj$k.example.org/" \
    --list-archive-url "https://lore.example.org/proj$k/" \
    --list-archive-url-format "https://lore.example.org/proj$k/{}/" \
    --commit-url-format "https://git.example.org/proj$k/commit/?id={}" >/dev/null
  for j in a b c; do
    "$binary" user create --database "$url" --username "maint$k$j" \
      --email "maint$k$j@proj$k.example.org" --first-name "Maintainer" --last-name "$k$j" \
      --maintainer "proj$k" >/dev/null
  done
done
"$binary" user create --database "$url" --username ci-build --email ci-build@ci.example.org \
  --first-name CI --last-name Build >/dev/null
"$binary" user create --database "$url" --username ci-checkpatch --email ci-checkpatch@ci.example.org \
  --first-name CI --last-name Checkpatch >/dev/null
step "3a. schema, $projects projects, $((3 * projects + 2)) users (patchbay CLI)" "$(secs "$t" "$(now)")"
t=$(now)
python3 bench/gen_db_1m.py replicate --template "$tpl" --out "$db" --scratch "$cache/scratch.db" \
  --projects "$projects" | tee "$cache/replicate.log"
step "3b. replicate x$projects, indexes, ANALYZE (bench/gen_db_1m.py)" "$(secs "$t" "$(now)")"
rm -f "$tpl"

# ---- 4. checks ----------------------------------------------------------------
t=$(now)
qc=$(sqlite3 "$db" "PRAGMA quick_check")
[ "$qc" = ok ] || { echo "gen_db_1m: quick_check: $qc" >&2; exit 1; }
fk=$(sqlite3 "$db" "PRAGMA foreign_key_check" | head -5)
[ -z "$fk" ] || { echo "gen_db_1m: foreign_key_check: $fk" >&2; exit 1; }
# Cross-project consistency: everything a row points at is in the row's project.
bad=$(sqlite3 "$db" <<'SQL'
SELECT 'patch/series', count(*) FROM patches p JOIN series s ON s.id = p.series_id WHERE s.project_id <> p.project_id;
SELECT 'series/cover', count(*) FROM series s JOIN covers c ON c.id = s.cover_letter_id WHERE c.project_id <> s.project_id;
SELECT 'series/previous', count(*) FROM series s JOIN series v ON v.id = s.previous_id WHERE v.project_id <> s.project_id;
SELECT 'reference/series', count(*) FROM series_references r JOIN series s ON s.id = r.series_id WHERE s.project_id <> r.project_id;
SELECT 'relation', count(*) FROM patches p JOIN patches q ON q.related_id = p.related_id AND q.id <> p.id WHERE q.project_id <> p.project_id;
SELECT 'event/patch', count(*) FROM events e JOIN patches p ON p.id = e.patch_id WHERE p.project_id <> e.project_id;
SELECT 'event/series', count(*) FROM events e JOIN series s ON s.id = e.series_id WHERE s.project_id <> e.project_id;
SELECT 'event/cover', count(*) FROM events e JOIN covers c ON c.id = e.cover_id WHERE c.project_id <> e.project_id;
SELECT 'event/patch-comment', count(*) FROM events e JOIN patch_comments m ON m.id = e.patch_comment_id JOIN patches p ON p.id = m.patch_id WHERE p.project_id <> e.project_id;
SELECT 'event/cover-comment', count(*) FROM events e JOIN cover_comments m ON m.id = e.cover_comment_id JOIN covers c ON c.id = m.cover_id WHERE c.project_id <> e.project_id;
SELECT 'event/state', count(*) FROM events e JOIN patches p ON p.id = e.patch_id WHERE e.category = 'patch-state-changed' AND e.current_state_id <> p.state_id AND e.current_state_id <> 2;
SELECT 'msgid prefix', count(*) FROM patches WHERE msgid NOT LIKE '<p' || project_id || '.%';
SELECT 'bundle', count(*) FROM bundle_patches b JOIN bundles u ON u.id = b.bundle_id JOIN patches p ON p.id = b.patch_id WHERE p.project_id <> u.project_id;
SQL
)
echo "$bad" | sed 's/^/  consistency: /'
if echo "$bad" | grep -qv '|0$'; then echo "gen_db_1m: inconsistent rows" >&2; exit 1; fi
step "4a. PRAGMA quick_check = ok, PRAGMA foreign_key_check = no rows, cross-project checks = 0" "$(secs "$t" "$(now)")"

t=$(now)
tmp="$(mktemp -d /tmp/pb-gen1m.XXXXXX)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
"$binary" serve --database "$url" --listen "127.0.0.1:$port" >"$tmp/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 300); do
  grep -q "serving on" "$tmp/server.log" && break
  kill -0 "$server_pid" 2>/dev/null || { echo "server exited:" >&2; cat "$tmp/server.log" >&2; exit 1; }
  sleep 0.1
done
base="http://127.0.0.1:$port"
k=$(( projects >= 7 ? 7 : projects ))
p7=$(sqlite3 "$db" "SELECT id FROM patches WHERE project_id = $k AND state_id = 3 AND delegate_id IS NOT NULL AND related_id IS NOT NULL ORDER BY id LIMIT 1")
p7=${p7:-$(sqlite3 "$db" "SELECT id FROM patches WHERE project_id = $k ORDER BY id LIMIT 1")}
s30=$(sqlite3 "$db" "SELECT id FROM series WHERE project_id = $k AND received_total = 30 ORDER BY id LIMIT 1")
c7=$(sqlite3 "$db" "SELECT cover_letter_id FROM series WHERE id = $s30")
python3 bench/gen_db_1m.py check-json "$k" \
  "$base/api/patches/$p7/" "$base/api/series/$s30/" "$base/api/covers/$c7/" \
  "$base/api/patches/?project=$k&state=new&order=-date" \
  "$base/api/events/?project=$k" "$base/api/events/?project=$k&category=check-created" \
  "$base/api/events/?project=$k&category=patch-state-changed" \
  "$base/api/events/?project=$k&category=patch-relation-changed" \
  "$base/api/covers/?project=proj$k" "$base/api/patches/$p7/comments/" | tee "$tmp/check.txt"
for path in "/api/patches/$p7/checks/" "/api/projects/proj$k/" "/project/proj$k/list/" \
            "/series/$s30/mbox/" "/api/bundles/?project=$k"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "$base$path")
  echo "  GET $path -> $code"
  [ "$code" = 200 ] || { echo "gen_db_1m: GET $path gave $code" >&2; exit 1; }
done
kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
step "4b. smoke test of project $k over HTTP (patch $p7, series $s30)" "$(secs "$t" "$(now)")"

# ---- stats ------------------------------------------------------------------------
sqlite3 "$db" > "$cache/stats.txt" <<'SQL'
.mode list
.separator " "
SELECT 'projects', count(*) FROM projects;
SELECT 'users', count(*) FROM users;
SELECT 'people', count(*) FROM people;
SELECT 'patches', count(*) FROM patches;
SELECT 'covers', count(*) FROM covers;
SELECT 'series', count(*) FROM series;
SELECT 'series_of_30_patches', count(*) FROM series WHERE received_total = 30;
SELECT 'series_references', count(*) FROM series_references;
SELECT 'patch_comments', count(*) FROM patch_comments;
SELECT 'cover_comments', count(*) FROM cover_comments;
SELECT 'patch_tags', count(*) FROM patch_tags;
SELECT 'checks', count(*) FROM checks;
SELECT 'patch_relations', count(*) FROM patch_relations;
SELECT 'bundles', count(*) FROM bundles;
SELECT 'bundle_patches', count(*) FROM bundle_patches;
SELECT 'events', count(*) FROM events;
SELECT '  events.' || category, count(*) FROM events GROUP BY category ORDER BY category;
SELECT '  state.' || s.slug, count(*), printf('%.1f%%', 100.0 * count(*) / (SELECT count(*) FROM patches)) FROM patches p JOIN states s ON s.id = p.state_id GROUP BY s.slug ORDER BY count(*) DESC;
SELECT '  archived', count(*) FROM patches WHERE archived = 1;
SELECT '  delegated', count(*) FROM patches WHERE delegate_id IS NOT NULL;
SELECT 'patches of project 1, state new', count(*) FROM patches WHERE project_id = 1 AND state_id = 1;
SELECT 'patch dates', date(min(date) / 1000000, 'unixepoch'), date(max(date) / 1000000, 'unixepoch') FROM patches;
SELECT 'event dates', date(min(date) / 1000000, 'unixepoch'), date(max(date) / 1000000, 'unixepoch') FROM events;
SQL
echo "database: $(du -m "$db" | cut -f1) MB ($(du -b "$db" | cut -f1) bytes)" >> "$cache/stats.txt"
step "total" "$(secs "$t_all" "$(now)")"
echo "database size: $(du -m "$db" | cut -f1) MB" >> "$cache/build-times.txt"
cat "$cache/stats.txt"
sha1sum < "$binary" | cut -c1-12 > "$cache/built-by"
touch "$cache/ready"
echo "== ready: $db"
[ "$print_path" = 1 ] && echo "$db" >&3
exit 0
