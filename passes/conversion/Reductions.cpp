//===- Reductions.cpp - Reductions and normalizations to linalg -----------===//
//
// Every reduction is a `linalg.generic` with reduction iterators whose
// accumulator starts as a `linalg.fill` of the neutral element. Sums
// accumulate in f32 for f16/bf16/f32 inputs (f64 for f64, the element type
// for integers); a final parallel generic divides (means), normalizes and
// converts back to the element type. Counts of symbolic dims come from the
// symbol arguments (`ctx.dim`).
//
//   reduce_*   reduce into the reduced shape, then finalize (or expand) to
//              the keepdims shape
//   softmax    max, sum of exp(x - max), exp(x - max) / sum
//   layer_norm sum, mean, sum of squared deviations, rstd, normalize
//   rms_norm   sum of squares, rstd, normalize
//   cumsum     O(n^2): a reduction over a second copy of the axis, selecting
//              the elements before (after, for reverse) the output index
//   argmax     (max, index) pairs with an order-independent tie break
//
//===----------------------------------------------------------------------===//

#include "passes/conversion/SlmToLinalg.h"

#include "dialects/slm/IR/ShapeUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace slm {

namespace {

enum class Combiner { Add, Max, Min };

using BodyFn =
    function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)>;

/// Shared pieces of the reduction lowerings for one op.
struct ReductionBuilder {
  LoweringContext &ctx;
  Location loc;
  OpBuilder &b;

  ReductionBuilder(LoweringContext &ctx, Location loc)
      : ctx(ctx), loc(loc), b(ctx.builder) {}

  MLIRContext *context() { return b.getContext(); }

  /// `tensor.empty` of `shape` x `elem` (dynamic dims from the symbols).
  Value empty(const SymbolicShape &shape, Type elem) {
    return ctx.empty(loc, getTensorType(context(), shape, elem));
  }

  /// `linalg.fill` of a fresh tensor with `value`.
  Value filled(const SymbolicShape &shape, Value value) {
    return linalg::FillOp::create(b, loc, ValueRange{value},
                                  ValueRange{empty(shape, value.getType())})
        .getResult(0);
  }

  /// A `linalg.generic` over `rank` loops (the dims in `reduced` are
  /// reductions) returning the updated `outs`.
  SmallVector<Value> generic(ValueRange ins, ValueRange outs, ArrayRef<AffineMap> maps,
                             unsigned rank, ArrayRef<int64_t> reduced, BodyFn body) {
    SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
    for (int64_t d : reduced)
      iterators[d] = utils::IteratorType::reduction;
    SmallVector<Type> types;
    for (Value v : outs)
      types.push_back(v.getType());
    auto op = linalg::GenericOp::create(
        b, loc, types, ins, outs, maps, iterators,
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          linalg::YieldOp::create(nb, nl, body(nb, nl, args));
        });
    return SmallVector<Value>(op.getResults());
  }

  AffineMap identity(unsigned rank) { return b.getMultiDimIdentityMap(rank); }

  /// (d0, ..., d{rank-1}) -> (the dims not in `dropped`, in order).
  AffineMap dropping(unsigned rank, ArrayRef<int64_t> dropped) {
    SmallVector<AffineExpr> exprs;
    for (unsigned i = 0; i < rank; ++i)
      if (!llvm::is_contained(dropped, int64_t(i)))
        exprs.push_back(b.getAffineDimExpr(i));
    return AffineMap::get(rank, 0, exprs, context());
  }

  /// The map reading an operand of `type` broadcast (numpy, right-aligned)
  /// into the `outShape` iteration space; a static 1 against another dim
  /// reads index 0.
  AffineMap broadcasting(RankedTensorType type, ArrayRef<int64_t> outShape) {
    unsigned rank = outShape.size();
    SmallVector<AffineExpr> exprs;
    for (int64_t i = 0; i < type.getRank(); ++i) {
      int64_t outDim = rank - type.getRank() + i;
      if (type.getDimSize(i) == 1 && outShape[outDim] != 1)
        exprs.push_back(b.getAffineConstantExpr(0));
      else
        exprs.push_back(b.getAffineDimExpr(outDim));
    }
    return AffineMap::get(rank, 0, exprs, context());
  }

  /// A scalar constant of float or integer type `t`.
  Value constant(Type t, double v) {
    if (isa<FloatType>(t))
      return arith::ConstantOp::create(b, loc, t, b.getFloatAttr(t, v));
    return arith::ConstantOp::create(b, loc, t, b.getIntegerAttr(t, int64_t(v)));
  }

  /// The neutral element of `combiner` for `t`.
  Value neutral(Type t, Combiner combiner) {
    if (auto ft = dyn_cast<FloatType>(t)) {
      const llvm::fltSemantics &sem = ft.getFloatSemantics();
      APFloat v = combiner == Combiner::Add ? APFloat::getZero(sem)
                                            : APFloat::getInf(sem, combiner == Combiner::Max);
      return arith::ConstantOp::create(b, loc, t, b.getFloatAttr(t, v));
    }
    unsigned w = t.getIntOrFloatBitWidth();
    APInt v = combiner == Combiner::Add   ? APInt::getZero(w)
              : combiner == Combiner::Max ? APInt::getSignedMinValue(w)
                                          : APInt::getSignedMaxValue(w);
    return arith::ConstantOp::create(b, loc, t, b.getIntegerAttr(t, v));
  }

  /// `dims` (a product of dims, possibly symbolic) as a scalar of type `t`.
  Value count(const DimExpr &n, Type t) {
    if (auto c = n.getConstant())
      return constant(t, double(*c));
    Value idx = ctx.dim(loc, n);
    if (!idx)
      return {};
    if (isa<IndexType>(t))
      return idx;
    Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), idx);
    if (isa<FloatType>(t))
      return arith::SIToFPOp::create(b, loc, t, i64);
    return t == i64.getType() ? i64 : arith::TruncIOp::create(b, loc, t, i64).getResult();
  }

  /// `tensor.expand_shape` of a reduced tensor (the `axes` dropped) back to
  /// the keepdims `resultType` (the `axes` are unit dims there).
  Value expandReduced(Value reduced, ArrayRef<int64_t> axes, Type resultType) {
    auto result = cast<RankedTensorType>(resultType);
    SmallVector<ReassociationIndices> groups = unitDimGroups(result.getRank(), axes);
    return tensor::ExpandShapeOp::create(b, loc, LoweringContext::plain(resultType), reduced,
                                         groups, ctx.mixedSizes(loc, resultType));
  }
};

/// Accumulation type of sums over `elem`: f32 for f16/bf16/f32, else `elem`.
Type accumulatorType(Type elem) {
  if (auto f = dyn_cast<FloatType>(elem))
    if (f.getWidth() <= 32)
      return Float32Type::get(elem.getContext());
  return elem;
}

/// Extends or truncates a float scalar; integers are left alone.
Value convertFloat(OpBuilder &b, Location loc, Value v, Type to) {
  Type from = v.getType();
  if (from == to || !isa<FloatType>(from) || !isa<FloatType>(to))
    return v;
  if (from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth())
    return arith::ExtFOp::create(b, loc, to, v);
  return arith::TruncFOp::create(b, loc, to, v);
}

Value combine(OpBuilder &b, Location loc, Combiner combiner, Value x, Value acc) {
  bool isFloat = isa<FloatType>(x.getType());
  switch (combiner) {
  case Combiner::Add:
    return isFloat ? (Value)arith::AddFOp::create(b, loc, x, acc)
                   : arith::AddIOp::create(b, loc, x, acc);
  case Combiner::Max:
    return isFloat ? (Value)arith::MaximumFOp::create(b, loc, x, acc)
                   : arith::MaxSIOp::create(b, loc, x, acc);
  case Combiner::Min:
    return isFloat ? (Value)arith::MinimumFOp::create(b, loc, x, acc)
                   : arith::MinSIOp::create(b, loc, x, acc);
  }
  return {};
}

bool isIntOrFloat(Type t) { return isa<FloatType>(t) || isa<IntegerType>(t); }

LogicalResult unsupportedType(Operation *op) {
  return op->emitError() << "the linalg lowering of '" << op->getName()
                         << "' does not support this element type";
}

DimExpr productOf(const SymbolicShape &shape, ArrayRef<int64_t> dims) {
  DimExpr n(1);
  for (int64_t d : dims)
    n = n * shape[d];
  return n;
}

SmallVector<int64_t> range(int64_t begin, int64_t end) {
  SmallVector<int64_t> r;
  for (int64_t i = begin; i < end; ++i)
    r.push_back(i);
  return r;
}

SymbolicShape without(const SymbolicShape &shape, ArrayRef<int64_t> dims) {
  SymbolicShape r;
  for (int64_t i = 0, e = shape.size(); i < e; ++i)
    if (!llvm::is_contained(dims, i))
      r.push_back(shape[i]);
  return r;
}

//===----------------------------------------------------------------------===//
// reduce_mean / reduce_sum / reduce_max / reduce_min
//===----------------------------------------------------------------------===//

FailureOr<Value> lowerReduce(Operation *op, Value input, ArrayRef<int64_t> axes,
                             bool keepdims, Combiner combiner, bool mean,
                             LoweringContext &ctx) {
  ReductionBuilder rb(ctx, op->getLoc());
  auto inType = cast<RankedTensorType>(input.getType());
  Type resultType = op->getResult(0).getType();
  Type elem = inType.getElementType();
  if (!isIntOrFloat(elem))
    return unsupportedType(op);
  unsigned rank = inType.getRank();
  SymbolicShape shape = *getSymbolicShape(inType);
  SymbolicShape reducedShape = without(shape, axes);
  Type acc = combiner == Combiner::Add ? accumulatorType(elem) : elem;

  Value init = rb.filled(reducedShape, rb.neutral(acc, combiner));
  Value reduced =
      rb.generic(ctx.get(input), init, {rb.identity(rank), rb.dropping(rank, axes)}, rank,
                 axes, [&](OpBuilder &b, Location loc, ValueRange args) -> SmallVector<Value> {
                   Value x = convertFloat(b, loc, args[0], acc);
                   return {combine(b, loc, combiner, x, args[1])};
                 })[0];

  Value divisor;
  if (mean && !axes.empty()) {
    divisor = rb.count(productOf(shape, axes), acc);
    if (!divisor)
      return op->emitError() << "unknown symbol in a reduced dim", failure();
  }
  if (!divisor && acc == elem)
    return keepdims && !axes.empty() ? rb.expandReduced(reduced, axes, resultType) : reduced;

  // Finalize over the result shape: divide, convert, and (keepdims) read the
  // reduced tensor without its unit dims.
  auto outType = cast<RankedTensorType>(resultType);
  unsigned outRank = outType.getRank();
  AffineMap readMap = keepdims ? rb.dropping(outRank, axes) : rb.identity(outRank);
  return rb.generic(reduced, ctx.empty(rb.loc, resultType),
                    {readMap, rb.identity(outRank)}, outRank, {},
                    [&](OpBuilder &b, Location loc, ValueRange args) -> SmallVector<Value> {
                      Value v = args[0];
                      if (divisor)
                        v = isa<FloatType>(acc)
                                ? (Value)arith::DivFOp::create(b, loc, v, divisor)
                                : arith::DivSIOp::create(b, loc, v, divisor);
                      return {convertFloat(b, loc, v, elem)};
                    })[0];
}

//===----------------------------------------------------------------------===//
// softmax
//===----------------------------------------------------------------------===//

FailureOr<Value> lowerSoftmax(SoftmaxOp op, LoweringContext &ctx) {
  ReductionBuilder rb(ctx, op.getLoc());
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  Type elem = inType.getElementType();
  if (!isa<FloatType>(elem))
    return unsupportedType(op);
  Type acc = accumulatorType(elem);
  unsigned rank = inType.getRank();
  int64_t axis = op.getAxis();
  SymbolicShape shape = *getSymbolicShape(inType);
  SymbolicShape rowShape = without(shape, {axis});
  Value x = ctx.get(op.getInput());
  AffineMap id = rb.identity(rank), row = rb.dropping(rank, {axis});

  Value max = rb.generic(x, rb.filled(rowShape, rb.neutral(acc, Combiner::Max)), {id, row},
                         rank, {axis},
                         [&](OpBuilder &b, Location loc, ValueRange args) -> SmallVector<Value> {
                           Value v = convertFloat(b, loc, args[0], acc);
                           return {arith::MaximumFOp::create(b, loc, v, args[1])};
                         })[0];
  auto shiftedExp = [&](OpBuilder &b, Location loc, Value v, Value m) -> Value {
    v = convertFloat(b, loc, v, acc);
    return math::ExpOp::create(b, loc, arith::SubFOp::create(b, loc, v, m));
  };
  Value sum = rb.generic({x, max}, rb.filled(rowShape, rb.neutral(acc, Combiner::Add)),
                         {id, row, row}, rank, {axis},
                         [&](OpBuilder &b, Location loc, ValueRange args) -> SmallVector<Value> {
                           Value e = shiftedExp(b, loc, args[0], args[1]);
                           return {arith::AddFOp::create(b, loc, e, args[2])};
                         })[0];
  return rb.generic({x, max, sum}, ctx.empty(rb.loc, op.getType()), {id, row, row, id}, rank,
                    {}, [&](OpBuilder &b, Location loc, ValueRange args) -> SmallVector<Value> {
                      Value e = shiftedExp(b, loc, args[0], args[1]);
                      Value r = arith::DivFOp::create(b, loc, e, args[2]);
                      return {convertFloat(b, loc, r, elem)};
                    })[0];
}

//===----------------------------------------------------------------------===//
// layer_norm / rms_norm
//===----------------------------------------------------------------------===//

/// Lowers layer_norm (`center`: subtract the mean, optional bias) and
/// rms_norm over the dims from `axis` to the last.
FailureOr<Value> lowerNorm(Operation *op, Value input, Value scale, Value bias,
                           int64_t axis, double epsilon, bool center,
                           LoweringContext &ctx) {
  ReductionBuilder rb(ctx, op->getLoc());
  auto inType = cast<RankedTensorType>(input.getType());
  Type elem = inType.getElementType();
  if (!isa<FloatType>(elem))
    return unsupportedType(op);
  for (Value v : {scale, bias})
    if (v && cast<RankedTensorType>(v.getType()).getRank() > inType.getRank())
      return op->emitError() << "scale/bias rank exceeds the input rank", failure();
  Type acc = accumulatorType(elem);
  unsigned rank = inType.getRank();
  SymbolicShape shape = *getSymbolicShape(inType);
  SmallVector<int64_t> normalized = range(axis, rank);
  SymbolicShape rowShape(shape.begin(), shape.begin() + axis);
  Value count = rb.count(productOf(shape, normalized), acc);
  if (!count)
    return op->emitError() << "unknown symbol in a normalized dim", failure();
  Value eps = rb.constant(acc, epsilon);
  Value x = ctx.get(input);
  AffineMap id = rb.identity(rank), row = rb.dropping(rank, normalized);
  AffineMap rowId = rb.identity(axis);

  auto addReduce = [&](ValueRange ins, ArrayRef<AffineMap> inMaps,
                       function_ref<Value(OpBuilder &, Location, ValueRange)> term) {
    SmallVector<AffineMap> maps(inMaps);
    maps.push_back(row);
    return rb.generic(ins, rb.filled(rowShape, rb.neutral(acc, Combiner::Add)), maps, rank,
                      normalized,
                      [&](OpBuilder &b, Location loc, ValueRange args) -> SmallVector<Value> {
                        Value t = term(b, loc, args.drop_back());
                        return {arith::AddFOp::create(b, loc, t, args.back())};
                      })[0];
  };
  // rsqrt(sum / count + eps) per row.
  auto rstdOf = [&](Value sum) {
    return rb.generic(sum, rb.empty(rowShape, acc), {rowId, rowId}, axis, {},
                      [&](OpBuilder &b, Location loc, ValueRange args) -> SmallVector<Value> {
                        Value var = arith::DivFOp::create(b, loc, args[0], count);
                        Value r = arith::AddFOp::create(b, loc, var, eps);
                        return {math::RsqrtOp::create(b, loc, r)};
                      })[0];
  };

  Value mean, rstd;
  if (center) {
    Value sum = addReduce(x, {id}, [&](OpBuilder &b, Location loc, ValueRange args) {
      return convertFloat(b, loc, args[0], acc);
    });
    mean = rb.generic(sum, rb.empty(rowShape, acc), {rowId, rowId}, axis, {},
                      [&](OpBuilder &b, Location loc, ValueRange args) -> SmallVector<Value> {
                        return {arith::DivFOp::create(b, loc, args[0], count)};
                      })[0];
    Value sqDev = addReduce({x, mean}, {id, row}, [&](OpBuilder &b, Location loc, ValueRange args) {
      Value d = arith::SubFOp::create(b, loc, convertFloat(b, loc, args[0], acc), args[1]);
      return arith::MulFOp::create(b, loc, d, d).getResult();
    });
    rstd = rstdOf(sqDev);
  } else {
    Value sumSq = addReduce(x, {id}, [&](OpBuilder &b, Location loc, ValueRange args) {
      Value v = convertFloat(b, loc, args[0], acc);
      return arith::MulFOp::create(b, loc, v, v).getResult();
    });
    rstd = rstdOf(sumSq);
  }

  // y = cast(normalized, elem) * scale (+ bias), as in the ONNX reference.
  SmallVector<Value> ins{x};
  SmallVector<AffineMap> maps{id};
  if (mean) {
    ins.push_back(mean);
    maps.push_back(row);
  }
  ins.push_back(rstd);
  maps.push_back(row);
  for (Value v : {scale, bias}) {
    if (!v)
      continue;
    ins.push_back(ctx.get(v));
    maps.push_back(rb.broadcasting(cast<RankedTensorType>(v.getType()), inType.getShape()));
  }
  maps.push_back(id);
  return rb.generic(ins, ctx.empty(rb.loc, op->getResult(0).getType()), maps, rank, {},
                    [&](OpBuilder &b, Location loc, ValueRange args) -> SmallVector<Value> {
                      unsigned i = 0;
                      Value v = convertFloat(b, loc, args[i++], acc);
                      if (mean)
                        v = arith::SubFOp::create(b, loc, v, args[i++]);
                      v = arith::MulFOp::create(b, loc, v, args[i++]);
                      v = convertFloat(b, loc, v, elem);
                      if (scale)
                        v = arith::MulFOp::create(b, loc, v,
                                                  convertFloat(b, loc, args[i++], elem));
                      if (bias)
                        v = arith::AddFOp::create(b, loc, v,
                                                  convertFloat(b, loc, args[i++], elem));
                      return {v};
                    })[0];
}

//===----------------------------------------------------------------------===//
// cumsum
//===----------------------------------------------------------------------===//

FailureOr<Value> lowerCumSum(CumSumOp op, LoweringContext &ctx) {
  ReductionBuilder rb(ctx, op.getLoc());
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  Type elem = inType.getElementType();
  if (!isIntOrFloat(elem))
    return unsupportedType(op);
  Type acc = accumulatorType(elem);
  unsigned rank = inType.getRank();
  int64_t axis = op.getAxis();
  SymbolicShape shape = *getSymbolicShape(inType);
  bool exclusive = op.getExclusive(), reverse = op.getReverse();

  // Loops (d0, ..., d{rank-1}, k): out[..., i, ...] += in[..., k, ...] when
  // k is before i (after, for reverse), or equal unless exclusive.
  unsigned loops = rank + 1;
  SmallVector<AffineExpr> inExprs;
  for (unsigned i = 0; i < rank; ++i)
    inExprs.push_back(rb.b.getAffineDimExpr(int64_t(i) == axis ? rank : i));
  AffineMap inMap = AffineMap::get(loops, 0, inExprs, rb.context());
  AffineMap outMap = rb.dropping(loops, {int64_t(rank)});
  using P = arith::CmpIPredicate;
  P pred = reverse ? (exclusive ? P::ugt : P::uge) : (exclusive ? P::ult : P::ule);
  Value zero = rb.neutral(acc, Combiner::Add);
  Value sum = rb.generic(ctx.get(op.getInput()), rb.filled(shape, zero), {inMap, outMap},
                         loops, {int64_t(rank)},
                         [&](OpBuilder &b, Location loc, ValueRange args) -> SmallVector<Value> {
                           Value i = linalg::IndexOp::create(b, loc, b.getI64IntegerAttr(axis));
                           Value k = linalg::IndexOp::create(b, loc, b.getI64IntegerAttr(rank));
                           Value take = arith::CmpIOp::create(b, loc, pred, k, i);
                           Value x = convertFloat(b, loc, args[0], acc);
                           Value v = arith::SelectOp::create(b, loc, take, x, zero);
                           return {combine(b, loc, Combiner::Add, v, args[1])};
                         })[0];
  if (acc == elem)
    return sum;
  AffineMap id = rb.identity(rank);
  return rb.generic(sum, ctx.empty(rb.loc, op.getType()), {id, id}, rank, {},
                    [&](OpBuilder &b, Location loc, ValueRange args) -> SmallVector<Value> {
                      return {convertFloat(b, loc, args[0], elem)};
                    })[0];
}

//===----------------------------------------------------------------------===//
// argmax
//===----------------------------------------------------------------------===//

FailureOr<Value> lowerArgMax(ArgMaxOp op, LoweringContext &ctx) {
  ReductionBuilder rb(ctx, op.getLoc());
  auto inType = cast<RankedTensorType>(op.getInput().getType());
  Type elem = inType.getElementType();
  if (!isIntOrFloat(elem))
    return unsupportedType(op);
  unsigned rank = inType.getRank();
  int64_t axis = op.getAxis();
  SymbolicShape shape = *getSymbolicShape(inType);
  SymbolicShape rowShape = without(shape, {axis});
  Type i64 = rb.b.getI64Type();
  bool last = op.getSelectLastIndex();
  bool isFloat = isa<FloatType>(elem);

  // Take x when it is larger, or equal with a smaller (larger, for
  // select_last_index) index: the result does not depend on the order in
  // which the reduction visits the elements.
  Value maxInit = rb.filled(rowShape, rb.neutral(elem, Combiner::Max));
  Value indexInit = rb.filled(rowShape, rb.constant(i64, 0));
  AffineMap id = rb.identity(rank), row = rb.dropping(rank, {axis});
  SmallVector<Value> r = rb.generic(
      ctx.get(op.getInput()), {maxInit, indexInit}, {id, row, row}, rank, {axis},
      [&](OpBuilder &b, Location loc, ValueRange args) -> SmallVector<Value> {
        Value x = args[0], m = args[1], idx = args[2];
        Value i = arith::IndexCastOp::create(
            b, loc, i64, linalg::IndexOp::create(b, loc, b.getI64IntegerAttr(axis)));
        Value greater, equal;
        if (isFloat) {
          greater = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, m);
          equal = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, x, m);
        } else {
          greater = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, x, m);
          equal = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, x, m);
        }
        Value better = arith::CmpIOp::create(
            b, loc, last ? arith::CmpIPredicate::sgt : arith::CmpIPredicate::slt, i, idx);
        Value take = arith::OrIOp::create(b, loc, greater,
                                          arith::AndIOp::create(b, loc, equal, better));
        return {arith::SelectOp::create(b, loc, take, x, m),
                arith::SelectOp::create(b, loc, take, i, idx)};
      });
  if (op.getKeepdims())
    return rb.expandReduced(r[1], {axis}, op.getType());
  return r[1];
}

} // namespace

FailureOr<bool> lowerReductions(Operation *op, LoweringContext &ctx) {
  FailureOr<Value> r;
  auto reduce = [&](auto red, Combiner combiner, bool mean) {
    return lowerReduce(op, red.getInput(), red.getAxes(), red.getKeepdims(), combiner, mean,
                       ctx);
  };
  if (auto red = dyn_cast<ReduceMeanOp>(op))
    r = reduce(red, Combiner::Add, /*mean=*/true);
  else if (auto red = dyn_cast<ReduceSumOp>(op))
    r = reduce(red, Combiner::Add, false);
  else if (auto red = dyn_cast<ReduceMaxOp>(op))
    r = reduce(red, Combiner::Max, false);
  else if (auto red = dyn_cast<ReduceMinOp>(op))
    r = reduce(red, Combiner::Min, false);
  else if (auto softmax = dyn_cast<SoftmaxOp>(op))
    r = lowerSoftmax(softmax, ctx);
  else if (auto ln = dyn_cast<LayerNormOp>(op))
    r = lowerNorm(op, ln.getInput(), ln.getScale(), ln.getBias(), ln.getAxis(),
                  ln.getEpsilon().convertToDouble(), /*center=*/true, ctx);
  else if (auto rms = dyn_cast<RmsNormOp>(op))
    r = lowerNorm(op, rms.getInput(), rms.getScale(), Value(), rms.getAxis(),
                  rms.getEpsilon().convertToDouble(), /*center=*/false, ctx);
  else if (auto cumsum = dyn_cast<CumSumOp>(op))
    r = lowerCumSum(cumsum, ctx);
  else if (auto argmax = dyn_cast<ArgMaxOp>(op))
    r = lowerArgMax(argmax, ctx);
  else
    return false;
  if (failed(r))
    return failure();
  ctx.set(op->getResult(0), *r);
  return true;
}

} // namespace slm
