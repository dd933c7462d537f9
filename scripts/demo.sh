#!/usr/bin/env bash
# The main job on a bundled default: install, build, generate a small
# Llama-architecture ONNX model (with reference outputs from a numpy
# implementation), compile it for this machine and run it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${SLMC_BUILD_DIR:-$root/build}"
"$root/scripts/build.sh"
out="$build/demo"
rm -rf "$out"
mkdir -p "$out"
echo "== generating a 2-layer Llama decoder (GQA, RoPE, SwiGLU, KV cache) as ONNX"
/usr/bin/python3 "$root/tools/slmc-make-llama.py" --flavour decode --test-data "$out/llama"
echo "== slmc import: the slm dialect, symbolic dims, weights as handles"
"$build/bin/slmc" import "$out/llama/model.onnx" -o "$out/llama.mlir" --stats
grep -m 3 -E "slm\.(reshape|rms_norm|matmul)" "$out/llama.mlir" | cut -c1-160
echo "== slmc compile --target native"
"$build/bin/slmc" compile "$out/llama/model.onnx" --target native -o "$out/llama.slmpkg"
echo "== slmc-run: compare with the reference outputs, then time one decode step"
"$build/bin/slmc-run" "$out/llama.slmpkg" --test-dir "$out/llama"
"$build/bin/slmc-run" "$out/llama.slmpkg" --bench --seq 1 --past 64 --iters 20
