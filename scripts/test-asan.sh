#!/usr/bin/env bash
# Builds slmc with AddressSanitizer + UBSan into build-asan/ and runs the
# importer and dialect lit tests (bad input included) and the unit tests with it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export SLMC_BUILD_DIR="${SLMC_ASAN_BUILD_DIR:-$root/build-asan}"
"$root/scripts/build.sh" -DSLMC_ENABLE_ASAN=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
# allow_user_poisoning=0: libMLIR is not instrumented, and BumpPtrAllocator code
# inlined into our (instrumented) code would otherwise poison slabs that
# libMLIR then hands out, which ASan reports as use-after-poison.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allow_user_poisoning=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cd "$SLMC_BUILD_DIR"
ctest --output-on-failure -j"$(nproc)"
