//===- Passes.h - slmc passes -----------------------------------*- C++ -*-===//
#ifndef SLMC_PASSES_PASSES_H
#define SLMC_PASSES_PASSES_H

#include "dialects/slm/IR/SlmOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/Pass/Pass.h"

namespace slm {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

/// A weight operand slm-quantize may quantize; `axis` is its reduction dim.
struct QuantizableWeight {
  mlir::OpOperand *operand;
  int64_t axis;
};
/// The fp32 2-D weight operands of a matmul-like op (none for other ops).
llvm::SmallVector<QuantizableWeight> quantizableWeights(mlir::Operation *op);
/// Recomputes a transpose's result type after its input was retyped
/// (quantized, or back to fp32).
void reinferTransposeType(TransposeOp transpose);
/// The layer name of a matmul-like op in overrides and reports: its ONNX
/// node name, or "lm_head" for the one whose result is returned.
std::string layerNameOf(mlir::Operation *op);

} // namespace slm

#endif // SLMC_PASSES_PASSES_H
