#!/usr/bin/env bash
# README command 2 and CI: the whole test suite.
#   1. release build (-Werror), 2. ASan+UBSan build, 3. a short libFuzzer
#   run of every harness (clang), 4. ctest in both builds.
# FUZZ_SECONDS (default 20) bounds each fuzz target's run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
jobs=$(nproc)

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCB_WERROR=ON > /dev/null
cmake --build build -j"$jobs"

cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCB_SANITIZE=ON \
      -DCB_BENCH=OFF > /dev/null
cmake --build build-asan -j"$jobs"

if command -v clang > /dev/null; then
    CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCB_FUZZ=ON -DCB_SANITIZE=ON -DCB_TESTS=ON -DCB_BENCH=OFF > /dev/null
    cmake --build build-fuzz -j"$jobs"
    for t in $(ls build-fuzz/tests/fuzz | sed -n 's/^fuzz_\(.*\)$/\1/p'); do
        bash tests/fuzz/run.sh "$t" "${FUZZ_SECONDS:-20}" build-fuzz
    done
else
    echo "clang not found: fuzzing skipped" >&2
fi

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build-asan && ctest --output-on-failure -j"$jobs")
(cd build && ctest --output-on-failure -j"$jobs")
