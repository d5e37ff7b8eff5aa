#!/usr/bin/env bash
# Series mbox download rate for a 30-patch series (issue target: >= 2,000
# req/s on the 2-core machine), and the single-patch mbox for comparison.
#
#   bash bench/series_mbox_bench.sh [--binary build/patchbay] [--duration 10s]
#
# Builds a small database from a generated 30-patch series with a cover
# letter (realistic 2-8 KB diffs from bench/gen_mbox.py's diff generator is
# not needed here: each patch carries a ~4 KB diff), serves it on loopback and
# runs wrk -t2 -c32 against /series/1/mbox/ and one patch's mbox URL.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=build/patchbay
duration=10s
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
tmp=$(mktemp -d)
trap 'kill "$server_pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
python3 - "$tmp/series.mbox" <<'PY'
import sys
n = 30
out = open(sys.argv[1], "w")
def mail(i, subject, body, refs=True):
    out.write(f"From bench Mon Jan  1 00:00:00 2024\n")
    out.write(f"From: Bench Author <bench@example.org>\nTo: bench@lists.example.org\n")
    out.write(f"Subject: {subject}\nDate: Mon, 01 Jan 2024 10:{i // 60:02d}:{i % 60:02d} +0000\n")
    out.write(f"Message-Id: <series30-{i}@example.org>\nList-Id: <bench.lists.example.org>\n")
    if refs:
        out.write("In-Reply-To: <series30-0@example.org>\nReferences: <series30-0@example.org>\n")
    out.write("\n" + body + "\n")
mail(0, f"[PATCH 0/{n}] A thirty-patch series", "Cover letter.\n", refs=False)
for i in range(1, n + 1):
    hunk = "".join(f" context line {k}\n-old line {k} of patch {i}\n+new line {k} of patch {i}\n" for k in range(40))
    diff = (f"---\n file{i}.c | 80 ++++----\n\ndiff --git a/file{i}.c b/file{i}.c\nindex 1111111..2222222 100644\n"
            f"--- a/file{i}.c\n+++ b/file{i}.c\n@@ -1,80 +1,80 @@\n{hunk}")
    mail(i, f"[PATCH {i:02d}/{n}] file{i}: rework", f"Rework file{i}.\n\nSigned-off-by: Bench Author <bench@example.org>\n{diff}")
PY
db="sqlite://$tmp/s.db"
"$binary" project create --database "$db" --linkname bench --name bench \
  --listid bench.lists.example.org --listemail bench@lists.example.org >/dev/null
"$binary" parsearchive -q --database "$db" "$tmp/series.mbox"
"$binary" serve --database "$db" --listen 127.0.0.1:0 > "$tmp/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do grep -q "serving on" "$tmp/server.log" && break; sleep 0.1; done
base=$(grep -o 'http://[^ ]*' "$tmp/server.log" | head -1)
patches=$(curl -sf "${base}api/series/1/" | python3 -c "import json,sys; print(len(json.load(sys.stdin)['patches']))")
bytes=$(curl -sf "${base}series/1/mbox/" | wc -c)
echo "series 1: $patches patches, mbox $bytes bytes"
for path in "series/1/mbox/" "project/bench/patch/series30-1@example.org/mbox/"; do
  wrk -t2 -c32 -d2s "$base$path" >/dev/null 2>&1 || true
  echo "---- GET /$path"
  wrk -t2 -c32 -d"$duration" --latency "$base$path" | grep -E "Requests/sec|50%|99%|Non-2xx" || true
done
