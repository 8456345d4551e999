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
# Two passes: the full instruction set, then every library capped at AVX2 with ONEDNN_MAX_CPU_ISA
# (oneDNN's own switch: TensorFlow's and PyTorch's oneDNN kernels honour it, and so do TensorGraph's C
# loops and its OpenBLAS core choice), so AVX2-only machines are covered without having one.
#   BENCH_PASSES="full" (or "avx2") runs one pass only.
for pass in ${BENCH_PASSES:-full avx2}; do
    if [[ $pass == avx2 ]]; then export ONEDNN_MAX_CPU_ISA=AVX2; else unset ONEDNN_MAX_CPU_ISA; fi
    out=$(mktemp -d)
    echo "Pass $pass: TensorGraph..." >&2
    # An inherited OPENBLAS_CORETYPE (some machines pin Haswell) is dropped so TensorGraph picks the BLAS
    # kernels for the instruction set in force (it checks the CPU flags itself).
    env -u OPENBLAS_CORETYPE .build/release/tgbench --workloads "$workloads" --epochs "$epochs" > "$out/tensorgraph.jsonl"
    # Heap allocations per steady-state training step, counted by a preloaded malloc wrapper.
    env -u OPENBLAS_CORETYPE LD_PRELOAD="$PWD/.build/release/libtgmalloccount.so" .build/release/tgbench --workloads allocations >> "$out/tensorgraph.jsonl"
    echo "Pass $pass: TensorFlow..." >&2
    (cd Benchmarks && TF_CPP_MIN_LOG_LEVEL=3 $python tf_bench.py --epochs="$epochs" --workloads="$workloads") > "$out/tensorflow.jsonl" 2>/dev/null
    echo "Pass $pass: PyTorch..." >&2
    (cd Benchmarks && $python torch_bench.py --epochs="$epochs" --workloads="$workloads") > "$out/pytorch.jsonl" 2>/dev/null
    BENCH_PASS=$pass $python Benchmarks/report.py "$out/tensorgraph.jsonl" "$out/tensorflow.jsonl" "$out/pytorch.jsonl"
done
