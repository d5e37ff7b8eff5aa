#!/usr/bin/env bash
# Fuzzes one libFuzzer target (clang, ASan, UBSan) for SECONDS (default 60).
# Exits non-zero on a crash, hang, leak or sanitizer report; the reproducer
# is left in build-fuzz/crashes/TARGET/.
#   bash scripts/fuzz.sh                          # parse_mail_fuzzer, 60 s
#   bash scripts/fuzz.sh 600 xmlrpc_request_fuzzer
# Targets (tests/fuzz/): parse_mail_fuzzer (the mail parser, seeded with
# ../shared/corpus when present), xmlrpc_request_fuzzer (XML-RPC request
# parser and marshaller), request_body_fuzzer (api/request_body: JSON, form,
# multipart), query_filter_fuzzer (list query strings through the API
# handler onto SQLite).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
target=${2:-parse_mail_fuzzer}
if [ ! -f build-fuzz/build.ninja ]; then
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPATCHBAY_FUZZ=ON -DPATCHBAY_TESTS=OFF -DPATCHBAY_BENCH=OFF >/dev/null
fi
ninja -C build-fuzz -j"$(nproc)" "$target" >/dev/null
corpus=build-fuzz/corpus/$target
crashes=build-fuzz/crashes/$target
mkdir -p "$corpus" "$crashes"
# printf %b: \0NNN is the byte that picks the Content-Type or the list.
seed() { printf '%b' "$2" >"$corpus/seed-$1"; }
case "$target" in
  parse_mail_fuzzer)
    shared=../shared/corpus
    if [ -d "$shared" ]; then
      find "$shared/patchwork-fixtures" "$shared/b4-samples" "$shared/git-mailinfo" "$shared/public-inbox" \
        -type f -size -200k 2>/dev/null | while read -r f; do
        cp -n "$f" "$corpus/$(echo "$f" | md5sum | cut -c1-16)" 2>/dev/null || true
      done
    fi
    cp -n demo/*.mbox "$corpus/" 2>/dev/null || true
    ;;
  xmlrpc_request_fuzzer)
    seed call "<?xml version='1.0'?><methodCall><methodName>patch_list</methodName><params><param><value><struct><member><name>project_id</name><value><int>1</int></value></member><member><name>name__icontains</name><value><string>a&amp;b</string></value></member></struct></value></param></params></methodCall>"
    seed types "<methodCall><methodName>m</methodName><params><param><value><array><data><value><i4>1</i4></value><value><boolean>1</boolean></value><value><double>1.5</double></value><value><base64>eHh4</base64></value><value><dateTime.iso8601>20240101T00:00:00</dateTime.iso8601></value><value><nil/></value><value>bare</value></data></array></value></param></params></methodCall>"
    ;;
  request_body_fuzzer)
    seed json '\0000{"state": "accepted", "delegate": 1, "archived": true, "patches": [1, 2], "commit_ref": null}'
    seed form '\0002state=accepted&delegate=1&patches=1&patches=2&archived=on'
    seed multipart '\0003--xyz\r\nContent-Disposition: form-data; name="state"\r\n\r\naccepted\r\n--xyz--\r\n'
    ;;
  query_filter_fuzzer)
    seed patches '\0000project=proj&state=new&archived=false&q=fix+bug&order=-date&page=2&per_page=1'
    seed series '\0002since=2024-01-01T00:00:00&before=2025-01-01T00:00:00&submitter=a@example.com'
    seed events '\0003category=patch-created&series=1&patch=1&project=1'
    ;;
esac
./build-fuzz/"$target" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -max_len=262144 -artifact_prefix="$crashes/" -print_final_stats=1 2>&1 | tail -n 25
