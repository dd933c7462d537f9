//===- ShapeUtils.h - Symbolic shapes and known integer values --*- C++ -*-===//
//
// The pieces that shape inference, folding and the importer share: reading
// and building tensor types with symbolic dims, ONNX broadcasting and
// reshape/expand rules over symbolic dims, and "known values" (small integer
// tensors whose elements are constants or symbolic dims, as produced by
// Shape and the arithmetic exporters build on it).
//
//===----------------------------------------------------------------------===//
#ifndef SLMC_DIALECTS_SLM_IR_SHAPEUTILS_H
#define SLMC_DIALECTS_SLM_IR_SHAPEUTILS_H

#include "dialects/slm/IR/DimExpr.h"
#include "dialects/slm/IR/SlmDialect.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"

#include <optional>
#include <string>

namespace slm {

/// The dims of a ranked tensor type: static dims as constants, dynamic dims
/// from the `#slm.dims` encoding. Fails (nullopt) for unranked types or
/// dynamic dims without an expression.
std::optional<SymbolicShape> getSymbolicShape(mlir::Type type);

/// The `#slm.quant` encoding of a quantized weight's tensor type, or null.
QuantAttr getQuantEncoding(mlir::Type type);

/// A ranked tensor type for `shape` (constant dims static, the others `?`
/// with a `#slm.dims` encoding).
mlir::RankedTensorType getTensorType(mlir::MLIRContext *ctx,
                                     const SymbolicShape &shape,
                                     mlir::Type elementType);

/// ONNX (numpy) broadcasting of several shapes. On failure returns nullopt
/// and sets `error`.
std::optional<SymbolicShape> broadcastShapes(llvm::ArrayRef<SymbolicShape> shapes,
                                             std::string *error = nullptr);

/// ONNX Reshape: `target` may hold 0 (copy the input dim unless allowzero)
/// and one -1 (inferred).
std::optional<SymbolicShape> inferReshape(const SymbolicShape &input,
                                          const SymbolicShape &target,
                                          bool allowZero, std::string *error);

/// ONNX Expand: bidirectional broadcast of the input with `target`.
std::optional<SymbolicShape> inferExpand(const SymbolicShape &input,
                                         const SymbolicShape &target,
                                         std::string *error);

/// A small integer tensor whose elements are known at compile time,
/// possibly symbolically. Rank is 0 or 1 for shape arithmetic; larger
/// ranks are allowed for plain constants.
struct KnownValues {
  llvm::SmallVector<int64_t> shape;
  SymbolicShape values; // row-major
  bool isAllConstant() const;
};

/// The known values of `attr` (an integer DenseElementsAttr, or a DimsAttr
/// with the given `type`). nullopt for anything else.
std::optional<KnownValues> getKnownValues(mlir::Attribute attr, mlir::Type type);
/// The known values of `value` if it is defined by slm.constant or slm.dims.
std::optional<KnownValues> getKnownValues(mlir::Value value);

/// An attribute holding `values` for a result of integer tensor `type`:
/// a DenseIntElementsAttr if all constant, else a DimsAttr.
mlir::Attribute makeKnownValuesAttr(mlir::RankedTensorType type,
                                    const SymbolicShape &values);

/// Normalizes an axis in [-rank, rank) to [0, rank); nullopt if out of range.
std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank);

} // namespace slm

#endif // SLMC_DIALECTS_SLM_IR_SHAPEUTILS_H
