//===- SlmOps.cpp - slm ops: shape inference, verifiers, folders ----------===//

#include "dialects/slm/IR/SlmOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>

using namespace mlir;
using namespace slm;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

namespace {
/// Reads the symbolic shape of a value for inference, reporting failure at
/// `loc` when the type has unnamed dynamic dims.
struct ShapeReader {
  std::optional<Location> loc;
  bool failed = false;

  SymbolicShape operator()(Value v) {
    auto s = getSymbolicShape(v.getType());
    if (!s) {
      failed = true;
      (void)emitOptionalError(loc, "operand type ", v.getType(),
                              " is not a ranked tensor with named dims");
      return {};
    }
    return *s;
  }
};

Type elementTypeOf(Value v) { return cast<ShapedType>(v.getType()).getElementType(); }

LogicalResult inferSameAs(MLIRContext *ctx, std::optional<Location> loc, Value v,
                          SmallVectorImpl<Type> &results) {
  ShapeReader shapeOf{loc};
  SymbolicShape s = shapeOf(v);
  if (shapeOf.failed)
    return failure();
  results.push_back(getTensorType(ctx, s, elementTypeOf(v)));
  return success();
}

/// Largest number of elements a folder may materialize as an attribute
/// (weights never live in attributes; see DESIGN.md).
constexpr int64_t kMaxFoldedElements = 256;

bool isSmallStatic(Type t) {
  auto rt = dyn_cast<RankedTensorType>(t);
  return rt && rt.hasStaticShape() && rt.getNumElements() <= kMaxFoldedElements;
}

/// Broadcast index mapping for folding elementwise ops on known values.
SmallVector<int64_t> broadcastIndex(int64_t flat, ArrayRef<int64_t> outShape,
                                    ArrayRef<int64_t> inShape) {
  SmallVector<int64_t> outIdx(outShape.size());
  for (int64_t i = outShape.size() - 1; i >= 0; --i) {
    outIdx[i] = flat % outShape[i];
    flat /= outShape[i];
  }
  int64_t offset = outShape.size() - inShape.size(), idx = 0;
  for (size_t i = 0; i < inShape.size(); ++i)
    idx = idx * inShape[i] + (inShape[i] == 1 ? 0 : outIdx[offset + i]);
  return {idx};
}

int64_t product(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

/// Float values of a small dense float constant (or of an integer one).
std::optional<SmallVector<double>> getFloatValues(Attribute attr) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  if (!dense || dense.getNumElements() > kMaxFoldedElements)
    return std::nullopt;
  SmallVector<double> out;
  if (isa<FloatType>(dense.getElementType())) {
    for (APFloat v : dense.getValues<APFloat>())
      out.push_back(v.convertToDouble());
    return out;
  }
  return std::nullopt;
}

Attribute makeFloatAttr(RankedTensorType type, ArrayRef<double> values) {
  auto ft = cast<FloatType>(type.getElementType());
  SmallVector<APFloat> vals;
  for (double v : values) {
    APFloat f(v);
    bool lost;
    f.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
    vals.push_back(f);
  }
  return DenseElementsAttr::get(type, vals);
}

/// Folds an elementwise binary op over known integer (possibly symbolic)
/// values or small float constants.
template <typename IntFn, typename FloatFn>
OpFoldResult foldBinary(Operation *op, Attribute lhs, Attribute rhs, IntFn intFn,
                        FloatFn floatFn) {
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  if (!lhs || !rhs || !isSmallStatic(resultType))
    return {};
  Type lt = op->getOperand(0).getType(), rt = op->getOperand(1).getType();
  auto lShape = cast<ShapedType>(lt).getShape(), rShape = cast<ShapedType>(rt).getShape();
  auto outShape = resultType.getShape();
  int64_t n = resultType.getNumElements();
  auto lk = getKnownValues(lhs, lt), rk = getKnownValues(rhs, rt);
  if (lk && rk) {
    SymbolicShape out;
    for (int64_t i = 0; i < n; ++i) {
      auto r = intFn(lk->values[broadcastIndex(i, outShape, lShape)[0]],
                     rk->values[broadcastIndex(i, outShape, rShape)[0]]);
      if (!r)
        return {};
      out.push_back(*r);
    }
    if (!resultType.getElementType().isSignlessInteger())
      return {};
    return makeKnownValuesAttr(resultType, out);
  }
  auto lf = getFloatValues(lhs), rf = getFloatValues(rhs);
  if (lf && rf && isa<FloatType>(resultType.getElementType())) {
    SmallVector<double> out;
    for (int64_t i = 0; i < n; ++i)
      out.push_back(floatFn((*lf)[broadcastIndex(i, outShape, lShape)[0]],
                            (*rf)[broadcastIndex(i, outShape, rShape)[0]]));
    return makeFloatAttr(resultType, out);
  }
  return {};
}

std::optional<DimExpr> noIntFold(const DimExpr &, const DimExpr &) {
  return std::nullopt;
}
double noFloatFold(double, double) { return NAN; }

/// A comparison result when it can be decided for all symbol values
/// (symbols are non-negative dims).
std::optional<DimExpr> compareDims(const DimExpr &a, const DimExpr &b,
                                   function_ref<bool(int64_t)> onDiff) {
  DimExpr diff = a - b;
  if (auto c = diff.getConstant())
    return DimExpr(onDiff(*c) ? 1 : 0);
  return std::nullopt;
}

template <typename Fn>
OpFoldResult foldUnary(Operation *op, Attribute input, Fn floatFn) {
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  auto vals = getFloatValues(input);
  if (!vals || !isa<FloatType>(resultType.getElementType()))
    return {};
  SmallVector<double> out;
  for (double v : *vals)
    out.push_back(floatFn(v));
  return makeFloatAttr(resultType, out);
}

/// Attribute for a result whose values are a reinterpretation (same order)
/// of known input values.
OpFoldResult foldPassThrough(Value result, Attribute input, Type inputType) {
  auto type = cast<RankedTensorType>(result.getType());
  if (!input || !type.hasStaticShape())
    return {};
  if (auto known = getKnownValues(input, inputType)) {
    if ((int64_t)known->values.size() != type.getNumElements())
      return {};
    return makeKnownValuesAttr(type, known->values);
  }
  if (auto dense = dyn_cast<DenseElementsAttr>(input))
    if (dense.getNumElements() == type.getNumElements() &&
        dense.getElementType() == type.getElementType())
      return dense.reshape(type);
  return {};
}
} // namespace

//===----------------------------------------------------------------------===//
// Leaves
//===----------------------------------------------------------------------===//

LogicalResult WeightOp::verify() {
  auto type = cast<RankedTensorType>(getType());
  if (!type.hasStaticShape())
    return emitOpError("weight ") << getName() << " must have a static shape";
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

LogicalResult ConstantOp::verify() {
  if (cast<TypedAttr>(getValue()).getType() != getType())
    return emitOpError("value type does not match the result type");
  return success();
}

OpFoldResult DimsOp::fold(FoldAdaptor) { return getValue(); }

LogicalResult DimsOp::verify() {
  auto type = cast<RankedTensorType>(getType());
  if (type.getRank() > 1 || !type.hasStaticShape())
    return emitOpError("result must be a static 0-D or 1-D integer tensor");
  if ((int64_t)getValue().size() != type.getNumElements())
    return emitOpError("has ") << getValue().size() << " values for "
                               << type.getNumElements() << " elements";
  return success();
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

static bool isComparison(Operation *op) {
  return isa<EqualOp, LessOp, LessOrEqualOp, GreaterOp, GreaterOrEqualOp>(op);
}

template <typename OpTy>
static LogicalResult inferBinary(MLIRContext *ctx, std::optional<Location> loc,
                                 Value lhs, Value rhs, SmallVectorImpl<Type> &results,
                                 bool allowMixedTypes = false) {
  ShapeReader shapeOf{loc};
  SymbolicShape a = shapeOf(lhs), b = shapeOf(rhs);
  if (shapeOf.failed)
    return failure();
  std::string error;
  auto shape = broadcastShapes({a, b}, &error);
  if (!shape)
    return emitOptionalError(loc, OpTy::getOperationName(), ": ", error);
  if (!allowMixedTypes && elementTypeOf(lhs) != elementTypeOf(rhs))
    return emitOptionalError(loc, OpTy::getOperationName(),
                             ": operand element types differ: ", elementTypeOf(lhs),
                             " vs ", elementTypeOf(rhs));
  Type elem = elementTypeOf(lhs);
  if (std::is_same_v<OpTy, EqualOp> || std::is_same_v<OpTy, LessOp> ||
      std::is_same_v<OpTy, LessOrEqualOp> || std::is_same_v<OpTy, GreaterOp> ||
      std::is_same_v<OpTy, GreaterOrEqualOp>)
    elem = IntegerType::get(ctx, 1);
  results.push_back(getTensorType(ctx, *shape, elem));
  return success();
}

#define SLM_BINARY_INFER(OpTy, mixed)                                          \
  LogicalResult OpTy::inferReturnTypes(MLIRContext *ctx,                       \
                                       std::optional<Location> loc,            \
                                       Adaptor adaptor,                        \
                                       SmallVectorImpl<Type> &results) {       \
    return inferBinary<OpTy>(ctx, loc, adaptor.getLhs(), adaptor.getRhs(),     \
                             results, mixed);                                  \
  }
SLM_BINARY_INFER(AddOp, false)
SLM_BINARY_INFER(SubOp, false)
SLM_BINARY_INFER(MulOp, false)
SLM_BINARY_INFER(DivOp, false)
SLM_BINARY_INFER(PowOp, true)
SLM_BINARY_INFER(MaxOp, false)
SLM_BINARY_INFER(MinOp, false)
SLM_BINARY_INFER(AndOp, false)
SLM_BINARY_INFER(OrOp, false)
SLM_BINARY_INFER(EqualOp, false)
SLM_BINARY_INFER(LessOp, false)
SLM_BINARY_INFER(LessOrEqualOp, false)
SLM_BINARY_INFER(GreaterOp, false)
SLM_BINARY_INFER(GreaterOrEqualOp, false)
#undef SLM_BINARY_INFER

OpFoldResult AddOp::fold(FoldAdaptor a) {
  return foldBinary(
      *this, a.getLhs(), a.getRhs(),
      [](const DimExpr &x, const DimExpr &y) -> std::optional<DimExpr> { return x + y; },
      [](double x, double y) { return x + y; });
}
OpFoldResult SubOp::fold(FoldAdaptor a) {
  return foldBinary(
      *this, a.getLhs(), a.getRhs(),
      [](const DimExpr &x, const DimExpr &y) -> std::optional<DimExpr> { return x - y; },
      [](double x, double y) { return x - y; });
}
OpFoldResult MulOp::fold(FoldAdaptor a) {
  return foldBinary(
      *this, a.getLhs(), a.getRhs(),
      [](const DimExpr &x, const DimExpr &y) -> std::optional<DimExpr> { return x * y; },
      [](double x, double y) { return x * y; });
}
OpFoldResult DivOp::fold(FoldAdaptor a) {
  return foldBinary(
      *this, a.getLhs(), a.getRhs(),
      [](const DimExpr &x, const DimExpr &y) -> std::optional<DimExpr> {
        auto cx = x.getConstant(), cy = y.getConstant();
        // ONNX integer division truncates toward zero (as C++ does).
        if (cx && cy)
          return *cy == 0 ? std::nullopt : std::optional<DimExpr>(*cx / *cy);
        // Exact symbolic quotients only when the divisor divides every term
        // and the symbols are non-negative.
        if (x.isKnownNonNegative() && y.getConstant() && *y.getConstant() > 0)
          return x.divExact(y);
        return std::nullopt;
      },
      [](double x, double y) { return x / y; });
}
OpFoldResult PowOp::fold(FoldAdaptor a) {
  return foldBinary(*this, a.getLhs(), a.getRhs(), noIntFold,
                    [](double x, double y) { return std::pow(x, y); });
}
OpFoldResult MaxOp::fold(FoldAdaptor a) {
  return foldBinary(
      *this, a.getLhs(), a.getRhs(),
      [](const DimExpr &x, const DimExpr &y) -> std::optional<DimExpr> {
        if ((x - y).isKnownNonNegative())
          return x;
        if ((y - x).isKnownNonNegative())
          return y;
        return std::nullopt;
      },
      [](double x, double y) { return std::max(x, y); });
}
OpFoldResult MinOp::fold(FoldAdaptor a) {
  return foldBinary(
      *this, a.getLhs(), a.getRhs(),
      [](const DimExpr &x, const DimExpr &y) -> std::optional<DimExpr> {
        if ((x - y).isKnownNonNegative())
          return y;
        if ((y - x).isKnownNonNegative())
          return x;
        return std::nullopt;
      },
      [](double x, double y) { return std::min(x, y); });
}
OpFoldResult AndOp::fold(FoldAdaptor a) {
  return foldBinary(
      *this, a.getLhs(), a.getRhs(),
      [](const DimExpr &x, const DimExpr &y) -> std::optional<DimExpr> {
        auto cx = x.getConstant(), cy = y.getConstant();
        if (cx && cy)
          return DimExpr((*cx != 0 && *cy != 0) ? 1 : 0);
        return std::nullopt;
      },
      noFloatFold);
}
OpFoldResult OrOp::fold(FoldAdaptor a) {
  return foldBinary(
      *this, a.getLhs(), a.getRhs(),
      [](const DimExpr &x, const DimExpr &y) -> std::optional<DimExpr> {
        auto cx = x.getConstant(), cy = y.getConstant();
        if (cx && cy)
          return DimExpr((*cx != 0 || *cy != 0) ? 1 : 0);
        return std::nullopt;
      },
      noFloatFold);
}
OpFoldResult EqualOp::fold(FoldAdaptor a) {
  return foldBinary(
      *this, a.getLhs(), a.getRhs(),
      [](const DimExpr &x, const DimExpr &y) -> std::optional<DimExpr> {
        if (x == y)
          return DimExpr(1);
        if (auto d = compareDims(x, y, [](int64_t d) { return d == 0; }))
          return d;
        // A dim (non-negative) never equals a negative constant: the
        // exporters' `Where(Equal(shape, -1), ...)` guards.
        auto cx = x.getConstant(), cy = y.getConstant();
        if ((cx && *cx < 0 && y.isKnownNonNegative()) ||
            (cy && *cy < 0 && x.isKnownNonNegative()))
          return DimExpr(0);
        return std::nullopt;
      },
      noFloatFold);
}
OpFoldResult LessOp::fold(FoldAdaptor a) {
  return foldBinary(
      *this, a.getLhs(), a.getRhs(),
      [](const DimExpr &x, const DimExpr &y) {
        return compareDims(x, y, [](int64_t d) { return d < 0; });
      },
      noFloatFold);
}
OpFoldResult LessOrEqualOp::fold(FoldAdaptor a) {
  return foldBinary(
      *this, a.getLhs(), a.getRhs(),
      [](const DimExpr &x, const DimExpr &y) {
        return compareDims(x, y, [](int64_t d) { return d <= 0; });
      },
      noFloatFold);
}
OpFoldResult GreaterOp::fold(FoldAdaptor a) {
  return foldBinary(
      *this, a.getLhs(), a.getRhs(),
      [](const DimExpr &x, const DimExpr &y) {
        return compareDims(x, y, [](int64_t d) { return d > 0; });
      },
      noFloatFold);
}
OpFoldResult GreaterOrEqualOp::fold(FoldAdaptor a) {
  return foldBinary(
      *this, a.getLhs(), a.getRhs(),
      [](const DimExpr &x, const DimExpr &y) {
        return compareDims(x, y, [](int64_t d) { return d >= 0; });
      },
      noFloatFold);
}

// --- unary ------------------------------------------------------------------

#define SLM_UNARY_INFER(OpTy, boolResult)                                      \
  LogicalResult OpTy::inferReturnTypes(MLIRContext *ctx,                       \
                                       std::optional<Location> loc,            \
                                       Adaptor adaptor,                        \
                                       SmallVectorImpl<Type> &results) {       \
    if (!boolResult)                                                           \
      return inferSameAs(ctx, loc, adaptor.getInput(), results);               \
    ShapeReader shapeOf{loc};                                                  \
    SymbolicShape s = shapeOf(adaptor.getInput());                             \
    if (shapeOf.failed)                                                        \
      return failure();                                                        \
    results.push_back(getTensorType(ctx, s, IntegerType::get(ctx, 1)));        \
    return success();                                                          \
  }
SLM_UNARY_INFER(NegOp, false)
SLM_UNARY_INFER(NotOp, false)
SLM_UNARY_INFER(AbsOp, false)
SLM_UNARY_INFER(SqrtOp, false)
SLM_UNARY_INFER(ReciprocalOp, false)
SLM_UNARY_INFER(ExpOp, false)
SLM_UNARY_INFER(LogOp, false)
SLM_UNARY_INFER(CosOp, false)
SLM_UNARY_INFER(SinOp, false)
SLM_UNARY_INFER(TanhOp, false)
SLM_UNARY_INFER(ErfOp, false)
SLM_UNARY_INFER(SigmoidOp, false)
SLM_UNARY_INFER(ReluOp, false)
SLM_UNARY_INFER(SiluOp, false)
SLM_UNARY_INFER(IsNaNOp, true)
SLM_UNARY_INFER(GeluOp, false)
SLM_UNARY_INFER(ClipOp, false)
SLM_UNARY_INFER(SoftmaxOp, false)
SLM_UNARY_INFER(CumSumOp, false)
SLM_UNARY_INFER(TriluOp, false)
#undef SLM_UNARY_INFER

OpFoldResult NegOp::fold(FoldAdaptor a) {
  if (auto known = getKnownValues(a.getInput(), getInput().getType())) {
    SymbolicShape out;
    for (auto &v : known->values)
      out.push_back(-v);
    if (!getType().hasStaticShape())
      return {};
    return makeKnownValuesAttr(getType(), out);
  }
  return foldUnary(*this, a.getInput(), [](double x) { return -x; });
}
OpFoldResult NotOp::fold(FoldAdaptor a) {
  auto known = getKnownValues(a.getInput(), getInput().getType());
  if (!known || !known->isAllConstant() || !getType().hasStaticShape())
    return {};
  SymbolicShape out;
  for (auto &v : known->values)
    out.push_back(DimExpr(*v.getConstant() ? 0 : 1));
  return makeKnownValuesAttr(getType(), out);
}
OpFoldResult AbsOp::fold(FoldAdaptor a) {
  return foldUnary(*this, a.getInput(), [](double x) { return std::fabs(x); });
}
OpFoldResult SqrtOp::fold(FoldAdaptor a) {
  return foldUnary(*this, a.getInput(), [](double x) { return std::sqrt(x); });
}
OpFoldResult ReciprocalOp::fold(FoldAdaptor a) {
  return foldUnary(*this, a.getInput(), [](double x) { return 1.0 / x; });
}
OpFoldResult ExpOp::fold(FoldAdaptor a) {
  return foldUnary(*this, a.getInput(), [](double x) { return std::exp(x); });
}
OpFoldResult LogOp::fold(FoldAdaptor a) {
  return foldUnary(*this, a.getInput(), [](double x) { return std::log(x); });
}
OpFoldResult CosOp::fold(FoldAdaptor a) {
  return foldUnary(*this, a.getInput(), [](double x) { return std::cos(x); });
}
OpFoldResult SinOp::fold(FoldAdaptor a) {
  return foldUnary(*this, a.getInput(), [](double x) { return std::sin(x); });
}
OpFoldResult TanhOp::fold(FoldAdaptor a) {
  return foldUnary(*this, a.getInput(), [](double x) { return std::tanh(x); });
}
OpFoldResult ErfOp::fold(FoldAdaptor a) {
  return foldUnary(*this, a.getInput(), [](double x) { return std::erf(x); });
}
OpFoldResult SigmoidOp::fold(FoldAdaptor a) {
  return foldUnary(*this, a.getInput(), [](double x) { return 1.0 / (1.0 + std::exp(-x)); });
}
OpFoldResult ReluOp::fold(FoldAdaptor a) {
  return foldUnary(*this, a.getInput(), [](double x) { return x > 0 ? x : 0.0; });
}
OpFoldResult SiluOp::fold(FoldAdaptor a) {
  return foldUnary(*this, a.getInput(), [](double x) { return x / (1.0 + std::exp(-x)); });
}
OpFoldResult IsNaNOp::fold(FoldAdaptor) { return {}; }

LogicalResult GeluOp::verify() {
  if (getApproximate() != "none" && getApproximate() != "tanh")
    return emitOpError("approximate must be \"none\" or \"tanh\", got \"")
           << getApproximate() << "\"";
  return success();
}

LogicalResult CastOp::verify() {
  auto in = getSymbolicShape(getInput().getType());
  auto out = getSymbolicShape(getType());
  if (in && out && *in != *out)
    return emitOpError("changes the shape");
  return success();
}

OpFoldResult CastOp::fold(FoldAdaptor a) {
  if (getInput().getType() == getType())
    return getInput();
  auto type = cast<RankedTensorType>(getType());
  Type to = type.getElementType();
  if (auto known = getKnownValues(a.getInput(), getInput().getType())) {
    if (to.isSignlessInteger() && type.hasStaticShape()) {
      if (to.isInteger(1)) {
        if (!known->isAllConstant())
          return {};
        SymbolicShape out;
        for (auto &v : known->values)
          out.push_back(DimExpr(*v.getConstant() != 0));
        return makeKnownValuesAttr(type, out);
      }
      return makeKnownValuesAttr(type, known->values);
    }
    if (isa<FloatType>(to) && known->isAllConstant() && isSmallStatic(type)) {
      SmallVector<double> out;
      for (auto &v : known->values)
        out.push_back(double(*v.getConstant()));
      return makeFloatAttr(type, out);
    }
    return {};
  }
  if (auto vals = getFloatValues(a.getInput())) {
    if (isa<FloatType>(to))
      return makeFloatAttr(type, *vals);
    if (to.isSignlessInteger() && !to.isInteger(1)) {
      SymbolicShape out;
      for (double v : *vals)
        out.push_back(DimExpr(int64_t(v)));
      return makeKnownValuesAttr(type, out);
    }
  }
  return {};
}

OpFoldResult WhereOp::fold(FoldAdaptor a) {
  auto type = cast<RankedTensorType>(getType());
  if (!isSmallStatic(type) || !a.getCondition() || !a.getX() || !a.getY())
    return {};
  auto cond = getKnownValues(a.getCondition(), getCondition().getType());
  if (!cond || !cond->isAllConstant())
    return {};
  auto outShape = type.getShape();
  auto cShape = cast<ShapedType>(getCondition().getType()).getShape();
  auto xShape = cast<ShapedType>(getX().getType()).getShape();
  auto yShape = cast<ShapedType>(getY().getType()).getShape();
  int64_t n = type.getNumElements();
  auto pick = [&](int64_t i) {
    return *cond->values[broadcastIndex(i, outShape, cShape)[0]].getConstant() != 0;
  };
  auto xk = getKnownValues(a.getX(), getX().getType());
  auto yk = getKnownValues(a.getY(), getY().getType());
  if (xk && yk) {
    SymbolicShape out;
    for (int64_t i = 0; i < n; ++i)
      out.push_back(pick(i) ? xk->values[broadcastIndex(i, outShape, xShape)[0]]
                            : yk->values[broadcastIndex(i, outShape, yShape)[0]]);
    return makeKnownValuesAttr(type, out);
  }
  auto xf = getFloatValues(a.getX()), yf = getFloatValues(a.getY());
  if (xf && yf) {
    SmallVector<double> out;
    for (int64_t i = 0; i < n; ++i)
      out.push_back(pick(i) ? (*xf)[broadcastIndex(i, outShape, xShape)[0]]
                            : (*yf)[broadcastIndex(i, outShape, yShape)[0]]);
    return makeFloatAttr(type, out);
  }
  return {};
}

LogicalResult WhereOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &results) {
  ShapeReader shapeOf{loc};
  SymbolicShape c = shapeOf(adaptor.getCondition()), x = shapeOf(adaptor.getX()),
                y = shapeOf(adaptor.getY());
  if (shapeOf.failed)
    return failure();
  std::string error;
  auto shape = broadcastShapes({c, x, y}, &error);
  if (!shape)
    return emitOptionalError(loc, "slm.where: ", error);
  if (elementTypeOf(adaptor.getX()) != elementTypeOf(adaptor.getY()))
    return emitOptionalError(loc, "slm.where: x and y element types differ");
  results.push_back(getTensorType(ctx, *shape, elementTypeOf(adaptor.getX())));
  return success();
}

//===----------------------------------------------------------------------===//
// Reductions and normalizations
//===----------------------------------------------------------------------===//

static LogicalResult verifyAxes(Operation *op, ArrayRef<int64_t> axes, int64_t rank,
                                bool sorted = true) {
  for (size_t i = 0; i < axes.size(); ++i) {
    if (axes[i] < 0 || axes[i] >= rank)
      return op->emitOpError("axis ") << axes[i] << " out of range for rank " << rank;
    if (sorted && i > 0 && axes[i] <= axes[i - 1])
      return op->emitOpError("axes must be sorted and unique");
  }
  return success();
}

static LogicalResult inferReduce(MLIRContext *ctx, std::optional<Location> loc,
                                 Value input, ArrayRef<int64_t> axes, bool keepdims,
                                 Type elem, SmallVectorImpl<Type> &results) {
  ShapeReader shapeOf{loc};
  SymbolicShape s = shapeOf(input);
  if (shapeOf.failed)
    return failure();
  SymbolicShape out;
  for (size_t i = 0; i < s.size(); ++i) {
    bool reduced = llvm::is_contained(axes, (int64_t)i);
    if (!reduced)
      out.push_back(s[i]);
    else if (keepdims)
      out.push_back(DimExpr(1));
  }
  results.push_back(getTensorType(ctx, out, elem));
  return success();
}

#define SLM_REDUCE(OpTy)                                                       \
  LogicalResult OpTy::inferReturnTypes(MLIRContext *ctx,                       \
                                       std::optional<Location> loc,            \
                                       Adaptor adaptor,                        \
                                       SmallVectorImpl<Type> &results) {       \
    return inferReduce(ctx, loc, adaptor.getInput(), adaptor.getAxes(),        \
                       adaptor.getKeepdims(), elementTypeOf(adaptor.getInput()), \
                       results);                                               \
  }                                                                            \
  LogicalResult OpTy::verify() {                                               \
    return verifyAxes(*this, getAxes(),                                        \
                      cast<ShapedType>(getInput().getType()).getRank());       \
  }
SLM_REDUCE(ReduceMeanOp)
SLM_REDUCE(ReduceSumOp)
SLM_REDUCE(ReduceMaxOp)
SLM_REDUCE(ReduceMinOp)
#undef SLM_REDUCE

static LogicalResult verifyAxis(Operation *op, int64_t axis, Value input) {
  int64_t rank = cast<ShapedType>(input.getType()).getRank();
  if (axis < 0 || axis >= rank)
    return op->emitOpError("axis ") << axis << " out of range for rank " << rank;
  return success();
}

LogicalResult SoftmaxOp::verify() { return verifyAxis(*this, getAxis(), getInput()); }
LogicalResult CumSumOp::verify() { return verifyAxis(*this, getAxis(), getInput()); }

LogicalResult TriluOp::verify() {
  if (cast<ShapedType>(getInput().getType()).getRank() < 2)
    return emitOpError("input must have rank >= 2");
  if (getK().size() != 1)
    return emitOpError("k must hold one value");
  return success();
}

LogicalResult LayerNormOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  return inferSameAs(ctx, loc, adaptor.getInput(), results);
}
LogicalResult LayerNormOp::verify() { return verifyAxis(*this, getAxis(), getInput()); }

LogicalResult RmsNormOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  return inferSameAs(ctx, loc, adaptor.getInput(), results);
}
LogicalResult RmsNormOp::verify() { return verifyAxis(*this, getAxis(), getInput()); }

LogicalResult ArgMaxOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  int64_t axis = adaptor.getAxis();
  return inferReduce(ctx, loc, adaptor.getInput(), {axis}, adaptor.getKeepdims(),
                     IntegerType::get(ctx, 64), results);
}
LogicalResult ArgMaxOp::verify() { return verifyAxis(*this, getAxis(), getInput()); }

LogicalResult TopKOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                       Adaptor adaptor, SmallVectorImpl<Type> &results) {
  ShapeReader shapeOf{loc};
  SymbolicShape s = shapeOf(adaptor.getInput());
  if (shapeOf.failed)
    return failure();
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= (int64_t)s.size())
    return emitOptionalError(loc, "slm.topk: axis out of range");
  s[axis] = DimExpr(int64_t(adaptor.getK()));
  results.push_back(getTensorType(ctx, s, elementTypeOf(adaptor.getInput())));
  results.push_back(getTensorType(ctx, s, IntegerType::get(ctx, 64)));
  return success();
}
LogicalResult TopKOp::verify() { return verifyAxis(*this, getAxis(), getInput()); }

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

LogicalResult MatMulOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  ShapeReader shapeOf{loc};
  SymbolicShape a = shapeOf(adaptor.getLhs()), b = shapeOf(adaptor.getRhs());
  if (shapeOf.failed)
    return failure();
  if (a.empty() || b.empty())
    return emitOptionalError(loc, "slm.matmul: operands must have rank >= 1");
  bool vecA = a.size() == 1, vecB = b.size() == 1;
  if (vecA)
    a.insert(a.begin(), DimExpr(1));
  if (vecB)
    b.push_back(DimExpr(1));
  DimExpr k1 = a[a.size() - 1], k2 = b[b.size() - 2];
  auto ck1 = k1.getConstant(), ck2 = k2.getConstant();
  if (ck1 && ck2 && *ck1 != *ck2)
    return emitOptionalError(loc, "slm.matmul: contraction dims differ: ", *ck1,
                             " vs ", *ck2);
  std::string error;
  auto batch = broadcastShapes({SymbolicShape(a.begin(), a.end() - 2),
                                SymbolicShape(b.begin(), b.end() - 2)},
                               &error);
  if (!batch)
    return emitOptionalError(loc, "slm.matmul: batch dims: ", error);
  SymbolicShape out = *batch;
  if (!vecA)
    out.push_back(a[a.size() - 2]);
  if (!vecB)
    out.push_back(b[b.size() - 1]);
  // A quantized weight stores another dtype; the product is in the lhs's.
  if (!getQuantEncoding(adaptor.getRhs().getType()) &&
      elementTypeOf(adaptor.getLhs()) != elementTypeOf(adaptor.getRhs()))
    return emitOptionalError(loc, "slm.matmul: operand element types differ");
  results.push_back(getTensorType(ctx, out, elementTypeOf(adaptor.getLhs())));
  return success();
}

LogicalResult GemmOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                       Adaptor adaptor, SmallVectorImpl<Type> &results) {
  ShapeReader shapeOf{loc};
  SymbolicShape a = shapeOf(adaptor.getA()), b = shapeOf(adaptor.getB());
  if (shapeOf.failed)
    return failure();
  if (a.size() != 2 || b.size() != 2)
    return emitOptionalError(loc, "slm.gemm: A and B must be 2-D");
  DimExpr m = adaptor.getTransA() ? a[1] : a[0];
  DimExpr n = adaptor.getTransB() ? b[0] : b[1];
  results.push_back(getTensorType(ctx, {m, n}, elementTypeOf(adaptor.getA())));
  return success();
}

/// Parses an einsum equation into per-input labels and output labels;
/// '.' marks an ellipsis position (expanded by the caller).
static LogicalResult parseEinsum(StringRef equation, SmallVectorImpl<std::string> &inputs,
                                 std::string &output, bool &explicitOutput) {
  std::string eq;
  for (char c : equation)
    if (c != ' ')
      eq += c;
  size_t arrow = eq.find("->");
  explicitOutput = arrow != std::string::npos;
  std::string lhs = explicitOutput ? eq.substr(0, arrow) : eq;
  output = explicitOutput ? eq.substr(arrow + 2) : "";
  inputs.clear();
  SmallVector<StringRef> parts;
  StringRef(lhs).split(parts, ',');
  for (StringRef part : parts)
    inputs.push_back(part.str());
  for (auto &s : inputs)
    for (char c : s)
      if (!std::isalpha(static_cast<unsigned char>(c)))
        return failure();
  for (char c : output)
    if (!std::isalpha(static_cast<unsigned char>(c)))
      return failure();
  return success();
}

LogicalResult EinsumOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  SmallVector<std::string> inputs;
  std::string output;
  bool explicitOutput;
  if (failed(parseEinsum(adaptor.getEquation(), inputs, output, explicitOutput)))
    return emitOptionalError(loc, "slm.einsum: unsupported equation '",
                             adaptor.getEquation(), "' (ellipsis is not supported)");
  if (inputs.size() != adaptor.getInputs().size())
    return emitOptionalError(loc, "slm.einsum: equation has ", inputs.size(),
                             " inputs, op has ", adaptor.getInputs().size());
  std::map<char, DimExpr> dims;
  std::map<char, int> counts;
  ShapeReader shapeOf{loc};
  for (auto [labels, value] : llvm::zip(inputs, adaptor.getInputs())) {
    SymbolicShape s = shapeOf(value);
    if (shapeOf.failed)
      return failure();
    if (s.size() != labels.size())
      return emitOptionalError(loc, "slm.einsum: '", labels, "' does not match rank ",
                               s.size());
    for (size_t i = 0; i < labels.size(); ++i) {
      counts[labels[i]]++;
      auto it = dims.find(labels[i]);
      if (it == dims.end() || it->second.getConstant() == 1)
        dims[labels[i]] = s[i];
    }
  }
  if (!explicitOutput)
    for (auto &[c, n] : counts)
      if (n == 1)
        output += c;
  SymbolicShape out;
  for (char c : output) {
    if (!dims.count(c))
      return emitOptionalError(loc, "slm.einsum: output label '", std::string(1, c),
                               "' is not an input label");
    out.push_back(dims[c]);
  }
  results.push_back(getTensorType(ctx, out, elementTypeOf(adaptor.getInputs()[0])));
  return success();
}

// gated_mlp (fusion-a). Weights are read with their plain shape, not
// getSymbolicShape: a quantized weight's encoding is #slm.quant, not dims.
static std::optional<std::pair<int64_t, int64_t>> staticMatrixShape(Value w) {
  auto t = dyn_cast<RankedTensorType>(w.getType());
  if (!t || t.getRank() != 2 || !t.hasStaticShape())
    return std::nullopt;
  return std::make_pair(t.getDimSize(0), t.getDimSize(1));
}

LogicalResult GatedMlpOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                           Adaptor adaptor, SmallVectorImpl<Type> &results) {
  ShapeReader shapeOf{loc};
  SymbolicShape x = shapeOf(adaptor.getX());
  if (shapeOf.failed)
    return failure();
  if (x.empty())
    return emitOptionalError(loc, "slm.gated_mlp: x must have rank >= 1");
  auto down = staticMatrixShape(adaptor.getWDown());
  if (!down)
    return emitOptionalError(loc, "slm.gated_mlp: w_down must be a static 2-D tensor");
  x.back() = DimExpr(down->second);
  results.push_back(getTensorType(ctx, x, elementTypeOf(adaptor.getX())));
  return success();
}

LogicalResult GatedMlpOp::verify() {
  StringRef act = getActivation();
  if (act != "silu" && act != "gelu" && act != "gelu_tanh")
    return emitOpError() << "unknown activation \"" << act
                         << "\" (expected silu, gelu or gelu_tanh)";
  if (getFusedGateUp() == bool(getWUp()))
    return emitOpError() << "needs either w_up or fused_gate_up, not both or neither";
  if (!isa<FloatType>(elementTypeOf(getX())))
    return emitOpError() << "x must be a float tensor";
  auto gate = staticMatrixShape(getWGate()), down = staticMatrixShape(getWDown());
  if (!gate || !down)
    return emitOpError() << "weights must be static 2-D tensors";
  int64_t k = gate->first, inter = gate->second;
  if (getFusedGateUp()) {
    if (inter % 2)
      return emitOpError() << "fused gate_up weight has an odd number of columns";
    inter /= 2;
  } else {
    auto up = staticMatrixShape(getWUp());
    if (!up || *up != *gate)
      return emitOpError() << "w_up must be a static 2-D tensor of w_gate's shape";
  }
  if (down->first != inter)
    return emitOpError() << "w_down has " << down->first << " rows, expected " << inter;
  int64_t xk = cast<RankedTensorType>(getX().getType()).getShape().back();
  if (!ShapedType::isDynamic(xk) && xk != k)
    return emitOpError() << "x's last dim " << xk << " differs from the weights' " << k;
  if (Value residual = getResidual())
    if (residual.getType() != getType())
      return emitOpError() << "the residual must have the result's type " << getType()
                           << ", got " << residual.getType();
  return success();
}

// linear (fusion-e).
static bool isActivationName(StringRef act) {
  return act == "none" || act == "silu" || act == "gelu" || act == "gelu_tanh";
}

LogicalResult LinearOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &results) {
  ShapeReader shapeOf{loc};
  SymbolicShape x = shapeOf(adaptor.getX());
  if (shapeOf.failed)
    return failure();
  auto w = staticMatrixShape(adaptor.getWeight());
  if (x.empty() || !w)
    return emitOptionalError(loc, "slm.linear: x must have rank >= 1 and the weight be a "
                                  "static 2-D tensor");
  x.back() = DimExpr(w->second);
  results.push_back(getTensorType(ctx, x, elementTypeOf(adaptor.getX())));
  return success();
}

LogicalResult LinearOp::verify() {
  if (!isActivationName(getActivation()))
    return emitOpError() << "unknown activation \"" << getActivation()
                         << "\" (expected none, silu, gelu or gelu_tanh)";
  if (getResidual() && getActivation() != "none")
    return emitOpError() << "a residual goes only with activation \"none\"";
  if (!elementTypeOf(getX()).isF32())
    return emitOpError() << "x must be an f32 tensor";
  auto w = staticMatrixShape(getWeight());
  if (!w)
    return emitOpError() << "the weight must be a static 2-D tensor";
  int64_t xk = cast<RankedTensorType>(getX().getType()).getShape().back();
  if (!ShapedType::isDynamic(xk) && xk != w->first)
    return emitOpError() << "x's last dim " << xk << " differs from the weight's " << w->first;
  if (Value bias = getBias()) {
    auto b = cast<RankedTensorType>(bias.getType());
    if (b.getRank() != 1 || b.getDimSize(0) != w->second || !b.getElementType().isF32())
      return emitOpError() << "the bias must be tensor<" << w->second << "xf32>, got " << b;
  }
  if (Value residual = getResidual())
    if (residual.getType() != getType())
      return emitOpError() << "the residual must have the result's type " << getType()
                           << ", got " << residual.getType();
  return success();
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult ShapeOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                        Adaptor adaptor, SmallVectorImpl<Type> &results) {
  int64_t n = int64_t(adaptor.getEnd()) - int64_t(adaptor.getStart());
  results.push_back(RankedTensorType::get({std::max<int64_t>(n, 0)},
                                          IntegerType::get(ctx, 64)));
  return success();
}

LogicalResult ShapeOp::verify() {
  int64_t rank = cast<ShapedType>(getInput().getType()).getRank();
  int64_t start = getStart(), end = getEnd();
  if (start < 0 || end > rank || start > end)
    return emitOpError("[start, end) = [")
           << start << ", " << end << ") out of range for rank " << rank;
  return success();
}

OpFoldResult ShapeOp::fold(FoldAdaptor) {
  auto shape = getSymbolicShape(getInput().getType());
  if (!shape)
    return {};
  SymbolicShape values(shape->begin() + getStart(), shape->begin() + getEnd());
  return makeKnownValuesAttr(cast<RankedTensorType>(getType()), values);
}

/// Shared verifier for ops whose result shape may come from a `shape` operand.
static LogicalResult verifyShapedResult(Operation *op, Value shape) {
  if (!getSymbolicShape(op->getResult(0).getType()))
    return op->emitOpError("result type must have named dims (#slm.dims)");
  if (shape) {
    auto st = cast<RankedTensorType>(shape.getType());
    if (st.getRank() != 1 || st.isDynamicDim(0))
      return op->emitOpError("shape must be a static 1-D tensor");
    if (st.getDimSize(0) != cast<ShapedType>(op->getResult(0).getType()).getRank())
      return op->emitOpError("shape has ")
             << st.getDimSize(0) << " entries for a result of rank "
             << cast<ShapedType>(op->getResult(0).getType()).getRank();
  }
  return success();
}

LogicalResult ReshapeOp::verify() {
  if (failed(verifyShapedResult(*this, getShape())))
    return failure();
  if (elementTypeOf(getInput()) != elementTypeOf(getResult()))
    return emitOpError("changes the element type");
  auto in = cast<RankedTensorType>(getInput().getType());
  auto out = cast<RankedTensorType>(getType());
  if (in.hasStaticShape() && out.hasStaticShape() &&
      in.getNumElements() != out.getNumElements())
    return emitOpError("changes the number of elements from ")
           << in.getNumElements() << " to " << out.getNumElements();
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor a) {
  if (!getShape() && getInput().getType() == getType())
    return getInput();
  return foldPassThrough(getResult(), a.getInput(), getInput().getType());
}

LogicalResult ExpandOp::verify() {
  if (failed(verifyShapedResult(*this, getShape())))
    return failure();
  if (elementTypeOf(getInput()) != elementTypeOf(getResult()))
    return emitOpError("changes the element type");
  return success();
}

OpFoldResult ExpandOp::fold(FoldAdaptor a) {
  if (!getShape() && getInput().getType() == getType())
    return getInput();
  auto type = cast<RankedTensorType>(getType());
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(a.getInput()))
    if (dense.isSplat() && type.hasStaticShape())
      return dense.resizeSplat(type);
  return {};
}

LogicalResult ConstantOfShapeOp::verify() {
  if (failed(verifyShapedResult(*this, getShape())))
    return failure();
  if (getValue().getType() != elementTypeOf(getResult()))
    return emitOpError("value type ") << getValue().getType()
                                      << " differs from the result element type";
  return success();
}

OpFoldResult ConstantOfShapeOp::fold(FoldAdaptor) {
  auto type = cast<RankedTensorType>(getType());
  if (!type.hasStaticShape())
    return {};
  return SplatElementsAttr::get(type, getValue());
}

LogicalResult RangeOp::verify() {
  auto type = cast<RankedTensorType>(getType());
  if (type.getRank() != 1)
    return emitOpError("result must be 1-D");
  if (!getSymbolicShape(type))
    return emitOpError("result type must have a named length (#slm.dims)");
  if (getStart().size() != 1)
    return emitOpError("start must hold one value");
  if (getDelta() == 0)
    return emitOpError("delta must not be 0");
  return success();
}

OpFoldResult RangeOp::fold(FoldAdaptor) {
  auto type = cast<RankedTensorType>(getType());
  DimExpr start = getStart().getDims()[0];
  if (!isSmallStatic(type))
    return {};
  int64_t delta = getDelta();
  if (type.getElementType().isSignlessInteger()) {
    SymbolicShape out;
    for (int64_t i = 0; i < type.getNumElements(); ++i)
      out.push_back(start + DimExpr(i * delta));
    return makeKnownValuesAttr(type, out);
  }
  auto s = start.getConstant();
  if (!s || !isa<FloatType>(type.getElementType()))
    return {};
  SmallVector<double> out;
  for (int64_t i = 0; i < type.getNumElements(); ++i)
    out.push_back(double(*s + i * delta));
  return makeFloatAttr(type, out);
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  ShapeReader shapeOf{loc};
  SymbolicShape s = shapeOf(adaptor.getInput());
  if (shapeOf.failed)
    return failure();
  auto perm = adaptor.getPerm();
  if (perm.size() != s.size())
    return emitOptionalError(loc, "slm.transpose: perm has ", perm.size(),
                             " entries for rank ", s.size());
  SymbolicShape out;
  for (int64_t p : perm) {
    if (p < 0 || p >= (int64_t)s.size())
      return emitOptionalError(loc, "slm.transpose: bad perm entry ", p);
    out.push_back(s[p]);
  }
  // A transposed quantized matrix is the same bytes with the group axis
  // swapped (a tied embedding read as the lm_head).
  if (QuantAttr quant = getQuantEncoding(adaptor.getInput().getType())) {
    if (perm.size() != 2)
      return emitOptionalError(loc, "slm.transpose: a quantized tensor must be 2-D");
    auto type = getTensorType(ctx, out, elementTypeOf(adaptor.getInput()));
    results.push_back(RankedTensorType::get(
        type.getShape(), type.getElementType(),
        QuantAttr::get(ctx, quant.getScheme(), perm[0] == 0 ? quant.getAxis()
                                                            : 1 - quant.getAxis())));
    return success();
  }
  results.push_back(getTensorType(ctx, out, elementTypeOf(adaptor.getInput())));
  return success();
}

LogicalResult TransposeOp::verify() {
  SmallVector<int64_t> sorted(getPerm());
  llvm::sort(sorted);
  for (size_t i = 0; i < sorted.size(); ++i)
    if (sorted[i] != (int64_t)i)
      return emitOpError("perm is not a permutation");
  return success();
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  for (auto [i, p] : llvm::enumerate(getPerm()))
    if ((int64_t)i != p)
      return {};
  return getInput();
}

LogicalResult SqueezeOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  ShapeReader shapeOf{loc};
  SymbolicShape s = shapeOf(adaptor.getInput());
  if (shapeOf.failed)
    return failure();
  SymbolicShape out;
  for (size_t i = 0; i < s.size(); ++i)
    if (!llvm::is_contained(adaptor.getAxes(), (int64_t)i))
      out.push_back(s[i]);
  results.push_back(getTensorType(ctx, out, elementTypeOf(adaptor.getInput())));
  return success();
}

LogicalResult SqueezeOp::verify() {
  auto type = cast<RankedTensorType>(getInput().getType());
  if (failed(verifyAxes(*this, getAxes(), type.getRank())))
    return failure();
  for (int64_t axis : getAxes())
    if (!type.isDynamicDim(axis) && type.getDimSize(axis) != 1)
      return emitOpError("squeezes dim ") << axis << " of size " << type.getDimSize(axis);
  return success();
}

OpFoldResult SqueezeOp::fold(FoldAdaptor a) {
  return foldPassThrough(getResult(), a.getInput(), getInput().getType());
}

LogicalResult UnsqueezeOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  ShapeReader shapeOf{loc};
  SymbolicShape s = shapeOf(adaptor.getInput());
  if (shapeOf.failed)
    return failure();
  size_t rank = s.size() + adaptor.getAxes().size();
  SymbolicShape out;
  size_t next = 0;
  for (size_t i = 0; i < rank; ++i) {
    if (llvm::is_contained(adaptor.getAxes(), (int64_t)i))
      out.push_back(DimExpr(1));
    else if (next < s.size())
      out.push_back(s[next++]);
    else
      return emitOptionalError(loc, "slm.unsqueeze: axes out of range");
  }
  results.push_back(getTensorType(ctx, out, elementTypeOf(adaptor.getInput())));
  return success();
}

LogicalResult UnsqueezeOp::verify() {
  return verifyAxes(*this, getAxes(), cast<ShapedType>(getType()).getRank());
}

OpFoldResult UnsqueezeOp::fold(FoldAdaptor a) {
  return foldPassThrough(getResult(), a.getInput(), getInput().getType());
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  if (adaptor.getInputs().empty())
    return emitOptionalError(loc, "slm.concat: needs at least one input");
  ShapeReader shapeOf{loc};
  SymbolicShape out = shapeOf(adaptor.getInputs()[0]);
  if (shapeOf.failed)
    return failure();
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= (int64_t)out.size())
    return emitOptionalError(loc, "slm.concat: axis ", axis, " out of range");
  for (Value v : adaptor.getInputs().drop_front()) {
    SymbolicShape s = shapeOf(v);
    if (shapeOf.failed)
      return failure();
    if (s.size() != out.size())
      return emitOptionalError(loc, "slm.concat: inputs differ in rank");
    for (size_t i = 0; i < s.size(); ++i) {
      if ((int64_t)i == axis)
        continue;
      auto a = out[i].getConstant(), b = s[i].getConstant();
      if (a && b && *a != *b)
        return emitOptionalError(loc, "slm.concat: dim ", i, " differs: ", *a, " vs ", *b);
      if (b && !a)
        out[i] = s[i];
    }
    out[axis] = out[axis] + s[axis];
    if (elementTypeOf(v) != elementTypeOf(adaptor.getInputs()[0]))
      return emitOptionalError(loc, "slm.concat: inputs differ in element type");
  }
  results.push_back(getTensorType(ctx, out, elementTypeOf(adaptor.getInputs()[0])));
  return success();
}

LogicalResult ConcatOp::verify() {
  return verifyAxis(*this, getAxis(), getInputs()[0]);
}

OpFoldResult ConcatOp::fold(FoldAdaptor a) {
  if (getInputs().size() == 1)
    return getInputs()[0];
  auto type = cast<RankedTensorType>(getType());
  if (type.getRank() != 1 || !type.hasStaticShape())
    return {};
  SymbolicShape out;
  for (auto [attr, v] : llvm::zip(a.getInputs(), getInputs())) {
    auto known = getKnownValues(attr, v.getType());
    if (!known)
      return {};
    out.insert(out.end(), known->values.begin(), known->values.end());
  }
  if (!type.getElementType().isSignlessInteger())
    return {};
  return makeKnownValuesAttr(type, out);
}

LogicalResult SliceOp::verify() {
  int64_t rank = cast<ShapedType>(getInput().getType()).getRank();
  if ((int64_t)getStarts().size() != rank || (int64_t)getEnds().size() != rank ||
      (int64_t)getSteps().size() != rank)
    return emitOpError("needs one start, end and step per input dim (rank ")
           << rank << ")";
  for (int64_t s : getSteps())
    if (s == 0)
      return emitOpError("step must not be 0");
  return success();
}

OpFoldResult SliceOp::fold(FoldAdaptor a) {
  if (getInput().getType() == getType()) {
    bool identity = true;
    auto shape = getSymbolicShape(getType());
    for (auto [i, s] : llvm::enumerate(getStarts().getDims()))
      identity &= s == DimExpr(0) && getSteps()[i] == 1 &&
                  shape && getEnds().getDims()[i] == (*shape)[i];
    if (identity)
      return getInput();
  }
  auto type = cast<RankedTensorType>(getType());
  auto known = getKnownValues(a.getInput(), getInput().getType());
  if (!known || known->shape.size() != 1 || !type.hasStaticShape())
    return {};
  auto start = getStarts().getDims()[0].getConstant();
  if (!start)
    return {};
  SymbolicShape out;
  for (int64_t i = 0; i < type.getNumElements(); ++i) {
    int64_t idx = *start + i * getSteps()[0];
    if (idx < 0 || idx >= (int64_t)known->values.size())
      return {};
    out.push_back(known->values[idx]);
  }
  return makeKnownValuesAttr(type, out);
}

LogicalResult SplitOp::verify() {
  if (failed(verifyAxis(*this, getAxis(), getInput())))
    return failure();
  auto in = getSymbolicShape(getInput().getType());
  if (!in)
    return emitOpError("input type must have named dims");
  DimExpr total(0);
  for (Value r : getResults()) {
    auto s = getSymbolicShape(r.getType());
    if (!s || s->size() != in->size())
      return emitOpError("results must have the input's rank and named dims");
    total = total + (*s)[getAxis()];
  }
  if (total != (*in)[getAxis()])
    return emitOpError("result sizes add up to ")
           << total.str() << ", not " << (*in)[getAxis()].str();
  return success();
}

LogicalResult GatherOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &results) {
  ShapeReader shapeOf{loc};
  SymbolicShape d = shapeOf(adaptor.getData()), idx = shapeOf(adaptor.getIndices());
  if (shapeOf.failed)
    return failure();
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= (int64_t)d.size())
    return emitOptionalError(loc, "slm.gather: axis ", axis, " out of range");
  SymbolicShape out(d.begin(), d.begin() + axis);
  out.insert(out.end(), idx.begin(), idx.end());
  out.insert(out.end(), d.begin() + axis + 1, d.end());
  // Rows of a quantized table come out dequantized.
  Type elem = getQuantEncoding(adaptor.getData().getType()) ? Float32Type::get(ctx)
                                                            : elementTypeOf(adaptor.getData());
  results.push_back(getTensorType(ctx, out, elem));
  return success();
}

LogicalResult GatherOp::verify() { return verifyAxis(*this, getAxis(), getData()); }

OpFoldResult GatherOp::fold(FoldAdaptor a) {
  auto type = cast<RankedTensorType>(getType());
  auto data = getKnownValues(a.getData(), getData().getType());
  auto idx = getKnownValues(a.getIndices(), getIndices().getType());
  if (!data || !idx || data->shape.size() != 1 || !idx->isAllConstant() ||
      !type.hasStaticShape())
    return {};
  int64_t n = data->values.size();
  SymbolicShape out;
  for (auto &i : idx->values) {
    int64_t k = *i.getConstant();
    if (k < 0)
      k += n;
    if (k < 0 || k >= n)
      return {};
    out.push_back(data->values[k]);
  }
  return makeKnownValuesAttr(type, out);
}

LogicalResult GatherNDOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &results) {
  ShapeReader shapeOf{loc};
  SymbolicShape d = shapeOf(adaptor.getData()), idx = shapeOf(adaptor.getIndices());
  if (shapeOf.failed)
    return failure();
  int64_t b = adaptor.getBatchDims();
  auto k = idx.empty() ? std::nullopt : idx.back().getConstant();
  if (!k || b + *k > (int64_t)d.size())
    return emitOptionalError(loc, "slm.gather_nd: the last indices dim must be a "
                                  "constant <= data rank - batch_dims");
  SymbolicShape out(idx.begin(), idx.end() - 1);
  out.insert(out.end(), d.begin() + b + *k, d.end());
  results.push_back(getTensorType(ctx, out, elementTypeOf(adaptor.getData())));
  return success();
}

LogicalResult GatherNDOp::verify() {
  if (getBatchDims() < 0)
    return emitOpError("batch_dims must be >= 0");
  return success();
}

LogicalResult ScatterNDOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  return inferSameAs(ctx, loc, adaptor.getData(), results);
}

LogicalResult ScatterNDOp::verify() {
  StringRef r = getReduction();
  if (r != "none" && r != "add" && r != "mul" && r != "max" && r != "min")
    return emitOpError("unknown reduction '") << r << "'";
  return success();
}

//===----------------------------------------------------------------------===//
// Canonicalization patterns
//===----------------------------------------------------------------------===//

namespace {
/// reshape/expand/constant_of_shape: once the `shape` operand is known, the
/// result type says everything; drop the operand.
template <typename OpTy>
struct AbsorbKnownShape : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rewriter) const override {
    Value shape = op.getShape();
    if (!shape)
      return failure();
    auto known = getKnownValues(shape);
    if (!known)
      return failure();
    auto resultShape = getSymbolicShape(op.getType());
    if (!resultShape)
      return failure();
    std::string error;
    std::optional<SymbolicShape> expected;
    if constexpr (std::is_same_v<OpTy, ReshapeOp>) {
      auto in = getSymbolicShape(op.getInput().getType());
      expected = in ? inferReshape(*in, known->values, /*allowZero=*/false, &error)
                    : std::nullopt;
    } else if constexpr (std::is_same_v<OpTy, ExpandOp>) {
      auto in = getSymbolicShape(op.getInput().getType());
      expected = in ? inferExpand(*in, known->values, &error) : std::nullopt;
    } else {
      expected = known->values;
    }
    if (!expected || *expected != *resultShape)
      return rewriter.notifyMatchFailure(op, "shape does not match the result type");
    rewriter.modifyOpInPlace(op, [&] { op.getShapeMutable().clear(); });
    return success();
  }
};

/// reshape(reshape(x)) -> reshape(x)
struct CollapseReshapes : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op, PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<ReshapeOp>();
    if (!inner || op.getShape() || inner.getShape())
      return failure();
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getType(), inner.getInput(), Value());
    return success();
  }
};

/// add(range(start), c) -> range(start + c) for a known scalar c: the
/// exporters' `arange(seq) + past` position ids.
struct FoldOffsetIntoRange : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AddOp op, PatternRewriter &rewriter) const override {
    for (int i = 0; i < 2; ++i) {
      auto range = op->getOperand(i).getDefiningOp<RangeOp>();
      auto offset = getKnownValues(op->getOperand(1 - i));
      if (!range || !offset || offset->values.size() != 1 ||
          range.getType() != op.getType())
        continue;
      DimExpr start = range.getStart().getDims()[0] + offset->values[0];
      rewriter.replaceOpWithNewOp<RangeOp>(op, op.getType(),
                                           DimsAttr::get(op.getContext(), {start}),
                                           range.getDelta());
      return success();
    }
    return failure();
  }
};
} // namespace

void ReshapeOp::getCanonicalizationPatterns(RewritePatternSet &results, MLIRContext *ctx) {
  results.add<AbsorbKnownShape<ReshapeOp>, CollapseReshapes>(ctx);
}
void ExpandOp::getCanonicalizationPatterns(RewritePatternSet &results, MLIRContext *ctx) {
  results.add<AbsorbKnownShape<ExpandOp>>(ctx);
}
void ConstantOfShapeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                                    MLIRContext *ctx) {
  results.add<AbsorbKnownShape<ConstantOfShapeOp>>(ctx);
}
void AddOp::getCanonicalizationPatterns(RewritePatternSet &results, MLIRContext *ctx) {
  results.add<FoldOffsetIntoRange>(ctx);
}

//===----------------------------------------------------------------------===//
// LinearKernelOp
//===----------------------------------------------------------------------===//

LogicalResult LinearKernelOp::verify() {
  auto input = cast<ShapedType>(getInput().getType());
  auto weight = cast<ShapedType>(getWeight().getType());
  auto init = cast<ShapedType>(getInit().getType());
  int64_t k = getK(), n = getN();
  if (input.getRank() != 2 || init.getRank() != 2)
    return emitOpError("input and init must be 2-D");
  if (!input.getElementType().isF32() || !init.getElementType().isF32())
    return emitOpError("input and init must be f32");
  if (k < 1 || n < 1)
    return emitOpError("k and n must be positive");
  if (getQuant()) {
    if (weight.getRank() != 1 || !weight.getElementType().isInteger(8))
      return emitOpError("a quantized weight must be a 1-D buffer of i8 (packed bytes)");
    if (getTransposedWeight())
      return emitOpError("transposed_weight is for f32 weights only");
  } else {
    SmallVector<int64_t> expected = getTransposedWeight() ? SmallVector<int64_t>{n, k}
                                                          : SmallVector<int64_t>{k, n};
    if (weight.getShape() != ArrayRef<int64_t>(expected) || !weight.getElementType().isF32())
      return emitOpError("an unquantized weight must be f32 [")
             << expected[0] << ", " << expected[1] << "], got " << weight;
  }
  if (Value bias = getBias()) {
    auto b = cast<ShapedType>(bias.getType());
    if (b.getRank() != 1 || b.getDimSize(0) != n || !b.getElementType().isF32())
      return emitOpError("bias must be ") << n << " f32 values";
  }
  if (!isActivationName(getActivation()))
    return emitOpError("unknown activation \"") << getActivation() << "\"";
  if (getAccumulate() && getActivation() != "none")
    return emitOpError("accumulate goes only with activation \"none\"");
  if (!ShapedType::isDynamic(input.getDimSize(1)) && input.getDimSize(1) != k)
    return emitOpError("input has ") << input.getDimSize(1) << " columns, k is " << k;
  if (!ShapedType::isDynamic(init.getDimSize(1)) && init.getDimSize(1) != n)
    return emitOpError("init has ") << init.getDimSize(1) << " columns, n is " << n;
  bool tensors = isa<TensorType>(getInit().getType());
  if (tensors != (getNumResults() == 1) ||
      (tensors && getResult()[0].getType() != getInit().getType()))
    return emitOpError("on tensors it returns one result of the init's type; on memrefs none");
  return success();
}

void LinearKernelOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>> &effects) {
  // On memrefs it reads the input, weight and bias (and with accumulate the
  // init) and writes the init.
  if (!isa<MemRefType>(getInit().getType()))
    return;
  effects.emplace_back(MemoryEffects::Read::get(), &getInputMutable());
  effects.emplace_back(MemoryEffects::Read::get(), &getWeightMutable());
  for (OpOperand &bias : getBiasMutable())
    effects.emplace_back(MemoryEffects::Read::get(), &bias);
  if (getAccumulate())
    effects.emplace_back(MemoryEffects::Read::get(), &getInitMutable());
  effects.emplace_back(MemoryEffects::Write::get(), &getInitMutable());
}

//===----------------------------------------------------------------------===//
// RotaryOp, AttentionOp, AttentionCoreOp (fusion-b)
//===----------------------------------------------------------------------===//

LogicalResult RotaryOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &results) {
  return inferSameAs(ctx, loc, adaptor.getX(), results);
}

LogicalResult RotaryOp::verify() {
  auto x = cast<RankedTensorType>(getX().getType());
  auto cosT = cast<RankedTensorType>(getCos().getType());
  if (cosT != getSin().getType())
    return emitOpError("cos and sin must have the same type");
  if (x.getRank() < 2 || cosT.getRank() > x.getRank())
    return emitOpError("x must have rank >= 2 and cos/sin no larger rank");
  int64_t r = getRotaryDim(), d = x.getShape().back();
  if (r < 2 || r % 2 != 0 || (!ShapedType::isDynamic(d) && r > d))
    return emitOpError("rotary_dim must be even, >= 2 and <= the last dim, got ") << r;
  if (cosT.getShape().back() != r)
    return emitOpError("cos/sin must have rotary_dim (") << r << ") as their last dim";
  if (x.getElementType() != cosT.getElementType() || !isa<FloatType>(x.getElementType()))
    return emitOpError("x, cos and sin must share a float element type");
  return success();
}

LogicalResult AttentionOp::verify() {
  auto shapeOf = [](Value v) { return *getSymbolicShape(v.getType()); };
  for (Value v : {getQ(), getK(), getV()})
    if (cast<RankedTensorType>(v.getType()).getRank() != 4)
      return emitOpError("q, k and v must be [B, H, S, D]");
  SymbolicShape q = shapeOf(getQ()), k = shapeOf(getK()), v = shapeOf(getV());
  if (k != v)
    return emitOpError("k and v must have the same shape");
  if (q[0] != k[0] || q[2] != k[2] || q[3] != k[3])
    return emitOpError("q and k must agree in batch, sequence and head dims");
  auto hq = q[1].getConstant(), hkv = k[1].getConstant();
  if (!hq || !hkv || *hkv <= 0 || *hq % *hkv != 0)
    return emitOpError("head counts must be static with Hq a multiple of Hkv");
  if ((bool)getPastKey() != (bool)getPastValue())
    return emitOpError("past_key and past_value come together");
  SymbolicShape present = k;
  if (getPastKey()) {
    SymbolicShape p = shapeOf(getPastKey());
    if (p.size() != 4 || p != shapeOf(getPastValue()) || p[0] != k[0] || p[1] != k[1] ||
        p[3] != k[3])
      return emitOpError("past caches must be [B, Hkv, P, D] like k");
    present[2] = p[2] + k[2];
  }
  if (shapeOf(getOutput()) != q)
    return emitOpError("output must have q's shape");
  if (shapeOf(getPresentKey()) != present || shapeOf(getPresentValue()) != present)
    return emitOpError("present caches must be [B, Hkv, P + S, D]");
  StringRef mask = getMask();
  if (mask != "none" && mask != "causal" && mask != "causal+padding")
    return emitOpError("mask must be none, causal or causal+padding, got '") << mask << "'";
  if ((mask == "causal+padding") != (bool)getAttentionMask())
    return emitOpError("an attention_mask operand goes with mask \"causal+padding\" only");
  if (getAttentionMask()) {
    SymbolicShape m = shapeOf(getAttentionMask());
    // Its length is often its own symbol (total_sequence_length): only the
    // first P + S columns are read.
    if (m.size() != 2 || m[0] != q[0])
      return emitOpError("attention_mask must be [B, P + S]");
  }
  return success();
}

// On memrefs it reads its inputs and writes init (deallocation and the
// other buffer passes need to know); on tensors it has no effects.
void AttentionCoreOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>> &effects) {
  for (OpOperand &operand : getOperation()->getOpOperands()) {
    if (!isa<MemRefType>(operand.get().getType()))
      continue;
    if (&operand == &getInitMutable())
      effects.emplace_back(MemoryEffects::Write::get(), &operand,
                           SideEffects::DefaultResource::get());
    else
      effects.emplace_back(MemoryEffects::Read::get(), &operand,
                           SideEffects::DefaultResource::get());
  }
}

LogicalResult AttentionCoreOp::verify() {
  auto q = cast<ShapedType>(getQ().getType()), k = cast<ShapedType>(getK().getType());
  auto init = cast<ShapedType>(getInit().getType());
  if (q.getRank() != 4 || k.getRank() != 4 || init.getRank() != 4 ||
      cast<ShapedType>(getV().getType()).getRank() != 4)
    return emitOpError("q, k, v and init must be 4-D");
  StringRef mask = getMask();
  if (mask != "none" && mask != "causal" && mask != "causal+padding")
    return emitOpError("mask must be none, causal or causal+padding");
  if ((mask == "causal+padding") != (bool)getAttentionMask())
    return emitOpError("an attention_mask operand goes with mask \"causal+padding\" only");
  bool tensors = isa<TensorType>(getInit().getType());
  if (tensors != (getNumResults() == 1) ||
      (tensors && getResult()[0].getType() != getInit().getType()))
    return emitOpError("on tensors it returns one result of the init's type; on memrefs none");
  return success();
}

LogicalResult QuantizedGatherOp::verify() {
  auto indices = cast<ShapedType>(getIndices().getType());
  auto weight = cast<ShapedType>(getWeight().getType());
  auto init = cast<ShapedType>(getInit().getType());
  if (indices.getRank() != 1 || !indices.getElementType().isInteger(64))
    return emitOpError("indices must be a 1-D i64 tensor");
  if (weight.getRank() != 1 || !weight.getElementType().isInteger(8))
    return emitOpError("weight must be a 1-D buffer of i8 (packed bytes)");
  if (init.getRank() != 2 || !init.getElementType().isF32())
    return emitOpError("init must be a 2-D f32 tensor");
  if (!ShapedType::isDynamic(init.getDimSize(1)) && init.getDimSize(1) != getK())
    return emitOpError("init has ") << init.getDimSize(1) << " columns, k is " << getK();
  bool tensors = isa<TensorType>(getInit().getType());
  if (tensors != (getNumResults() == 1))
    return emitOpError("on tensors it returns one result; on memrefs none");
  return success();
}

void QuantizedGatherOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>> &effects) {
  if (!isa<MemRefType>(getInit().getType()))
    return;
  effects.emplace_back(MemoryEffects::Read::get(), &getIndicesMutable());
  effects.emplace_back(MemoryEffects::Read::get(), &getWeightMutable());
  effects.emplace_back(MemoryEffects::Write::get(), &getInitMutable());
}

#define GET_OP_CLASSES
#include "dialects/slm/IR/SlmOps.cpp.inc"

std::string slm::onnxNodeName(Operation *op) {
  Location loc = op->getLoc();
  if (auto fused = dyn_cast<FusedLoc>(loc); fused && !fused.getLocations().empty())
    loc = fused.getLocations().front();
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  return op->getName().getStringRef().str();
}
