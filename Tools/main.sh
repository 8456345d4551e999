#!/usr/bin/env bash
# The main job: train the seed-001 MNIST MLP (release build), save it frozen under Graphs/,
# and run the saved model with graphrun.
set -euo pipefail
cd "$(dirname "$0")/.."
Tools/install-deps.sh
swift build -c release --product mnist-mlp
swift build -c release --product graphrun
.build/release/mnist-mlp --save Graphs/mnist-mlp.pb "$@"
echo
echo "== graphrun inspect Graphs/mnist-mlp.pb"
.build/release/graphrun inspect Graphs/mnist-mlp.pb
echo
echo "== graphrun run Graphs/mnist-mlp.pb --feed x=Graphs/mnist-mlp.input.npy --fetch probs"
.build/release/graphrun run Graphs/mnist-mlp.pb --feed x=Graphs/mnist-mlp.input.npy --fetch probs
