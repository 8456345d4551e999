#!/usr/bin/env bash
# The main job: train the seed-001 MNIST MLP (release build) and report its accuracy.
set -euo pipefail
cd "$(dirname "$0")/.."
Tools/install-deps.sh
swift build -c release --product mnist-mlp
.build/release/mnist-mlp "$@"
