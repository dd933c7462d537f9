#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (lit + gtest)
# through ctest. Tests that need ../shared/models skip without it, except in
# CI (CI=true), where they must run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${SLMC_BUILD_DIR:-$root/build}"
"$root/scripts/build.sh"
cd "$build"
ctest --output-on-failure -j"$(nproc)"
