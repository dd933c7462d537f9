//===- FusionUtils.h - DAG matching helpers for the fusion passes -*- C++ -*-===//
//
// The exporters' decompositions differ in operand order and in how they
// spell a constant factor, so the matchers read the DAG through these
// helpers instead of matching op sequences.
//
//===----------------------------------------------------------------------===//
#ifndef SLMC_PASSES_FUSION_FUSIONUTILS_H
#define SLMC_PASSES_FUSION_FUSIONUTILS_H

#include "dialects/slm/IR/SlmOps.h"

#include "mlir/IR/PatternMatch.h"

#include <optional>

namespace slm::fusion {

/// The value of a float constant that is a splat with at most one element
/// per dim that could broadcast (any splat): `slm.constant dense<c>`.
std::optional<double> getSplatFloat(mlir::Value v);

/// Like getSplatFloat, but only for constants of one element (rank 0 or
/// all dims 1): such a constant never changes the shape it is combined with.
std::optional<double> getScalarFloat(mlir::Value v);

/// |a - b| <= tol * |b|.
bool closeTo(double a, double b, double tol = 1e-4);

/// The operand of a two-operand op that is not `v` (either order for
/// commutative ops), or null when `v` is not an operand.
mlir::Value otherOperand(mlir::Operation *op, mlir::Value v);

/// A product tree flattened: `v` = constant * leaves[0] * leaves[1] * ...
/// Internal muls (and divisions by a constant, and pow(x, 2|3)) are looked
/// through when they have one use; `ops` collects them (the root first).
struct Product {
  double constant = 1.0;
  llvm::SmallVector<mlir::Value> leaves;
  llvm::SmallVector<mlir::Operation *> ops;
};
Product flattenProduct(mlir::Value v);

/// Number of times `x` occurs among `leaves`.
unsigned countOf(llvm::ArrayRef<mlir::Value> leaves, mlir::Value x);

/// True if every use of `v` is by one of `ops`.
bool usedOnlyBy(mlir::Value v, llvm::ArrayRef<mlir::Operation *> ops);

/// `x * x` or `pow(x, 2)` with one use: returns x.
mlir::Value matchSquare(mlir::Value v);

/// 1/sqrt(v) as reciprocal(sqrt(v)), div(1, sqrt(v)) or pow(v, -0.5), every
/// internal op with one use: returns v and appends the internal ops.
mlir::Value matchRsqrt(mlir::Value r, llvm::SmallVectorImpl<mlir::Operation *> &ops);

/// The dtype-preserving element type of `v`.
mlir::Type elementType(mlir::Value v);

} // namespace slm::fusion

#endif // SLMC_PASSES_FUSION_FUSIONUTILS_H
