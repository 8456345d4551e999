#!/usr/bin/env bash
# libFuzzer on one of TensorGraph's readers, with AddressSanitizer:
#   Tools/fuzz.sh TARGET [SECONDS] [LIBFUZZER FLAGS...]
#   TARGET: graphdef npy idx idx-gz png checkpoint tfrecord events json savedmodel
# Builds Tools/Fuzz (a separate package: everything, TensorGraph included, is compiled with
# -sanitize=fuzzer,address), seeds a corpus (Tools/Fuzz/.corpus/TARGET, kept between runs) from the
# repository's own files, and runs niced for SECONDS (default 60); extra flags go to libFuzzer, e.g.
# `-runs=1000000` or `-max_len=4096`. FUZZ_NO_BUILD=1 skips the build.
# Crashes land in Tools/Fuzz/.artifacts/TARGET; minimize one with
#   TENSORGRAPH_FUZZ_TARGET=TARGET Tools/Fuzz/.build/release/tgfuzz -minimize_crash=1 -runs=10000 CRASH
# then fix the reader, commit the minimized input as Tools/Fuzz/Findings/TARGET/NAME and add it as a
# regression case to Tests/TensorGraphTests/Security/FuzzFindingTests.swift (which replays every file there).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: Tools/fuzz.sh TARGET [SECONDS] [LIBFUZZER FLAGS...]}
seconds=${2:-60}
shift $(( $# < 2 ? $# : 2 ))
root=$PWD
if [ -z "${FUZZ_NO_BUILD:-}" ]; then
    # SwiftPM keeps a path dependency's file list in its cached build plan: files added to TensorGraph
    # since the last build are missed ("cannot find type ... in scope") unless the plan is made anew.
    rm -f Tools/Fuzz/.build/release.yaml Tools/Fuzz/.build/release/description.json
    # Per-file (not whole-module) jobs: a rebuild is incremental, and a source file edited by someone else
    # mid-build stops only one short job ("modified during the build") instead of a 6-minute one.
    (cd Tools/Fuzz && nice -n 10 swift build -c release -Xswiftc -no-whole-module-optimization \
        -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address)
fi
binary=${FUZZ_BINARY:-$root/Tools/Fuzz/.build/release/tgfuzz}
corpus=$root/Tools/Fuzz/.corpus/$target
artifacts=$root/Tools/Fuzz/.artifacts/$target
mkdir -p "$corpus" "$artifacts"
seed() { for f in "$@"; do [ -f "$f" ] && cp -n "$f" "$corpus/" 2>/dev/null || true; done; }
# A JSON feed seed: dtype byte, shape byte (see feedShapes in MoreTargets.swift), then the JSON.
json() { { printf "\\x$(printf %02x "$1")\\x$(printf %02x "$2")"; printf '%s' "$3"; } > "$corpus/seed-$1-$2-$(printf '%s' "$3" | md5sum | cut -c1-8)"; }
case $target in
    graphdef) # Graphs/ models, and the function-library (If/While) and TF1 control-flow fixtures.
              seed $(find Graphs Tests/Fixtures -name '*.pb' -not -path '*/onnx/*') ;;
    npy) seed $(find Graphs Tests/Fixtures -name '*.npy' | head -40) ;;
    idx) for f in Examples/Data/mnist/t10k-labels-idx1-ubyte.gz; do [ -f "$f" ] && gzip -dc "$f" | head -c 2000 > "$corpus/labels.idx"; done
         head -c 20000 <(gzip -dc Examples/Data/mnist/t10k-images-idx3-ubyte.gz) > "$corpus/images-prefix.idx" || true ;;
    idx-gz) seed Examples/Data/mnist/t10k-labels-idx1-ubyte.gz ;;
    png) seed $(find Examples Tests -name '*.png' | head -20) ;;
    checkpoint) seed $(find Tests/Fixtures -name '*.index' | head -20) ;;
    tfrecord|events) seed $(find Tests/Fixtures -name '*tfevents*' -o -name '*.tfrecord' | head -20) ;;
    json) json 0 4 '[[1, 2], [3, 4]]'; json 2 3 '[1, 2]'; json 5 0 '[true, false]'; json 4 5 '[[1,2,3],[4,5,6]]'
          json 3 2 '[1e300]'; json 1 1 '2.5'; json 0 6 '[[[0.5]],[[1]],[[2]],[[3]]]'; json 0 8 '[[1]]' ;;
    savedmodel) seed $(find Tests/Fixtures -name saved_model.pb) ;;
    *) echo "unknown target $target" >&2; exit 64 ;;
esac
[ -n "$(ls -A "$corpus")" ] || printf 'seed' > "$corpus/empty-seed"
echo "fuzz: $target for $seconds s, corpus $(ls "$corpus" | wc -l) files"
cd "$artifacts"
TENSORGRAPH_FUZZ_ROOT=$root TENSORGRAPH_FUZZ_TARGET=$target ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} \
    nice -n 10 "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "$@" "$corpus"
