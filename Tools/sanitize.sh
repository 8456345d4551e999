#!/usr/bin/env bash
# The test suite under AddressSanitizer, in its own build directory (.build-asan: sanitized objects
# must not mix with the normal ones). Heavy: a full rebuild of everything with ASan.
#   Tools/sanitize.sh                 every test
#   Tools/sanitize.sh 'Filter|Other'  only the tests matching the filter (swift test --filter)
# Leak checking is off: the worker pool's threads and cached kernels live for the whole process.
# Known blocker (open): the test binary links MallocCounter (counter.c's malloc wrappers, for the
# allocation tests), which calls malloc before ASan's allocator is set up: the binary aborts at start with
# "AddressSanitizer: CHECK failed: asan_posix.cpp:125 tsd_key_inited". The build itself succeeds.
set -euo pipefail
cd "$(dirname "$0")/.."
flags=(--build-path .build-asan -Xswiftc -sanitize=address -Xcc -fsanitize=address)
swift build --build-tests "${flags[@]}"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:halt_on_error=1:abort_on_error=1}
if [ $# -gt 0 ]; then
    swift test --skip-build "${flags[@]}" --filter "$1"
else
    swift test --skip-build "${flags[@]}"
fi
