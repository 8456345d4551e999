#!/usr/bin/env bash
# Runs TensorGraph, TensorFlow (tf.compat.v1 Session) and PyTorch (eager) on the seed workloads, one after
# another on this machine, and prints a table (also written to Benchmarks/results/latest.{md,json}).
#   Benchmarks/run.sh [--epochs N] [--workloads mlp,fashion,cnn,inference]
# The Python side is installed from PyPI into Benchmarks/.venv (or set BENCH_PYTHON to an interpreter
# that already has tensorflow-cpu and torch). Nothing here is a test: no time is asserted.
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=3
workloads=machine,sgemm,adam,overhead,mlp,fashion,cnn,inference
while [[ $# -gt 0 ]]; do
    case $1 in
        --epochs) epochs=$2; shift 2 ;;
        --workloads) workloads=$2; shift 2 ;;
        *) echo "usage: $0 [--epochs N] [--workloads LIST]" >&2; exit 2 ;;
    esac
done
WITH_FASHION_MNIST=1 Tools/install-deps.sh
python=${BENCH_PYTHON:-}
if [[ -z $python ]]; then
    python=Benchmarks/.venv/bin/python
    [[ -x $python ]] || python3 -m venv Benchmarks/.venv
    $python -c "import tensorflow, torch, numpy" 2>/dev/null || Benchmarks/.venv/bin/pip install -q tensorflow-cpu torch numpy
fi
swift build -c release --product tgbench
swift build -c release --product tgmalloccount
out=$(mktemp -d)
echo "TensorGraph..." >&2
# An inherited OPENBLAS_CORETYPE (some machines pin Haswell) is dropped so TensorGraph can pick AVX-512
# kernels when the CPU has them (it checks the CPU flags itself); TensorFlow and PyTorch use oneDNN.
env -u OPENBLAS_CORETYPE .build/release/tgbench --workloads "$workloads" --epochs "$epochs" > "$out/tensorgraph.jsonl"
# Heap allocations per steady-state training step, counted by a preloaded malloc wrapper.
LD_PRELOAD="$PWD/.build/release/libtgmalloccount.so" .build/release/tgbench --workloads allocations >> "$out/tensorgraph.jsonl"
echo "TensorFlow..." >&2
(cd Benchmarks && TF_CPP_MIN_LOG_LEVEL=3 $python tf_bench.py --epochs="$epochs" --workloads="$workloads") > "$out/tensorflow.jsonl" 2>/dev/null
echo "PyTorch..." >&2
(cd Benchmarks && $python torch_bench.py --epochs="$epochs" --workloads="$workloads") > "$out/pytorch.jsonl" 2>/dev/null
$python Benchmarks/report.py "$out/tensorgraph.jsonl" "$out/tensorflow.jsonl" "$out/pytorch.jsonl"
