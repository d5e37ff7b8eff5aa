#!/usr/bin/env bash
# Fuzzes the mail parser with libFuzzer (clang, ASan, UBSan) for SECONDS
# (default 60), seeded with every test mail under ../shared/corpus when
# present. Exits non-zero on a crash, hang, leak or sanitizer report; the
# reproducer is left in build-fuzz/crashes/.
#   bash scripts/fuzz.sh 600     # the 10-minute run
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
if [ ! -f build-fuzz/build.ninja ]; then
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPATCHBAY_FUZZ=ON -DPATCHBAY_TESTS=OFF -DPATCHBAY_BENCH=OFF >/dev/null
fi
ninja -C build-fuzz -j"$(nproc)" parse_mail_fuzzer >/dev/null
corpus=build-fuzz/corpus
mkdir -p "$corpus" build-fuzz/crashes
shared=../shared/corpus
if [ -d "$shared" ]; then
  find "$shared/patchwork-fixtures" "$shared/b4-samples" "$shared/git-mailinfo" "$shared/public-inbox" \
    -type f -size -200k 2>/dev/null | while read -r f; do
    cp -n "$f" "$corpus/$(echo "$f" | md5sum | cut -c1-16)" 2>/dev/null || true
  done
fi
cp -n demo/*.mbox "$corpus/" 2>/dev/null || true
./build-fuzz/parse_mail_fuzzer "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -max_len=262144 -artifact_prefix=build-fuzz/crashes/ -print_final_stats=1 2>&1 | tail -n 25
