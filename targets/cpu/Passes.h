//===- Passes.h - CPU micro-kernel call passes -----------------------------*- C++ -*-===//
#ifndef SLMC_TARGETS_CPU_PASSES_H
#define SLMC_TARGETS_CPU_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace slm {

#define GEN_PASS_DECL
#include "targets/cpu/Passes.h.inc"

/// The kernel-call passes of a CPU target whose kernels are called
/// `<symbolPrefix>sgemm`, ...: its Target::bufferPipeline().
std::string cpuKernelCallPipeline(llvm::StringRef symbolPrefix);

/// Registers the passes (called by each CPU target's registration, so every
/// tool that registers the targets can parse them in --pass-pipeline).
#define GEN_PASS_REGISTRATION
#include "targets/cpu/Passes.h.inc"

} // namespace slm

#endif // SLMC_TARGETS_CPU_PASSES_H
