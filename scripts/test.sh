#!/usr/bin/env bash
# The README's test command: install what is missing, build, run every test,
# then run the unit tests again under AddressSanitizer + UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
jobs=$(nproc)

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build
(cd build && ctest --output-on-failure -j"$jobs")

# Sanitizers: unit tests only (the integration tests run guests for minutes).
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DEMU_SANITIZE=ON >/dev/null
ninja -C build-asan
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
   ctest --output-on-failure -j"$jobs" -L unit)
