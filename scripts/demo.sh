#!/usr/bin/env bash
# The main job on a bundled default: install, build, generate a small
# Llama-architecture ONNX model, import it into the slm dialect and show it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${SLMC_BUILD_DIR:-$root/build}"
"$root/scripts/build.sh"
out="$build/demo"
mkdir -p "$out"
echo "== generating a 2-layer Llama (GQA, RoPE, SwiGLU) as ONNX: $out/llama.onnx"
/usr/bin/python3 "$root/tools/slmc-make-llama.py" --flavour decode -o "$out/llama.onnx"
echo "== slmc import $out/llama.onnx -o $out/llama.mlir --stats"
"$build/bin/slmc" import "$out/llama.onnx" -o "$out/llama.mlir" --stats
echo "== the first lines of $out/llama.mlir"
head -n 40 "$out/llama.mlir"
