//===- ShapeUtils.cpp - Symbolic shapes and known integer values ----------===//

#include "dialects/slm/IR/ShapeUtils.h"
#include "dialects/slm/IR/SlmOps.h"

using namespace mlir;

namespace slm {

std::optional<SymbolicShape> getSymbolicShape(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return std::nullopt;
  auto dims = dyn_cast_or_null<DimsAttr>(tensor.getEncoding());
  SymbolicShape symbolic = dims ? dims.getDims() : SymbolicShape{};
  SymbolicShape shape;
  size_t next = 0;
  for (int64_t d : tensor.getShape()) {
    if (!ShapedType::isDynamic(d)) {
      shape.push_back(DimExpr(d));
      continue;
    }
    if (next >= symbolic.size())
      return std::nullopt;
    shape.push_back(symbolic[next++]);
  }
  return shape;
}

QuantAttr getQuantEncoding(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor ? dyn_cast_or_null<QuantAttr>(tensor.getEncoding()) : QuantAttr();
}

RankedTensorType getTensorType(MLIRContext *ctx, const SymbolicShape &shape,
                               Type elementType) {
  SmallVector<int64_t> dims;
  SmallVector<DimExpr> dynamic;
  for (const DimExpr &d : shape) {
    if (auto c = d.getConstant()) {
      dims.push_back(*c);
    } else {
      dims.push_back(ShapedType::kDynamic);
      dynamic.push_back(d);
    }
  }
  Attribute encoding;
  if (!dynamic.empty())
    encoding = DimsAttr::get(ctx, dynamic);
  return RankedTensorType::get(dims, elementType, encoding);
}

static std::optional<DimExpr> broadcastDim(const DimExpr &a, const DimExpr &b,
                                           std::string *error) {
  if (a == b)
    return a;
  auto ca = a.getConstant(), cb = b.getConstant();
  if (ca == 1)
    return b;
  if (cb == 1)
    return a;
  if (ca && cb) {
    if (error)
      *error = "dims " + a.str() + " and " + b.str() + " do not broadcast";
    return std::nullopt;
  }
  // A constant other than 1 fixes the dim (the symbolic one must equal it).
  if (ca)
    return a;
  if (cb)
    return b;
  // Both symbolic and different: ONNX requires them equal unless one is 1
  // at run time; the larger one is the broadcast result.
  if ((b - a).isKnownNonNegative())
    return b;
  return a;
}

std::optional<SymbolicShape> broadcastShapes(ArrayRef<SymbolicShape> shapes,
                                             std::string *error) {
  size_t rank = 0;
  for (auto &s : shapes)
    rank = std::max(rank, s.size());
  SymbolicShape out(rank, DimExpr(1));
  for (auto &s : shapes) {
    size_t offset = rank - s.size();
    for (size_t i = 0; i < s.size(); ++i) {
      auto d = broadcastDim(out[offset + i], s[i], error);
      if (!d)
        return std::nullopt;
      out[offset + i] = *d;
    }
  }
  return out;
}

std::optional<SymbolicShape> inferReshape(const SymbolicShape &input,
                                          const SymbolicShape &target,
                                          bool allowZero, std::string *error) {
  SymbolicShape out;
  int inferred = -1;
  DimExpr known(1);
  for (size_t i = 0; i < target.size(); ++i) {
    auto c = target[i].getConstant();
    if (c == -1) {
      if (inferred >= 0) {
        *error = "more than one -1 in the target shape";
        return std::nullopt;
      }
      inferred = i;
      out.push_back(DimExpr(1));
      continue;
    }
    if (c == 0 && !allowZero) {
      if (i >= input.size()) {
        *error = "0 in the target shape at position " + std::to_string(i) +
                 " has no input dim to copy";
        return std::nullopt;
      }
      out.push_back(input[i]);
    } else if (c && *c < 0) {
      *error = "negative dim " + std::to_string(*c) + " in the target shape";
      return std::nullopt;
    } else {
      out.push_back(target[i]);
    }
    known = known * out.back();
  }
  if (inferred >= 0) {
    auto q = numElements(input).divExact(known);
    if (!q) {
      *error = "cannot infer the -1 dim: " + numElements(input).str() +
               " elements do not divide by " + known.str();
      return std::nullopt;
    }
    out[inferred] = *q;
  }
  return out;
}

std::optional<SymbolicShape> inferExpand(const SymbolicShape &input,
                                         const SymbolicShape &target,
                                         std::string *error) {
  return broadcastShapes({input, target}, error);
}

bool KnownValues::isAllConstant() const {
  for (auto &v : values)
    if (!v.isConstant())
      return false;
  return true;
}

std::optional<KnownValues> getKnownValues(Attribute attr, Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape() ||
      !tensor.getElementType().isSignlessInteger())
    return std::nullopt;
  KnownValues known;
  known.shape.assign(tensor.getShape().begin(), tensor.getShape().end());
  if (auto dense = dyn_cast_or_null<DenseIntElementsAttr>(attr)) {
    if (dense.getNumElements() > 4096)
      return std::nullopt;
    bool isBool = tensor.getElementType().isInteger(1);
    for (APInt v : dense.getValues<APInt>())
      known.values.push_back(DimExpr(isBool ? int64_t(v.getZExtValue())
                                            : v.getSExtValue()));
    return known;
  }
  if (auto dims = dyn_cast_or_null<DimsAttr>(attr)) {
    known.values = dims.getDims();
    if ((int64_t)known.values.size() != tensor.getNumElements())
      return std::nullopt;
    return known;
  }
  return std::nullopt;
}

std::optional<KnownValues> getKnownValues(Value value) {
  Operation *def = value.getDefiningOp();
  if (auto c = dyn_cast_or_null<ConstantOp>(def))
    return getKnownValues(c.getValue(), value.getType());
  if (auto d = dyn_cast_or_null<DimsOp>(def))
    return getKnownValues(d.getValue(), value.getType());
  return std::nullopt;
}

Attribute makeKnownValuesAttr(RankedTensorType type, const SymbolicShape &values) {
  bool allConstant = true;
  for (auto &v : values)
    allConstant &= v.isConstant();
  if (!allConstant)
    return DimsAttr::get(type.getContext(), values);
  Type elem = type.getElementType();
  unsigned width = elem.getIntOrFloatBitWidth();
  SmallVector<APInt> ints;
  for (auto &v : values)
    ints.push_back(APInt(width, uint64_t(*v.getConstant()), /*isSigned=*/width > 1,
                         /*implicitTrunc=*/true));
  return DenseIntElementsAttr::get(type, ints);
}

std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return std::nullopt;
  return axis < 0 ? axis + rank : axis;
}

} // namespace slm
