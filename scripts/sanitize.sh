#!/usr/bin/env bash
# The sanitizer run (issue #9): builds patchbay and its tests with ASan and
# UBSan, runs the integration tests (and any unit tests named) there, then
# every libFuzzer target for FUZZ_SECONDS each (default 60) with
# scripts/fuzz.sh. Any sanitizer report fails the run. Not part of CI (the
# instrumented build alone takes longer than CI's budget); run it before a
# release or after touching a parser.
#
# With clang (scripts/fuzz_toolchain.sh) the tests and the fuzzers share one
# instrumented tree, build-fuzz/: one build instead of two. Without clang it
# builds build-asan/ with g++ and skips the fuzzers.
#   bash scripts/sanitize.sh
#   FUZZ_SECONDS=600 bash scripts/sanitize.sh     # the long fuzz runs
#   SKIP_TESTS=1 bash scripts/sanitize.sh         # fuzzers only
#   SKIP_FUZZ=1 bash scripts/sanitize.sh          # tests only
#   TARGETS='xmlrpc_tests' TESTS='^(http_abuse|clients_e2e)$|^Rpc' \
#     bash scripts/sanitize.sh      # these ninja targets besides patchbay(-parsemail),
#                                   # and the ctest tests matching the regex
# By default the tests are the integration tests of the real binary (the
# ctest tests that are not unit tests); on PostgreSQL when
# PATCHBAY_TEST_DATABASE names a cluster (scripts/test.sh's, or
# `eval "$(bash scripts/devpg.sh)"`), where the tests labelled nodb (they
# run on SQLite whatever the backend) are left out as scripts/test.sh does.
# Sanitizer reports of every instrumented process the tests start (servers
# killed at teardown, exit codes a test does not check) are written to
# $tree/sanitizer-logs/ and any report there fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/fuzz_toolchain.sh
fuzz_seconds=${FUZZ_SECONDS:-60}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# Integration tests: everything ctest runs that is not a gtest case (those
# are named Suite.Case) nor needs what a sanitizer adds nothing to (the
# headless browser; the fuzz smoke test has its own run below).
default_tests='^[a-z0-9_]+$'
excluded='^(fuzz_parse_mail|fuzz_replay_.*|browser_session|browser_ui|browser_accounts|sql_home|.*_NOT_BUILT)$'
status=0
if find_fuzz_toolchain; then
  tree=build-fuzz
  configure_fuzz_tree
else
  fuzz_toolchain_missing sanitize.sh
  echo "sanitize.sh: tests only, with g++ in build-asan/" >&2
  tree=build-asan
  SKIP_FUZZ=1
  if [ ! -f build-asan/build.ninja ]; then
    cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPATCHBAY_SANITIZE=ON \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
      -DPATCHBAY_BENCH=OFF -DPATCHBAY_TCMALLOC=OFF >/dev/null
  fi
fi
if [ -z "${SKIP_TESTS:-}" ]; then
  ninja -C "$tree" -j"$(nproc)" patchbay patchbay-parsemail huge_page_heap_check ${TARGETS:-}
  backend_only=()
  [ -n "${PATCHBAY_TEST_DATABASE:-}" ] && backend_only=(-LE nodb)
  reports=$PWD/$tree/sanitizer-logs
  rm -rf "$reports" && mkdir -p "$reports"
  (cd "$tree" &&
   ASAN_OPTIONS="$ASAN_OPTIONS:log_path=$reports/asan" UBSAN_OPTIONS="$UBSAN_OPTIONS:log_path=$reports/ubsan" \
     ctest -j"$(nproc)" --output-on-failure --timeout 1800 -R "${TESTS:-$default_tests}" \
     -E "$excluded" "${backend_only[@]}") || status=1
  if [ -n "$(ls -A "$reports")" ]; then
    echo "sanitize.sh: sanitizer reports from the tests' processes:" >&2
    for f in "$reports"/*; do echo "--- $f" >&2; head -n 60 "$f" >&2; done
    status=1
  fi
fi
fuzzers=(parse_mail_fuzzer xmlrpc_request_fuzzer request_body_fuzzer query_filter_fuzzer http_request_fuzzer
         mbox_split_fuzzer)
[ -n "${SKIP_FUZZ:-}" ] && fuzzers=()
for target in "${fuzzers[@]}"; do
  echo "== $target, ${fuzz_seconds}s"
  bash scripts/fuzz.sh "$fuzz_seconds" "$target" || status=1
done
if [ "$status" = 0 ]; then echo "sanitize: clean"; else echo "sanitize: FAILED"; fi
exit "$status"
