#!/usr/bin/env bash
# Every issue-facing benchmark row, one after the other, for a re-run on a
# quiet machine (docs/performance.md §12, §13 and later). Each row prints the
# machine's load before it starts, so a reader can tell a quiet figure from a
# loaded one. Needs the 100,000-patch database of bench/http_bench.sh (built
# on first use, ~10 min) and ../shared's corpus for the ingest rows.
#
# Usage: bash bench/quiet_run.sh [--binary build/patchbay] [--only ROWS]
#   ROWS: a comma-separated subset of
#     http,web,bulk,series,parsearchive,parsemail,help,sse,sse-archive,pg-ingest
# Takes about 6 minutes for all rows on 2 cores.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
binary=build/patchbay
only="http,web,bulk,series,parsearchive,parsemail,help,sse,sse-archive,pg-ingest"
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    *) echo "quiet_run: unknown argument $1" >&2; exit 2 ;;
  esac
done
wanted() { [[ ",$only," == *",$1,"* ]]; }
row() { echo; echo "#### $1 — $(date -u +%T) UTC, load $(cut -d' ' -f1-3 /proc/loadavg), $(git rev-parse --short HEAD)"; }

if wanted http; then row "API and downloads, 100k patches (http_bench)"
  bash bench/http_bench.sh --binary "$binary" --duration 3s; fi
if wanted web || wanted bulk; then row "web pages and bulk update, 100k patches (web_bench)"
  bash bench/web_bench.sh --binary "$binary" --duration 5s; fi
if wanted bulk; then row "first bulk POST per server thread (web_bulk_cold)"
  bash bench/web_bulk_cold.sh --binary "$binary"; fi
if wanted series; then row "series mbox (series_mbox_bench), 3 runs"
  for i in 1 2 3; do bash bench/series_mbox_bench.sh --binary "$binary" --duration 5s; done; fi
if wanted parsearchive; then row "parsearchive of linuxppc-dev-first5k, 3 runs"
  bash bench/parsearchive_bench.sh --binary "$binary" --runs 3; fi
if wanted parsemail; then row "parsemail, 100 mails as separate processes"
  python3 bench/parsemail_bench.py --binary "$binary" --mails 100 --help-runs 50; fi
if wanted help; then row "patchbay help"
  if perf stat -e task-clock true >/dev/null 2>&1; then bash bench/help_bench.sh --binary "$binary"
  else echo "perf not available: see the parsemail row's help figure"; fi; fi
if wanted sse; then row "SSE, 1,000 clients, one parsemail per mail"
  python3 bench/sse_bench.py --binary "$binary" --clients 1000 --mails 200; fi
if wanted sse-archive; then row "SSE, 1,000 clients, parsearchive at full speed"
  python3 bench/sse_bench.py --binary "$binary" --clients 1000 --mails 2000 --ingest parsearchive; fi
if wanted pg-ingest; then row "PostgreSQL ingest, 5,000 mails, 1 and 2 ingesters"
  bash bench/pg_ingest_bench.sh --binary "$binary" --runs 2; fi
