#!/usr/bin/env bash
# Installs slmc's build and test dependencies from Debian bookworm's packages.
# (libclang-rt-22-dev: the sanitizer runtimes the ASan+UBSan suite links;
# the arm64 cross sysroot and qemu-user-static: the aarch64 slmc-run that runs
# Arm64 packages under qemu-aarch64-static.)
# Skips apt entirely when everything is already there.
set -euo pipefail
packages=(
  cmake ninja-build ccache clang-22 libclang-rt-22-dev lld-22 llvm-22-dev llvm-22-tools
  libmlir-22-dev mlir-22-tools libonnx-dev libprotobuf-dev protobuf-compiler
  libflatbuffers-dev flatbuffers-compiler libfmt-dev libgtest-dev
  python3-onnx python3-numpy qemu-user-static
  libc6-dev-arm64-cross libstdc++-12-dev-arm64-cross libgcc-12-dev-arm64-cross
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "deps: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
