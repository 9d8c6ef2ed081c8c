#!/usr/bin/env bash
# Every test: installs dependencies, builds, runs the test suite, then builds again with
# AddressSanitizer + UndefinedBehaviorSanitizer and runs the suite under them.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

scripts/build.sh build
(cd build && ctest --output-on-failure)

# Sanitizer build: no -march=native, so it reports the same on any machine; OpenMP's
# runtime keeps thread-local caches that LeakSanitizer would misreport at exit.
scripts/build.sh build-asan -DTESSERA_SANITIZE=ON -DTESSERA_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure)
