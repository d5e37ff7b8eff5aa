#!/usr/bin/env bash
# Second command of the README: install what is missing, build everything,
# run every test (unit + integration) and print a pass/fail summary.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh || exit 1
bash scripts/build.sh || exit 1
cd build
ctest --output-on-failure -j"$(nproc)" --timeout 600 2>&1 | tee ctest.log
status=${PIPESTATUS[0]}
results='^ *[0-9]+/[0-9]+ Test +#[0-9]+: '
passed=$(grep -cE "${results}.* Passed" ctest.log || true)
skipped=$(grep -cE "${results}.*\*\*\*Skipped" ctest.log || true)
failed=$(grep -E "${results}" ctest.log | grep -vE ' Passed|\*\*\*Skipped' | grep -cE 'Failed|Timeout|Exception|Not Run' || true)
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"
