//===- X86MicroKernelBitcode.h - The embedded micro-kernel bitcode -*- C++ -*-===//
//
// LLVM bitcode of ukernels/ built by clang-22 at build time, one module per
// ISA level; the definitions are generated (targets/cpu/EmbedBitcode.cmake).
//
//===----------------------------------------------------------------------===//
#ifndef SLMC_TARGETS_X86_X86MICROKERNELBITCODE_H
#define SLMC_TARGETS_X86_X86MICROKERNELBITCODE_H

#include "llvm/ADT/StringRef.h"

namespace slm::x86 {

/// -march=x86-64-v3 (AVX2 + FMA).
llvm::StringRef microKernelBitcodeV3();
/// -march=x86-64-v4 -mprefer-vector-width=512 (AVX-512).
llvm::StringRef microKernelBitcodeV4();

} // namespace slm::x86

#endif // SLMC_TARGETS_X86_X86MICROKERNELBITCODE_H
