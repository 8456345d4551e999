#!/usr/bin/env bash
# Long-run checks, in release:
#   Tools/soak.sh [STEPS]        train the seed MLP for STEPS steps (default 100,000), printing RSS every 1,000;
#                                fails when the resident set grew by more than SOAK_MAX_GROWTH_KB (default 20 MB)
#                                between step 1,000 and the end (allocator warm-up happens before step 1,000)
#   Tools/soak.sh crash [N]      the SIGKILL crash-safety loop N times (default 300) with a 16 MB checkpoint
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-100000}
if [ "$mode" = crash ]; then
    swift build --build-tests --product tgstress >/dev/null
    swift build --build-tests >/dev/null
    TENSORGRAPH_CRASH_ITERATIONS=${2:-300} TENSORGRAPH_CRASH_FLOATS=${TENSORGRAPH_CRASH_FLOATS:-4000000} \
        swift test --skip-build --filter CrashSafetyTests 2>&1 | grep -E "CrashSafetyTests:|error|Executed"
    exit "${PIPESTATUS[0]}"
fi
steps=$mode
swift build -c release --product tgstress >/dev/null
binary=$(swift build -c release --show-bin-path)/tgstress
log=$(mktemp)
trap 'rm -f "$log"' EXIT
/usr/bin/time -f "cpu %U s user, %S s system, max rss %M kB" "$binary" soak "$steps" 1000 | tee "$log"
start=$(awk '$1 == "step" && $2 == 1000 { print $4 }' "$log")
end=$(awk '$1 == "step" { last = $4 } END { print last }' "$log")
start=${start:-$(awk '$1 == "step" && $2 == 0 { print $4 }' "$log")}
echo "rss at step 1000: ${start} kB, at the end: ${end} kB, growth $((end - start)) kB"
if [ $((end - start)) -gt "${SOAK_MAX_GROWTH_KB:-20000}" ]; then
    echo "soak: resident memory grew by more than ${SOAK_MAX_GROWTH_KB:-20000} kB" >&2
    exit 1
fi
