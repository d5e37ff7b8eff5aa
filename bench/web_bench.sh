#!/usr/bin/env bash
# The web UI's patch list and patch page under wrk, on the 100,000-patch
# database bench/http_bench.sh builds (run that once first; it caches the
# database in build/bench-data/).
#
# Usage: bash bench/web_bench.sh [--binary build/patchbay] [--duration 10s]
#        [--connections 32] [--threads 2] [--port 18090] [--bulk-runs 6]
# Adds to that database, once: a maintainer `benchmaint` of project `bench`
# with a session (the cookie below), and a project `big` holding one patch
# with a 5,000-line diff and 50 comments. For each case it starts
# `patchbay serve` (with or without the response cache), runs a 2 s
# warm-up, then `wrk --latency` and prints req/s, p50, p99, the non-2xx
# count and the server's CPU time per request (utime + stime from
# /proc/PID/stat around the wrk run, over the requests wrk counted):
#   list, page 1, anonymous (the response cache serves repeats)
#   list, page 1 / last page / by submitter page 2, logged in (the kept
#     page: web/spliced_page.h)
#   the 5,000-line patch page, logged in and anonymous
#   the same with --no-response-cache (every request rendered)
# Then the bulk update: --bulk-runs POSTs of the list form changing the
# state of 100 patches of page 1 (New <-> Under Review, so the default list
# keeps them), each timed by curl, with the server's CPU per POST. These
# POSTs change the cached database (states, events); the list's pages and
# counts stay the same.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
binary=build/patchbay; duration=10s; connections=32; threads=2; port=18090; bulk_runs=6
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --bulk-runs) bulk_runs=$2; shift 2 ;;
    *) echo "web_bench: unknown argument $1" >&2; exit 2 ;;
  esac
done
gen_sum="$(sha1sum bench/gen_mbox.py | cut -c1-8)"
db="${PB_BENCH_DATA:-$repo/build/bench-data}/http-100000-$gen_sum/bench.db"
[ -f "$db" ] || { echo "web_bench: no database at $db; run bench/http_bench.sh first" >&2; exit 1; }
base="http://127.0.0.1:$port"
pages=$(( ($(sqlite3 "$db" "SELECT count(*) FROM patches p JOIN states s ON s.id = p.state_id WHERE p.project_id = 1 AND p.archived = 0 AND s.action_required = 1") + 99) / 100 ))

# The logged-in visitor: a maintainer of `bench` with a session made here
# (the sessions row holds sha256 of the key and of the password hash).
if [ -z "$(sqlite3 "$db" "SELECT id FROM users WHERE username = 'benchmaint'")" ]; then
  "$binary" user create --database "sqlite://$db" --username benchmaint --email benchmaint@example.org \
    --password bench-password --maintainer bench > /dev/null
fi
uid=$(sqlite3 "$db" "SELECT id FROM users WHERE username = 'benchmaint'")
session_key=benchsession0123456789abcdefghij
key_hash=$(printf %s "$session_key" | sha256sum | cut -c1-64)
auth_hash=$(printf %s "$(sqlite3 "$db" "SELECT password FROM users WHERE id = $uid")" | sha256sum | cut -c1-64)
sqlite3 "$db" "INSERT OR REPLACE INTO sessions (key_hash, user_id, auth_hash, created, expires) VALUES ('$key_hash', $uid, '$auth_hash', 0, 4102444800000000)"
csrf_secret=abcdefghijklmnopqrstuvwxyzABCDEF
cookie="csrftoken=$csrf_secret; sessionid=$session_key"

# The big patch: 5,000 diff lines, 50 comments, in a project of its own.
if [ -z "$(sqlite3 "$db" "SELECT id FROM projects WHERE linkname = 'big'")" ]; then
  "$binary" project create --database "sqlite://$db" --linkname big --name big \
    --listid big.lists.example.org --listemail big@lists.example.org > /dev/null
  big_mbox=$(mktemp /tmp/web_bench_big.XXXXXX)
  python3 - "$big_mbox" <<'PY'
import sys
out = open(sys.argv[1], "w")
def mail(msgid, subject, body, reply_to=None, minute=0):
    out.write("From big@example.org Mon Jan  1 00:00:00 2024\n")
    out.write("From: Big Sender <big@example.org>\nTo: big@lists.example.org\n")
    out.write("Subject: %s\nMessage-Id: <%s>\n" % (subject, msgid))
    out.write("Date: Mon, 1 Jan 2024 10:%02d:00 +0000\nList-Id: <big.lists.example.org>\n" % minute)
    if reply_to:
        out.write("In-Reply-To: <%s>\nReferences: <%s>\n" % (reply_to, reply_to))
    out.write("\n" + body + "\n")
lines = ["diff --git a/big.c b/big.c", "--- a/big.c", "+++ b/big.c", "@@ -1,2498 +1,2498 @@"]
lines += ["-\told_line(%d, \"a < b && c > d\");" % i for i in range(2498)]
lines += ["+\tnew_line(%d, \"a < b && c > d\");" % i for i in range(2498)]
body = "A change of 5,000 lines.\n\nSigned-off-by: Big Sender <big@example.org>\n---\n" + "\n".join(lines)
mail("big-patch@example.org", "[PATCH] big: a 5,000-line change", body)
for n in range(50):
    reply = "> A change of 5,000 lines.\n\nComment %d: looks fine <really> & done.\n\nAcked-by: Reviewer %d <r%d@example.org>" % (n, n, n)
    mail("big-reply-%d@example.org" % n, "Re: [PATCH] big: a 5,000-line change", reply,
         "big-patch@example.org", minute=(n % 59) + 1)
PY
  "$binary" parsearchive --database "sqlite://$db" --list-id big.lists.example.org "$big_mbox" > /dev/null
  rm -f "$big_mbox"
fi
big=$(sqlite3 "$db" "SELECT '/project/big/patch/' || substr(p.msgid, 2, length(p.msgid) - 2) || '/' FROM patches p JOIN projects j ON j.id = p.project_id WHERE j.linkname = 'big'")
big_lines=$(sqlite3 "$db" "SELECT length(p.diff) - length(replace(p.diff, char(10), '')) FROM patches p JOIN projects j ON j.id = p.project_id WHERE j.linkname = 'big'")
big_comments=$(sqlite3 "$db" "SELECT count(*) FROM patch_comments c JOIN patches p ON p.id = c.patch_id JOIN projects j ON j.id = p.project_id WHERE j.linkname = 'big'")

server=""
stop() { [ -n "$server" ] && kill -TERM "$server" 2>/dev/null && wait "$server" 2>/dev/null; server=""; }
trap stop EXIT
serve() {
  stop
  "$binary" serve --database "sqlite://$db" --listen "127.0.0.1:$port" "$@" > /dev/null 2>&1 &
  server=$!
  for _ in $(seq 100); do curl -sf -o /dev/null "$base/about/" && return; sleep 0.1; done
  echo "web_bench: server did not start" >&2; exit 1
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
bench() {
  local name=$1 path=$2 cookie=${3:-}
  local header=(); [ -n "$cookie" ] && header=(-H "Cookie: $cookie")
  local bytes; bytes=$(curl -sf "${header[@]}" "$base$path" | wc -c)
  wrk -t"$threads" -c"$connections" -d2s "${header[@]}" "$base$path" > /dev/null
  local before; before=$(cpu_ticks)
  wrk -t"$threads" -c"$connections" -d"$duration" --latency --timeout 10s "${header[@]}" "$base$path" > /tmp/web_bench.$$
  local after; after=$(cpu_ticks)
  python3 - "$name" "$bytes" /tmp/web_bench.$$ "$((after - before))" "$(getconf CLK_TCK)" <<'PY'
import re, sys
name, size, path, ticks, hz = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
t = open(path).read()
rps = re.search(r"Requests/sec:\s+([\d.]+)", t).group(1)
n = int(re.search(r"(\d+) requests in", t).group(1))
lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", t, re.M))
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
cpu = ticks / hz / max(n, 1) * 1e6
print("| %s | %.1f KB | %s | %s | %s | %s | %.0f |" % (name, size / 1024, rps, lat.get("50"), lat.get("99"), bad.group(1) if bad else 0, cpu))
PY
  rm -f /tmp/web_bench.$$
}
echo "database: $db; list pages (default filters): $pages; big patch: $big_lines diff lines, $big_comments comments"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| case | body | req/s | p50 | p99 | non-2xx | server CPU µs/req |"
echo "|---|---|---|---|---|---|---|"
serve --threads "$threads"
bench "list page 1, anonymous (response cache)" "/project/bench/list/"
bench "list page 1, logged in" "/project/bench/list/" "$cookie"
bench "list page $pages (last), logged in" "/project/bench/list/?page=$pages" "$cookie"
bench "list by submitter, page 2, logged in" "/project/bench/list/?order=submitter&page=2" "$cookie"
bench "patch page, $big_lines-line diff, $big_comments comments, logged in" "$big" "$cookie"
bench "patch page, $big_lines-line diff, $big_comments comments, anonymous" "$big"
serve --threads "$threads" --no-response-cache
bench "list page 1, rendered, anonymous (--no-response-cache)" "/project/bench/list/"
bench "list page 1, rendered, logged in (--no-response-cache)" "/project/bench/list/" "$cookie"
bench "patch page, $big_lines-line diff, logged in (--no-response-cache)" "$big" "$cookie"

# Bulk update of 100 patches through the list's form (one transaction),
# then the page the POST answers with (rendered: the write moved the
# generation).
serve --threads "$threads"
ids=$(sqlite3 "$db" "SELECT p.id FROM patches p JOIN states s ON s.id = p.state_id WHERE p.project_id = 1 AND p.archived = 0 AND s.action_required = 1 ORDER BY p.date DESC, p.id DESC LIMIT 100")
form="csrfmiddlewaretoken=$csrf_secret&form=patchlistform&action=Update&delegate=*&archived=*"
for id in $ids; do form="$form&patch_id:$id=on"; done
echo
echo "bulk update of $(echo "$ids" | wc -w) patches (POST /project/bench/list/, then the page):"
for run in $(seq "$bulk_runs"); do
  state=$(( run % 2 + 1 ))
  before=$(cpu_ticks)
  result=$(curl -s -o /tmp/web_bench_bulk.$$ -w "%{http_code} %{time_total}" -H "Cookie: $cookie" \
    -H "Origin: $base" --data "$form&state=$state" "$base/project/bench/list/")
  after=$(cpu_ticks)
  updated=$(grep -o "[0-9]* patches updated" /tmp/web_bench_bulk.$$ || echo "none updated")
  echo "  run $run: HTTP ${result% *}, ${result#* } s wall, server CPU $(( (after - before) * 1000 / $(getconf CLK_TCK) )) ms, $updated"
done
rm -f /tmp/web_bench_bulk.$$
stop
