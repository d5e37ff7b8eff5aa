#!/usr/bin/env bash
# The sanitizer run (issue #9): builds patchbay and its tests with ASan and
# UBSan in build-asan/, runs the unit and integration tests there, then
# every libFuzzer target for FUZZ_SECONDS each (default 60) with
# scripts/fuzz.sh. Any sanitizer report fails the run. Not part of CI (the
# instrumented build alone takes longer than CI's budget); run it before a
# release or after touching a parser:
#   bash scripts/sanitize.sh
#   FUZZ_SECONDS=600 bash scripts/sanitize.sh     # the long fuzz runs
#   SKIP_TESTS=1 bash scripts/sanitize.sh         # fuzzers only
#   TARGETS='patchbay parser_tests' TESTS='^(http_abuse|cli_hardening)$|^Parser' \
#     bash scripts/sanitize.sh      # only these ninja targets, and the ctest
#                                   # tests matching the regex
#   SKIP_FUZZ=1 bash scripts/sanitize.sh          # tests only
set -euo pipefail
cd "$(dirname "$0")/.."
fuzz_seconds=${FUZZ_SECONDS:-60}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
if [ -z "${SKIP_TESTS:-}" ]; then
  if [ ! -f build-asan/build.ninja ]; then
    cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPATCHBAY_SANITIZE=ON \
      -DPATCHBAY_BENCH=OFF -DPATCHBAY_TCMALLOC=OFF >/dev/null
  fi
  ninja -C build-asan -j"$(nproc)" ${TARGETS:-}
  # The fuzz smoke test has its own build tree (below); the headless browser
  # adds nothing a sanitizer could see in the server that web_session misses.
  (cd build-asan && ctest -j"$(nproc)" --output-on-failure ${TESTS:+-R "$TESTS"} \
     -E '^(fuzz_parse_mail|browser_session|browser_ui|browser_accounts)$') || status=1
fi
fuzzers=(parse_mail_fuzzer xmlrpc_request_fuzzer request_body_fuzzer query_filter_fuzzer http_request_fuzzer)
[ -n "${SKIP_FUZZ:-}" ] && fuzzers=()
for target in "${fuzzers[@]}"; do
  echo "== $target, ${fuzz_seconds}s"
  bash scripts/fuzz.sh "$fuzz_seconds" "$target" || status=1
done
if [ "$status" = 0 ]; then echo "sanitize: clean"; else echo "sanitize: FAILED"; fi
exit "$status"
