#!/usr/bin/env bash
# Installs what bench/run.sh compares slmc against: ONNX Runtime for Node
# (into bench/node_modules; the skip avoids a GPU download that cannot
# succeed offline) and Debian's PyTorch with OpenBLAS (without an optimized
# BLAS, python3-torch falls back to the reference BLAS, ~25x slower).
set -euo pipefail
cd "$(dirname "$0")"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
missing=()
for p in python3-torch libopenblas0-openmp; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node and npm as commands: a Node.js from elsewhere (e.g. nodesource's nodejs,
# which bundles npm and conflicts with Debian's npm package) does as well.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench setup: installing ${missing[*]}" >&2
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
if [ ! -d node_modules/onnxruntime-node ]; then
  ONNXRUNTIME_NODE_INSTALL=skip npm install --no-save onnxruntime-node@1.30.0
fi
echo "bench setup: ok" >&2
