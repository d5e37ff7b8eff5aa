# Sourced by scripts/fuzz.sh and scripts/sanitize.sh: finds clang and its
# libFuzzer runtime (Debian: clang, libclang-rt-14-dev; `bash
# scripts/install-deps.sh --fuzz`) and configures build-fuzz/, the one
# instrumented tree both use: clang, ASan + UBSan, libFuzzer's coverage
# hooks, the fuzz targets and patchbay itself with its ctest tests. The
# normal build and CI need only g++.

# Sets fuzz_cc and fuzz_cxx; returns 1 when clang or the runtime is missing.
find_fuzz_toolchain() {
  fuzz_cxx=$(command -v clang++ || command -v clang++-14 || true)
  fuzz_cc=$(command -v clang || command -v clang-14 || true)
  [ -n "$fuzz_cxx" ] && [ -n "$fuzz_cc" ] || return 1
  local runtime
  runtime=$("$fuzz_cxx" -print-file-name=libclang_rt.fuzzer-x86_64.a 2>/dev/null || true)
  [ -f "$runtime" ]
}

# -O1 rather than -O2: half the compile time on a shared machine, and
# what libFuzzer's documentation builds with.
configure_fuzz_tree() {
  [ -f build-fuzz/build.ninja ] && return 0
  CC=$fuzz_cc CXX=$fuzz_cxx cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" \
    -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" \
    -DPATCHBAY_FUZZ=ON -DPATCHBAY_TESTS=ON -DPATCHBAY_BENCH=OFF >/dev/null
}

fuzz_toolchain_missing() {
  echo "$1: clang and its libFuzzer runtime are not installed;" \
       "run: bash scripts/install-deps.sh --fuzz (apt-get install clang libclang-rt-14-dev)" >&2
}
