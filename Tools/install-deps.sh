#!/usr/bin/env bash
# Ensures the Debian packages TensorGraph builds against are installed.
# As root it installs what is missing; otherwise it prints the exact command to run.
set -euo pipefail

packages=(pkg-config libdnnl-dev libopenblas-dev zlib1g-dev libprotobuf-c-dev protobuf-c-compiler libpng-dev)
if [[ "${WITH_FASHION_MNIST:-0}" == 1 ]]; then packages+=(dataset-fashion-mnist); fi

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ! command -v swift >/dev/null 2>&1; then
    echo "error: the Swift toolchain (swift 6.0 or newer) is not on PATH; install it from https://swift.org/install" >&2
    exit 1
fi
if [[ ${#missing[@]} -eq 0 ]]; then exit 0; fi
if [[ $(id -u) -eq 0 ]]; then
    echo "Installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
else
    echo "error: missing Debian packages: ${missing[*]}" >&2
    echo "run: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
