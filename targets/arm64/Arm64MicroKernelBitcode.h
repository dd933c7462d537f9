//===- Arm64MicroKernelBitcode.h - The embedded micro-kernel bitcode -*- C++ -*-===//
//
// LLVM bitcode of ukernels/ built by clang-22 --target=aarch64-linux-gnu at
// build time, one module per variant; the definitions are generated
// (targets/cpu/EmbedBitcode.cmake).
//
//===----------------------------------------------------------------------===//
#ifndef SLMC_TARGETS_ARM64_ARM64MICROKERNELBITCODE_H
#define SLMC_TARGETS_ARM64_ARM64MICROKERNELBITCODE_H

#include "llvm/ADT/StringRef.h"

namespace slm::arm64 {

/// -mcpu=cortex-a78 (NEON, dotprod, fullfp16).
llvm::StringRef microKernelBitcodeA78();
/// -mcpu=neoverse-v2 (adds SVE2, i8mm, bf16).
llvm::StringRef microKernelBitcodeV9();

} // namespace slm::arm64

#endif // SLMC_TARGETS_ARM64_ARM64MICROKERNELBITCODE_H
