#!/usr/bin/env bash
# libFuzzer on one of TensorGraph's readers, with AddressSanitizer:
#   Tools/fuzz.sh TARGET [SECONDS]    TARGET: graphdef npy idx idx-gz png checkpoint tfrecord events
# Builds Tools/Fuzz (a separate package: everything, TensorGraph included, is compiled with
# -sanitize=fuzzer,address), seeds a corpus from the repository's own files, and runs for SECONDS
# (default 60). Crashes land in Tools/Fuzz/Findings/TARGET; minimize one with
#   TENSORGRAPH_FUZZ_TARGET=TARGET Tools/Fuzz/.build/release/tgfuzz -minimize_crash=1 -runs=10000 CRASH
# then fix the reader and add the minimized input as a regression case to Tests/TensorGraphTests/FuzzTests.swift.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: Tools/fuzz.sh TARGET [SECONDS]}
seconds=${2:-60}
root=$PWD
(cd Tools/Fuzz && swift build -c release \
    -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address)
binary=$root/Tools/Fuzz/.build/release/tgfuzz
corpus=$root/Tools/Fuzz/.corpus/$target
findings=$root/Tools/Fuzz/Findings/$target
mkdir -p "$corpus" "$findings"
seed() { for f in "$@"; do [ -f "$f" ] && cp -n "$f" "$corpus/" 2>/dev/null || true; done; }
case $target in
    graphdef) seed $(find Graphs Tests/Fixtures -name '*.pb' | head -40) ;;
    npy) seed $(find Graphs Tests/Fixtures -name '*.npy' | head -40) ;;
    idx) for f in Examples/Data/mnist/t10k-labels-idx1-ubyte.gz; do [ -f "$f" ] && gzip -dc "$f" > "$corpus/labels.idx"; done
         head -c 20000 <(gzip -dc Examples/Data/mnist/t10k-images-idx3-ubyte.gz) > "$corpus/images-prefix.idx" || true ;;
    idx-gz) seed Examples/Data/mnist/t10k-labels-idx1-ubyte.gz ;;
    png) seed $(find Examples Tests -name '*.png' | head -20) ;;
    checkpoint) seed $(find Tests/Fixtures -name '*.index' | head -20) ;;
    tfrecord|events) seed $(find Tests/Fixtures -name '*tfevents*' -o -name '*.tfrecord' | head -20) ;;
esac
[ -n "$(ls -A "$corpus")" ] || printf 'seed' > "$corpus/empty-seed"
echo "fuzz: $target for $seconds s, corpus $(ls "$corpus" | wc -l) files"
cd "$findings"
TENSORGRAPH_FUZZ_TARGET=$target ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} \
    "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 "$corpus"
