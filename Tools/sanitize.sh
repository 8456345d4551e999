#!/usr/bin/env bash
# The test suite under a sanitizer, in its own build directory (sanitized objects must not mix with the
# normal ones). Heavy: a full debug rebuild of everything with the sanitizer; runs niced.
#   Tools/sanitize.sh [address|thread] [FILTER]   default: address, every test
#   FILTER: a `swift test --filter` regular expression ('SessionTests|KernelTests').
# Builds: .build-asan (AddressSanitizer) and .build-tsan (ThreadSanitizer).
# The allocation-counting tests (*AllocationTests) are skipped: they need Benchmarks/MallocCounter's malloc
# wrappers, which a sanitized build leaves out (counter.c: the sanitizer owns malloc; with the wrappers
# ASan aborted at start-up, "CHECK failed: asan_posix.cpp:125 tsd_key_inited"), and they are skipped in
# debug builds anyway. ASan leak checking is off: the worker pool's threads and cached kernels live for the
# whole process. (Leaks in the readers are checked on the fuzz corpora instead: ASAN_OPTIONS=detect_leaks=1
# Tools/Fuzz/.build/release/tgfuzz -runs=0 CORPUS_DIR, with TENSORGRAPH_FUZZ_TARGET set.)
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-address}
case $mode in
    address) build=.build-asan
             flags=(--build-path "$build" -Xswiftc -sanitize=address -Xcc -fsanitize=address)
             export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:halt_on_error=1:abort_on_error=1:detect_stack_use_after_return=0} ;;
    thread)  build=.build-tsan
             flags=(--build-path "$build" -Xswiftc -sanitize=thread -Xcc -fsanitize=thread)
             # libgomp (oneDNN's and CKernels' OpenMP) is not instrumented: TSan cannot see its barriers,
             # so races inside OpenMP regions are false reports. Everything else is reported.
             supp=$(mktemp); trap 'rm -f "$supp"' EXIT
             printf 'called_from_lib:libgomp.so.1\nrace:libgomp.so.1\nrace:libdnnl.so\n' > "$supp"
             export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=0:history_size=4:second_deadlock_stack=1:suppressions=$supp} ;;
    *) echo "usage: Tools/sanitize.sh [address|thread] [FILTER]" >&2; exit 64 ;;
esac
nice -n 10 swift build --build-tests "${flags[@]}"
filter=()
[ $# -gt 1 ] && filter=(--filter "$2")
nice -n 10 swift test --skip-build "${flags[@]}" --skip AllocationTests "${filter[@]}"
