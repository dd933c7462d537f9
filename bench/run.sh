#!/usr/bin/env bash
# slmc vs ONNX Runtime and PyTorch: one command (bench/bench.py --help).
#   bench/run.sh [--out DIR] [--quick] [--models ...] [--threads 1,2] [--schemes ...] [--runs N]
# Debian's python3-onnx/python3-torch live under /usr/bin/python3.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exec /usr/bin/python3 "$here/bench.py" "$@"
