#!/usr/bin/env bash
# The test command: installs what the build needs, then runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
Tools/install-deps.sh
swift build --build-tests
swift test --skip-build
# CNN training again with 64 workers: more threads than most machines have cores and than one claim
# word of the worker pool covers (it trapped at 17 before), through real conv, pooling and GEMM kernels.
TENSORGRAPH_THREADS=64 swift test --skip-build --filter CNNTrainingTests
# TensorGraph's own C loops and the fused paths again with every library capped at AVX2 (the one switch
# that covers AVX2-only machines); InstructionSetTests also walks every level the CPU has.
ONEDNN_MAX_CPU_ISA=AVX2 swift test --skip-build --filter "InstructionSetTests|ParallelKernelTests|RewriteTests|GemmTests|OneDNNConvolutionTests"
# Steady-state training steps allocate nothing: counted on optimized code, so this one test runs in a
# release build (debug Swift boxes and copies where release code does not; the debug run skips it).
swift build -c release --build-tests -Xswiftc -enable-testing
swift test -c release --skip-build -Xswiftc -enable-testing --filter AllocationTests
# ... and with TensorGraph's own GEMM and convolution kernels, which must allocate nothing at all (oneDNN's
# primitive execution allocates a few small blocks per call; the default run bounds those).
TENSORGRAPH_GEMM=openblas TENSORGRAPH_CONV=direct swift test -c release --skip-build -Xswiftc -enable-testing --filter AllocationTests
