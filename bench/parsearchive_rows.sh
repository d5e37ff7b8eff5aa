#!/usr/bin/env bash
# Are the rows the same? Fills a fresh SQLite database from an archive with
# each binary under a fixed clock and compares the `sqlite3 .dump`s byte for
# byte (event dates, held_mails.held and the migrations' timestamps
# included). The clock is an LD_PRELOAD of clock_gettime/gettimeofday/time
# returning 2026-01-01 00:00:00 UTC, built here with cc: the same as
# `faketime -f "2026-01-01 00:00:00"`, which this machine does not have.
#
#   bash bench/parsearchive_rows.sh BASE_BINARY NEW_BINARY [--mbox PATH[.zst]] [--list-id ID]
#                                   [--rows-only]
#
# --rows-only leaves the CREATE INDEX lines and schema_migrations' rows out of
# both dumps: for a new binary whose migration drops indexes or makes them
# partial, the tables and their rows must still be the same while the
# indexes deliberately are not.
set -euo pipefail
cd "$(dirname "$0")/.."
base=$1 new=$2; shift 2
mbox=../shared/corpus/real-lists/linuxppc-dev-first5k.mbox.zst list_id=linuxppc-dev.lists.ozlabs.org rows_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --mbox) mbox=$2; shift 2 ;;
    --list-id) list_id=$2; shift 2 ;;
    --rows-only) rows_only=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/clock.c" <<'C'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sys/time.h>
#include <time.h>
static const time_t kT = 1767225600; /* 2026-01-01 00:00:00 UTC */
int clock_gettime(clockid_t id, struct timespec* ts) {
  if (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE) { ts->tv_sec = kT; ts->tv_nsec = 0; return 0; }
  static int (*real)(clockid_t, struct timespec*);
  if (!real) real = (int (*)(clockid_t, struct timespec*))dlsym(RTLD_NEXT, "clock_gettime");
  return real(id, ts);
}
int gettimeofday(struct timeval* tv, void* tz) { (void)tz; if (tv) { tv->tv_sec = kT; tv->tv_usec = 0; } return 0; }
time_t time(time_t* t) { if (t) *t = kT; return kT; }
C
cc -O2 -shared -fPIC -o "$tmp/clock.so" "$tmp/clock.c" -ldl
if [[ "$mbox" == *.zst ]]; then zstd -qdc "$mbox" > "$tmp/in.mbox"; mbox=$tmp/in.mbox; fi
for which in base new; do
  bin=${!which}
  LD_PRELOAD=$tmp/clock.so "$bin" project create --database "sqlite://$tmp/$which.db" --linkname list \
    --name list --listid "$list_id" --listemail list@example.org >/dev/null
  LD_PRELOAD=$tmp/clock.so "$bin" parsearchive -q --database "sqlite://$tmp/$which.db" --list-id "$list_id" "$mbox"
  sqlite3 "$tmp/$which.db" .dump > "$tmp/$which.sql"
  if [ "$rows_only" = 1 ]; then
    grep -Ev '^(CREATE INDEX|INSERT INTO schema_migrations)' "$tmp/$which.sql" > "$tmp/$which.rows" || true
    mv "$tmp/$which.rows" "$tmp/$which.sql"
  fi
  echo "$which: $(wc -l < "$tmp/$which.sql") lines, integrity $(sqlite3 "$tmp/$which.db" 'PRAGMA integrity_check')"
done
if cmp "$tmp/base.sql" "$tmp/new.sql"; then echo "rows identical"; else echo "ROWS DIFFER"; exit 1; fi
