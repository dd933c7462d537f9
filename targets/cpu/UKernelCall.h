//===- UKernelCall.h - Building CPU micro-kernel calls on memrefs -*- C++ -*-===//
//
// The kernel-call passes (slm-cpu-ukernels, -linear-ukernels, -attention) pass
// memrefs as an element address plus sizes and strides (ukernels.h: every
// parameter is an int64/index). These helpers declare the kernel, take a
// memref apart and check at run time what the types leave open.
//
//===----------------------------------------------------------------------===//
#ifndef SLMC_TARGETS_CPU_UKERNELCALL_H
#define SLMC_TARGETS_CPU_UKERNELCALL_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

namespace slm::cpu {

/// The private declaration of `name` with `params` index parameters (made
/// here if missing); null after a diagnostic if it exists with another.
mlir::func::FuncOp declareKernel(mlir::ModuleOp module, llvm::StringRef name, unsigned params);

/// A memref operand of a kernel call: the address (bytes) of its first
/// element and its sizes and strides (in elements).
struct KernelOperand {
  mlir::Value address;
  llvm::SmallVector<mlir::Value> sizes, strides;
};
KernelOperand describeOperand(mlir::OpBuilder &b, mlir::Location loc, mlir::Value buffer,
                              int64_t elementBytes);

/// Asserts at run time (cf.assert) that every (value, expected) pair is equal.
void assertEqual(mlir::OpBuilder &b, mlir::Location loc,
                 llvm::ArrayRef<std::pair<mlir::Value, int64_t>> checks,
                 llvm::StringRef message);

} // namespace slm::cpu

#endif // SLMC_TARGETS_CPU_UKERNELCALL_H
