#!/usr/bin/env bash
# Every test: installs dependencies, builds, runs the test suite, runs the main job's quick
# variant end to end (data, codecs, transformer, judges, evaluation) and checks its report,
# then builds again with AddressSanitizer + UndefinedBehaviorSanitizer and runs the suite
# under them.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

scripts/build.sh build
(cd build && ctest --output-on-failure)
scripts/demo.sh --quick
/usr/bin/python3 scripts/check_eval.py runs/demo-quick/eval

# The sanitizer build skips the benchmarks (they are not tests) and keeps debug info for
# readable reports; any error aborts its test binary and fails the run.
scripts/build.sh build-asan -DTESSERA_SANITIZE=ON -DTESSERA_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure)
