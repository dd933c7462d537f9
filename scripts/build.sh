#!/usr/bin/env bash
# Configures (once) and builds slmc into build/ with clang-22, Ninja and ccache.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${SLMC_BUILD_DIR:-$root/build}"
"$root/scripts/deps.sh"
# Paths relative to the checkout in ccache's hashes: another clone (CI's)
# reuses this one's cache.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$root}"
if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DSLMC_SHARED_DIR="${SLMC_SHARED_DIR:-$root/../shared}" "$@"
fi
ninja -C "$build" -j"$(nproc)"
