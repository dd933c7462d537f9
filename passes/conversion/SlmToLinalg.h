//===- SlmToLinalg.h - Lowering slm ops to linalg/tensor --------*- C++ -*-===//
//
// The lowering rebuilds @main op by op (in order) with plain tensor types:
// symbolic dims become `index` arguments (one per symbol, first), weights
// become tensor arguments after the inputs, and every slm op is replaced by
// linalg/tensor/arith ops that compute it. Each op family has a `lower*`
// function in its own file; they share this context.
//
//===----------------------------------------------------------------------===//
#ifndef SLMC_PASSES_CONVERSION_SLMTOLINALG_H
#define SLMC_PASSES_CONVERSION_SLMTOLINALG_H

#include "dialects/slm/IR/SlmOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/IRMapping.h"

#include <map>

namespace slm {

class LoweringContext {
public:
  LoweringContext(mlir::OpBuilder &builder, mlir::IRMapping &mapping,
                  std::map<std::string, mlir::Value> symbolValues)
      : builder(builder), mapping(mapping), symbols(std::move(symbolValues)) {}

  mlir::OpBuilder &builder;
  mlir::IRMapping &mapping;
  /// slm.attention becomes slm.attention_core (the target has a kernel).
  bool attentionKernel = false;
  /// slm.linear with an f32 weight becomes slm.linear_kernel (the target
  /// has a matmul kernel with epilogues) instead of its decomposition.
  bool linearKernel = false;

  /// The lowered value of an slm value.
  mlir::Value get(mlir::Value v) const { return mapping.lookup(v); }
  void set(mlir::Value from, mlir::Value to) { mapping.map(from, to); }

  /// An `index` value for a dim, built from the symbol arguments (cached).
  mlir::Value dim(mlir::Location loc, const DimExpr &d);
  /// `index` values of the dynamic dims of `type` (for tensor.empty & co).
  llvm::SmallVector<mlir::Value> dynamicDims(mlir::Location loc, mlir::Type type);
  /// Sizes of all dims as OpFoldResults (static as attributes).
  llvm::SmallVector<mlir::OpFoldResult> mixedSizes(mlir::Location loc, mlir::Type type);
  /// `tensor.empty` of the (encoding-free) `type`.
  mlir::Value empty(mlir::Location loc, mlir::Type type);
  /// `type` without the `#slm.dims` encoding.
  static mlir::RankedTensorType plain(mlir::Type type);

private:
  std::map<std::string, mlir::Value> symbols;
  std::map<std::string, mlir::Value> cache;
  mlir::Operation *lastDimOp = nullptr; // where the next dim op goes after
};

/// Reassociation groups that collapse the unit dims `unitAxes` of a rank-
/// `rank` shape into their neighbours (squeeze, unsqueeze, keepdims).
llvm::SmallVector<mlir::ReassociationIndices>
unitDimGroups(int64_t rank, llvm::ArrayRef<int64_t> unitAxes);

/// [[0, ..., n-1], [n], [n+1], ...] for a rank `rank` tensor: collapses the
/// leading n dims into one.
llvm::SmallVector<mlir::ReassociationIndices> leadingGroup(int64_t n, int64_t rank);

/// Lowers one op; returns failure with a diagnostic if it cannot.
/// Each returns `failure()` without a diagnostic when the op is not theirs.
mlir::FailureOr<bool> lowerElementwise(mlir::Operation *op, LoweringContext &ctx);
mlir::FailureOr<bool> lowerReductions(mlir::Operation *op, LoweringContext &ctx);
mlir::FailureOr<bool> lowerContractions(mlir::Operation *op, LoweringContext &ctx);
mlir::FailureOr<bool> lowerDataMovement(mlir::Operation *op, LoweringContext &ctx);
mlir::FailureOr<bool> lowerFusedOps(mlir::Operation *op, LoweringContext &ctx);
mlir::FailureOr<bool> lowerAttentionOps(mlir::Operation *op, LoweringContext &ctx);

/// The projection `op` (an slm.linear, or a matmul/gemm with a quantized
/// weight) as one slm.linear_kernel on the rows of `x` ([..., K]):
/// act(x . weight + bias) (+ residual). `weight` is the slm value ([K, N],
/// or quantized with its #slm.quant axis); an f32 weight that is the
/// transpose of a 2-D value is read untransposed (transposed_weight).
mlir::FailureOr<mlir::Value> lowerLinearKernel(mlir::Operation *op, mlir::Value x,
                                               mlir::Value weight, mlir::Value bias,
                                               mlir::Value residual,
                                               llvm::StringRef activation,
                                               LoweringContext &ctx);

} // namespace slm

#endif // SLMC_PASSES_CONVERSION_SLMTOLINALG_H
