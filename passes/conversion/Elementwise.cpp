//===- Elementwise.cpp - Broadcasting elementwise slm ops to linalg -------===//

#include "passes/conversion/SlmToLinalg.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>

using namespace mlir;

namespace slm {

using BodyFn = function_ref<Value(OpBuilder &, Location, ValueRange)>;

/// A `linalg.generic` computing `body` over the broadcast of `inputs` (slm
/// values) into `resultType`. A static 1 dim broadcasts; other dims index
/// the output's (ONNX numpy-style, right-aligned).
Value buildBroadcastGeneric(LoweringContext &ctx, Location loc, Type resultType,
                            ValueRange inputs, BodyFn body) {
  OpBuilder &b = ctx.builder;
  auto outType = cast<RankedTensorType>(resultType);
  int64_t rank = outType.getRank();
  SmallVector<AffineMap> maps;
  SmallVector<Value> lowered;
  for (Value in : inputs) {
    auto t = cast<RankedTensorType>(in.getType());
    SmallVector<AffineExpr> exprs;
    for (int64_t i = 0; i < t.getRank(); ++i) {
      int64_t outDim = rank - t.getRank() + i;
      if (t.getDimSize(i) == 1 && outType.getDimSize(outDim) != 1)
        exprs.push_back(b.getAffineConstantExpr(0));
      else
        exprs.push_back(b.getAffineDimExpr(outDim));
    }
    maps.push_back(AffineMap::get(rank, 0, exprs, b.getContext()));
    lowered.push_back(ctx.get(in));
  }
  maps.push_back(b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, LoweringContext::plain(resultType), lowered, ctx.empty(loc, resultType),
      maps, iterators, [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value r = body(nb, nl, args.drop_back());
        linalg::YieldOp::create(nb, nl, r);
      });
  return generic.getResult(0);
}

static Value floatConst(OpBuilder &b, Location loc, Type t, double v) {
  return arith::ConstantOp::create(b, loc, t, b.getFloatAttr(t, v));
}

/// Converts a scalar between element types with ONNX Cast semantics.
static Value convertScalar(OpBuilder &b, Location loc, Value v, Type to) {
  Type from = v.getType();
  if (from == to)
    return v;
  auto fromInt = dyn_cast<IntegerType>(from), toInt = dyn_cast<IntegerType>(to);
  auto fromFloat = dyn_cast<FloatType>(from), toFloat = dyn_cast<FloatType>(to);
  if (fromFloat && toFloat)
    return fromFloat.getWidth() < toFloat.getWidth()
               ? arith::ExtFOp::create(b, loc, to, v).getResult()
               : arith::TruncFOp::create(b, loc, to, v).getResult();
  if (fromInt && toFloat)
    return fromInt.getWidth() == 1 || fromInt.isUnsigned()
               ? arith::UIToFPOp::create(b, loc, to, v).getResult()
               : arith::SIToFPOp::create(b, loc, to, v).getResult();
  if (fromFloat && toInt) {
    if (toInt.getWidth() == 1)
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, v,
                                   floatConst(b, loc, from, 0.0));
    return toInt.isUnsigned() ? arith::FPToUIOp::create(b, loc, to, v).getResult()
                              : arith::FPToSIOp::create(b, loc, to, v).getResult();
  }
  if (fromInt && toInt) {
    if (toInt.getWidth() == 1)
      return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, v,
                                   arith::ConstantOp::create(b, loc, from,
                                                             b.getIntegerAttr(from, 0)));
    if (fromInt.getWidth() < toInt.getWidth())
      return fromInt.getWidth() == 1 || fromInt.isUnsigned()
                 ? arith::ExtUIOp::create(b, loc, to, v).getResult()
                 : arith::ExtSIOp::create(b, loc, to, v).getResult();
    if (fromInt.getWidth() > toInt.getWidth())
      return arith::TruncIOp::create(b, loc, to, v);
    return arith::BitcastOp::create(b, loc, to, v);
  }
  return {};
}

static Value sigmoid(OpBuilder &b, Location loc, Value x) {
  Type t = x.getType();
  Value negX = arith::NegFOp::create(b, loc, x);
  Value e = math::ExpOp::create(b, loc, negX);
  Value one = floatConst(b, loc, t, 1.0);
  return arith::DivFOp::create(b, loc, one, arith::AddFOp::create(b, loc, one, e));
}

/// The scalar body of a binary op; null if unsupported for the type.
static Value binaryBody(Operation *op, OpBuilder &b, Location loc, Value x, Value y) {
  bool isFloat = isa<FloatType>(x.getType());
  bool isUnsigned = x.getType().isUnsignedInteger();
  using P = arith::CmpIPredicate;
  using F = arith::CmpFPredicate;
  auto cmp = [&](P si, P ui, F f) -> Value {
    if (isFloat)
      return arith::CmpFOp::create(b, loc, f, x, y);
    return arith::CmpIOp::create(b, loc, isUnsigned ? ui : si, x, y);
  };
  if (isa<AddOp>(op))
    return isFloat ? (Value)arith::AddFOp::create(b, loc, x, y) : arith::AddIOp::create(b, loc, x, y);
  if (isa<SubOp>(op))
    return isFloat ? (Value)arith::SubFOp::create(b, loc, x, y) : arith::SubIOp::create(b, loc, x, y);
  if (isa<MulOp>(op))
    return isFloat ? (Value)arith::MulFOp::create(b, loc, x, y) : arith::MulIOp::create(b, loc, x, y);
  if (isa<DivOp>(op)) {
    if (isFloat)
      return arith::DivFOp::create(b, loc, x, y);
    return isUnsigned ? (Value)arith::DivUIOp::create(b, loc, x, y)
                      : arith::DivSIOp::create(b, loc, x, y);
  }
  if (isa<PowOp>(op)) {
    if (!isFloat)
      return {};
    if (y.getType() != x.getType())
      y = convertScalar(b, loc, y, x.getType());
    return math::PowFOp::create(b, loc, x, y);
  }
  if (isa<MaxOp>(op)) {
    if (isFloat)
      return arith::MaximumFOp::create(b, loc, x, y);
    return isUnsigned ? (Value)arith::MaxUIOp::create(b, loc, x, y)
                      : arith::MaxSIOp::create(b, loc, x, y);
  }
  if (isa<MinOp>(op)) {
    if (isFloat)
      return arith::MinimumFOp::create(b, loc, x, y);
    return isUnsigned ? (Value)arith::MinUIOp::create(b, loc, x, y)
                      : arith::MinSIOp::create(b, loc, x, y);
  }
  if (isa<AndOp>(op))
    return arith::AndIOp::create(b, loc, x, y);
  if (isa<OrOp>(op))
    return arith::OrIOp::create(b, loc, x, y);
  if (isa<EqualOp>(op))
    return cmp(P::eq, P::eq, F::OEQ);
  if (isa<LessOp>(op))
    return cmp(P::slt, P::ult, F::OLT);
  if (isa<LessOrEqualOp>(op))
    return cmp(P::sle, P::ule, F::OLE);
  if (isa<GreaterOp>(op))
    return cmp(P::sgt, P::ugt, F::OGT);
  if (isa<GreaterOrEqualOp>(op))
    return cmp(P::sge, P::uge, F::OGE);
  return {};
}

/// The scalar body of a unary op; null if unsupported for the type.
static Value unaryBody(Operation *op, OpBuilder &b, Location loc, Value x) {
  Type t = x.getType();
  bool isFloat = isa<FloatType>(t);
  if (isa<NotOp>(op))
    return arith::XOrIOp::create(b, loc, x,
                                 arith::ConstantOp::create(b, loc, t, b.getIntegerAttr(t, 1)));
  if (isa<NegOp>(op))
    return isFloat ? (Value)arith::NegFOp::create(b, loc, x)
                   : arith::SubIOp::create(
                         b, loc, arith::ConstantOp::create(b, loc, t, b.getIntegerAttr(t, 0)), x);
  if (isa<AbsOp>(op))
    return isFloat ? (Value)math::AbsFOp::create(b, loc, x) : math::AbsIOp::create(b, loc, x);
  if (isa<IsNaNOp>(op))
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, x, x);
  if (!isFloat)
    return {};
  if (isa<SqrtOp>(op))
    return math::SqrtOp::create(b, loc, x);
  if (isa<ReciprocalOp>(op))
    return arith::DivFOp::create(b, loc, floatConst(b, loc, t, 1.0), x);
  if (isa<ExpOp>(op))
    return math::ExpOp::create(b, loc, x);
  if (isa<LogOp>(op))
    return math::LogOp::create(b, loc, x);
  if (isa<CosOp>(op))
    return math::CosOp::create(b, loc, x);
  if (isa<SinOp>(op))
    return math::SinOp::create(b, loc, x);
  if (isa<TanhOp>(op))
    return math::TanhOp::create(b, loc, x);
  if (isa<ErfOp>(op))
    return math::ErfOp::create(b, loc, x);
  if (isa<SigmoidOp>(op))
    return sigmoid(b, loc, x);
  if (isa<ReluOp>(op))
    return arith::MaximumFOp::create(b, loc, x, floatConst(b, loc, t, 0.0));
  if (isa<SiluOp>(op))
    return arith::MulFOp::create(b, loc, x, sigmoid(b, loc, x));
  if (auto gelu = dyn_cast<GeluOp>(op)) {
    Value half = floatConst(b, loc, t, 0.5), one = floatConst(b, loc, t, 1.0);
    Value inner;
    if (gelu.getApproximate() == "tanh") {
      // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
      Value x3 = arith::MulFOp::create(b, loc, x, arith::MulFOp::create(b, loc, x, x));
      Value poly = arith::AddFOp::create(
          b, loc, x, arith::MulFOp::create(b, loc, floatConst(b, loc, t, 0.044715), x3));
      inner = math::TanhOp::create(
          b, loc,
          arith::MulFOp::create(b, loc, floatConst(b, loc, t, std::sqrt(2.0 / M_PI)), poly));
    } else {
      inner = math::ErfOp::create(
          b, loc, arith::MulFOp::create(b, loc, x, floatConst(b, loc, t, M_SQRT1_2)));
    }
    return arith::MulFOp::create(
        b, loc, arith::MulFOp::create(b, loc, half, x),
        arith::AddFOp::create(b, loc, one, inner));
  }
  if (auto clip = dyn_cast<ClipOp>(op)) {
    Value r = x;
    if (auto lo = clip.getMin())
      r = arith::MaximumFOp::create(b, loc, r, floatConst(b, loc, t, lo->convertToDouble()));
    if (auto hi = clip.getMax())
      r = arith::MinimumFOp::create(b, loc, r, floatConst(b, loc, t, hi->convertToDouble()));
    return r;
  }
  return {};
}

FailureOr<bool> lowerElementwise(Operation *op, LoweringContext &ctx) {
  Location loc = op->getLoc();
  OpBuilder &b = ctx.builder;
  if (auto c = dyn_cast<ConstantOp>(op)) {
    auto attr = cast<DenseElementsAttr>(c.getValue());
    auto plainType = LoweringContext::plain(c.getType());
    ctx.set(c.getResult(), arith::ConstantOp::create(b, loc, plainType, attr.reshape(plainType)));
    return true;
  }
  if (isa<AddOp, SubOp, MulOp, DivOp, PowOp, MaxOp, MinOp, AndOp, OrOp, EqualOp, LessOp,
          LessOrEqualOp, GreaterOp, GreaterOrEqualOp>(op)) {
    bool ok = true;
    Value r = buildBroadcastGeneric(
        ctx, loc, op->getResult(0).getType(), op->getOperands(),
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value v = binaryBody(op, nb, nl, args[0], args[1]);
          ok &= bool(v);
          return v ? v : args[0];
        });
    if (!ok)
      return op->emitError() << "unsupported element type for the linalg lowering",
             failure();
    ctx.set(op->getResult(0), r);
    return true;
  }
  if (isa<NegOp, NotOp, AbsOp, SqrtOp, ReciprocalOp, ExpOp, LogOp, CosOp, SinOp, TanhOp,
          ErfOp, SigmoidOp, ReluOp, SiluOp, IsNaNOp, GeluOp, ClipOp>(op)) {
    bool ok = true;
    Value r = buildBroadcastGeneric(ctx, loc, op->getResult(0).getType(), op->getOperands(),
                                    [&](OpBuilder &nb, Location nl, ValueRange args) {
                                      Value v = unaryBody(op, nb, nl, args[0]);
                                      ok &= bool(v);
                                      return v ? v : args[0];
                                    });
    if (!ok)
      return op->emitError() << "unsupported element type for the linalg lowering",
             failure();
    ctx.set(op->getResult(0), r);
    return true;
  }
  if (auto cast = dyn_cast<CastOp>(op)) {
    Type to = cast.getType().getElementType();
    bool ok = true;
    Value r = buildBroadcastGeneric(ctx, loc, cast.getType(), cast->getOperands(),
                                    [&](OpBuilder &nb, Location nl, ValueRange args) {
                                      Value v = convertScalar(nb, nl, args[0], to);
                                      ok &= bool(v);
                                      return v ? v : args[0];
                                    });
    if (!ok)
      return op->emitError() << "unsupported cast", failure();
    ctx.set(cast.getResult(), r);
    return true;
  }
  if (auto where = dyn_cast<WhereOp>(op)) {
    Value r = buildBroadcastGeneric(ctx, loc, where.getType(), where->getOperands(),
                                    [&](OpBuilder &nb, Location nl, ValueRange args) {
                                      return arith::SelectOp::create(nb, nl, args[0], args[1],
                                                                     args[2])
                                          .getResult();
                                    });
    ctx.set(where.getResult(), r);
    return true;
  }
  return false;
}

} // namespace slm
