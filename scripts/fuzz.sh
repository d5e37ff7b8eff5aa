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
# handler onto SQLite), http_request_fuzzer (raw bytes of a connection to
# the real server and site, over loopback: request parser, limits, routes),
# mbox_split_fuzzer (the parsearchive mbox splitter, whole against in pieces).
# Needs clang and its libFuzzer runtime (scripts/fuzz_toolchain.sh). Without
# them it says so and exits 77, which ctest counts as skipped: the normal
# build and CI need only g++ (their fuzz_replay_* tests replay the seeds
# without libFuzzer).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/fuzz_toolchain.sh
seconds=${1:-60}
target=${2:-parse_mail_fuzzer}
if ! find_fuzz_toolchain; then
  fuzz_toolchain_missing fuzz.sh
  exit 77
fi
configure_fuzz_tree
ninja -C build-fuzz -j"$(nproc)" "$target" >/dev/null
corpus=build-fuzz/corpus/$target
crashes=build-fuzz/crashes/$target
mkdir -p "$corpus" "$crashes"
# Seeds: tests/fuzz/seeds/NAME/ (the first byte of request_body and
# query_filter seeds picks the Content-Type or the list); the same files the
# normal build's fuzz_replay_* tests replay.
seeds=tests/fuzz/seeds/${target%_fuzzer}
if [ -d "$seeds" ]; then cp -n "$seeds"/* "$corpus/" 2>/dev/null || true; fi
if [ "$target" = parse_mail_fuzzer ]; then
  shared=../shared/corpus
  if [ -d "$shared" ]; then
    find "$shared/patchwork-fixtures" "$shared/b4-samples" "$shared/git-mailinfo" "$shared/public-inbox" \
      -type f -size -200k 2>/dev/null | while read -r f; do
      cp -n "$f" "$corpus/$(echo "$f" | md5sum | cut -c1-16)" 2>/dev/null || true
    done
  fi
  cp -n demo/*.mbox "$corpus/" 2>/dev/null || true
fi
./build-fuzz/"$target" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -max_len=262144 -artifact_prefix="$crashes/" -print_final_stats=1 2>&1 | tail -n 25
