#!/usr/bin/env bash
# Runs the TensorFlow interop checks: installs tensorflow-cpu into a virtualenv (Benchmarks/.venv),
# writes fixtures with TensorGraph, and runs Tools/interop.py.
set -euo pipefail
cd "$(dirname "$0")/.."
Tools/install-deps.sh
venv=Benchmarks/.venv
if [[ ! -x $venv/bin/python ]]; then python3 -m venv "$venv"; fi
$venv/bin/python -c "import tensorflow" 2>/dev/null || $venv/bin/pip install -q tensorflow-cpu numpy
swift build -c release --product interop-fixtures
swift build -c release --product graphrun
fixtures=$(mktemp -d)
trap 'rm -rf "$fixtures"' EXIT
.build/release/interop-fixtures "$fixtures" >/dev/null
$venv/bin/python Tools/interop.py "$fixtures" .build/release/graphrun
