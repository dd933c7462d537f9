//===- Contractions.cpp - matmul, gemm and einsum to linalg ----------------===//
//
// slm.matmul (numpy semantics) lowers to named ops where the shapes fit them
// exactly, since later target passes rewrite linalg.matmul and
// linalg.batch_matmul into micro-kernels:
//
//   [..., M, K] x [K, N]          collapse the leading dims into M,
//                                 linalg.matmul, expand back (also for a
//                                 rhs [1..., K, N] of at most the lhs rank)
//   [b..., M, K] x [b..., K, N]   (same batch dims) collapse the batch dims
//                                 into one, linalg.batch_matmul, expand back
//   anything else                 (broadcast batch dims, 1-D operands) a
//                                 linalg.generic with a reduction over K
//
// slm.gemm is linalg.matmul (a generic when transA/transB) plus, where
// needed, an epilogue generic for alpha, beta * C (broadcast to [M, N]).
// A projection on a quantized weight (and slm.linear on a target with the
// kernel) is a destination-style slm.linear_kernel on the rows of the input
// (lowerLinearKernel), which the target turns into its micro-kernel call.
//
// Products accumulate in f32 for f16/bf16/f32 operands (f64 for f64); a
// final generic truncates to the element type where it differs. Integer
// contractions are not supported.
//
//===----------------------------------------------------------------------===//

#include "passes/conversion/SlmToLinalg.h"

#include "dialects/slm/IR/ShapeUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace slm {

namespace {

using BodyFn = function_ref<Value(OpBuilder &, Location, ValueRange)>;

Type accumulatorType(Type elem) {
  if (auto f = dyn_cast<FloatType>(elem))
    if (f.getWidth() <= 32)
      return Float32Type::get(elem.getContext());
  return elem;
}

Value convertFloat(OpBuilder &b, Location loc, Value v, Type to) {
  Type from = v.getType();
  if (from == to)
    return v;
  if (from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth())
    return arith::ExtFOp::create(b, loc, to, v);
  return arith::TruncFOp::create(b, loc, to, v);
}

struct ContractionBuilder {
  LoweringContext &ctx;
  Location loc;
  OpBuilder &b;

  ContractionBuilder(LoweringContext &ctx, Location loc)
      : ctx(ctx), loc(loc), b(ctx.builder) {}

  /// A zero-filled `shape` x `elem` accumulator.
  Value zeros(const SymbolicShape &shape, Type elem) {
    Value empty = ctx.empty(loc, getTensorType(b.getContext(), shape, elem));
    Value zero = arith::ConstantOp::create(b, loc, elem, b.getZeroAttr(elem));
    return linalg::FillOp::create(b, loc, ValueRange{zero}, ValueRange{empty}).getResult(0);
  }

  /// A `linalg.generic` over `loops` loops (`reduced` ones are reductions)
  /// with one output.
  Value generic(ValueRange ins, Value out, ArrayRef<AffineMap> maps, unsigned loops,
                ArrayRef<unsigned> reduced, BodyFn body) {
    SmallVector<utils::IteratorType> iterators(loops, utils::IteratorType::parallel);
    for (unsigned d : reduced)
      iterators[d] = utils::IteratorType::reduction;
    return linalg::GenericOp::create(
               b, loc, out.getType(), ins, out, maps, iterators,
               [&](OpBuilder &nb, Location nl, ValueRange args) {
                 linalg::YieldOp::create(nb, nl, body(nb, nl, args));
               })
        .getResult(0);
  }

  /// Converts `value` (identity maps) to `slmType`'s element type, or
  /// returns it as is when it already has that type.
  Value convertTo(Value value, Type slmType) {
    auto from = cast<RankedTensorType>(value.getType());
    Type elem = cast<RankedTensorType>(slmType).getElementType();
    if (from.getElementType() == elem)
      return value;
    AffineMap id = b.getMultiDimIdentityMap(from.getRank());
    return generic(value, ctx.empty(loc, slmType), {id, id}, from.getRank(), {},
                   [&](OpBuilder &nb, Location nl, ValueRange args) {
                     return convertFloat(nb, nl, args[0], elem);
                   });
  }

  /// Collapses the `groups` of dims of the lowered `value`.
  Value collapse(Value value, ArrayRef<ReassociationIndices> groups) {
    return tensor::CollapseShapeOp::create(b, loc, value, groups);
  }

  /// Expands `value` to slm type `slmType` (dynamic sizes from the symbols).
  Value expand(Value value, Type slmType, ArrayRef<ReassociationIndices> groups) {
    return tensor::ExpandShapeOp::create(b, loc, LoweringContext::plain(slmType), value, groups,
                                         ctx.mixedSizes(loc, slmType));
  }
};

DimExpr product(ArrayRef<DimExpr> dims) {
  DimExpr n(1);
  for (const DimExpr &d : dims)
    n = n * d;
  return n;
}

/// A broadcast (numpy, right-aligned) read of `batch` dims of an operand
/// into the output batch dims `outBatch` (loops 0..outBatch.size()-1).
void appendBatchExprs(OpBuilder &b, ArrayRef<DimExpr> batch, ArrayRef<DimExpr> outBatch,
                      SmallVectorImpl<AffineExpr> &exprs) {
  size_t offset = outBatch.size() - batch.size();
  for (size_t i = 0; i < batch.size(); ++i) {
    if (batch[i] == DimExpr(1) && outBatch[offset + i] != DimExpr(1))
      exprs.push_back(b.getAffineConstantExpr(0));
    else
      exprs.push_back(b.getAffineDimExpr(offset + i));
  }
}

} // namespace

FailureOr<Value> lowerLinearKernel(Operation *op, Value x, Value weight, Value bias,
                                   Value residual, StringRef activation, LoweringContext &ctx) {
  ContractionBuilder cb(ctx, op->getLoc());
  OpBuilder &b = cb.b;
  auto xType = cast<RankedTensorType>(x.getType());
  auto wType = cast<RankedTensorType>(weight.getType());
  QuantAttr quant = getQuantEncoding(wType);
  int64_t axis = quant ? quant.getAxis() : 0;
  if (!xType.getElementType().isF32() || wType.getRank() != 2 || axis > 1 ||
      (!quant && !wType.getElementType().isF32()))
    return op->emitError() << "a projection kernel needs an f32 input and a 2-D f32 or "
                              "quantized weight (got "
                           << xType << " x " << wType << ")",
           failure();
  int64_t k = wType.getDimSize(axis), n = wType.getDimSize(1 - axis);
  SymbolicShape a = *getSymbolicShape(xType);
  if (a.empty() || a.back() != DimExpr(k))
    return op->emitError() << "the input's last dim does not match the weight's reduction ("
                           << k << ")",
           failure();
  int64_t rank = a.size();
  // Rows: [M, K] and [M, N] views of the [..., K] input and [..., N] result.
  auto toRows = [&](Value v, int64_t cols) -> Value {
    if (rank == 1)
      return tensor::ExpandShapeOp::create(b, cb.loc, RankedTensorType::get({1, cols}, b.getF32Type()),
                                           v, SmallVector<ReassociationIndices>{{0, 1}});
    return rank > 2 ? cb.collapse(v, leadingGroup(rank - 1, rank)) : v;
  };
  Value rows = toRows(ctx.get(x), k);
  SymbolicShape outShape{rank == 1 ? DimExpr(1) : product(ArrayRef(a).drop_back()), DimExpr(n)};
  Value init = residual ? toRows(ctx.get(residual), n)
                        : ctx.empty(cb.loc, getTensorType(b.getContext(), outShape, b.getF32Type()));
  // An f32 weight stored [N, K] and transposed in the graph (a tied
  // embedding as the lm_head) is read as stored.
  Value w = ctx.get(weight);
  bool transposed = false;
  if (auto transpose = weight.getDefiningOp<TransposeOp>();
      !quant && transpose && llvm::equal(transpose.getPerm(), ArrayRef<int64_t>{1, 0})) {
    w = ctx.get(transpose.getInput());
    transposed = true;
  }
  auto kernel = LinearKernelOp::create(
      b, cb.loc, TypeRange{init.getType()}, rows, w, bias ? ctx.get(bias) : Value(), init, quant,
      b.getI64IntegerAttr(k), b.getI64IntegerAttr(n), b.getStringAttr(activation),
      residual ? b.getUnitAttr() : nullptr, transposed ? b.getUnitAttr() : nullptr);
  Value prod = kernel.getResult()[0];
  SymbolicShape resultShape(a.begin(), a.end() - 1);
  resultShape.push_back(DimExpr(n));
  Type resultType = getTensorType(b.getContext(), resultShape, b.getF32Type());
  if (rank == 1)
    return Value(tensor::CollapseShapeOp::create(b, cb.loc, LoweringContext::plain(resultType),
                                                 prod, SmallVector<ReassociationIndices>{{0, 1}}));
  return rank > 2 ? cb.expand(prod, resultType, leadingGroup(rank - 1, rank)) : prod;
}

namespace {

//===----------------------------------------------------------------------===//
// matmul
//===----------------------------------------------------------------------===//

FailureOr<Value> lowerMatMul(MatMulOp op, LoweringContext &ctx) {
  if (getQuantEncoding(op.getRhs().getType()))
    return lowerLinearKernel(op, op.getLhs(), op.getRhs(), Value(), Value(), "none", ctx);
  ContractionBuilder cb(ctx, op.getLoc());
  OpBuilder &b = cb.b;
  auto lhsType = cast<RankedTensorType>(op.getLhs().getType());
  auto rhsType = cast<RankedTensorType>(op.getRhs().getType());
  auto resultType = cast<RankedTensorType>(op.getType());
  Type elem = resultType.getElementType();
  if (!isa<FloatType>(elem) || lhsType.getElementType() != elem ||
      rhsType.getElementType() != elem)
    return op.emitError() << "the linalg lowering supports floating-point matmul only (got "
                          << lhsType.getElementType() << ")",
           failure();
  Type acc = accumulatorType(elem);
  SymbolicShape a = *getSymbolicShape(lhsType), bs = *getSymbolicShape(rhsType),
                r = *getSymbolicShape(resultType);
  int64_t ra = a.size(), rb = bs.size(), rr = r.size();
  Value lhs = ctx.get(op.getLhs()), rhs = ctx.get(op.getRhs());

  // [..., M, K] x [1..., K, N] (no more dims than the lhs): the rhs is a
  // matrix broadcast over the lhs batch dims.
  if (ra >= 2 && rb > 2 && rb <= ra &&
      llvm::all_of(ArrayRef(bs).drop_back(2), [](const DimExpr &d) { return d == DimExpr(1); })) {
    rhs = cb.collapse(rhs, leadingGroup(rb - 1, rb));
    bs.erase(bs.begin(), bs.end() - 2);
    rb = 2;
  }

  // [..., M, K] x [K, N]: collapse the leading dims into M.
  if (ra >= 2 && rb == 2) {
    Value lhs2 = ra > 2 ? cb.collapse(lhs, leadingGroup(ra - 1, ra)) : lhs;
    SymbolicShape outShape{product(ArrayRef(a).drop_back()), bs[1]};
    Value out = cb.zeros(outShape, acc);
    Value prod = linalg::MatmulOp::create(b, cb.loc, TypeRange{out.getType()},
                                          ValueRange{lhs2, rhs}, ValueRange{out})
                     .getResult(0);
    prod = cb.convertTo(prod, getTensorType(b.getContext(), outShape, elem));
    return ra > 2 ? cb.expand(prod, resultType, leadingGroup(ra - 1, rr)) : prod;
  }

  // [b..., M, K] x [b..., K, N] with the same batch dims: batch_matmul over
  // the collapsed batch dims.
  if (ra >= 3 && ra == rb &&
      llvm::equal(ArrayRef(a).drop_back(2), ArrayRef(bs).drop_back(2))) {
    int64_t nb = ra - 2;
    Value lhs3 = nb > 1 ? cb.collapse(lhs, leadingGroup(nb, ra)) : lhs;
    Value rhs3 = nb > 1 ? cb.collapse(rhs, leadingGroup(nb, rb)) : rhs;
    SymbolicShape outShape{product(ArrayRef(a).drop_back(2)), a[ra - 2], bs[rb - 1]};
    Value out = cb.zeros(outShape, acc);
    Value prod = linalg::BatchMatmulOp::create(b, cb.loc, TypeRange{out.getType()},
                                               ValueRange{lhs3, rhs3}, ValueRange{out})
                     .getResult(0);
    prod = cb.convertTo(prod, getTensorType(b.getContext(), outShape, elem));
    return nb > 1 ? cb.expand(prod, resultType, leadingGroup(nb, rr)) : prod;
  }

  // The general case: loops (batch..., [m], [n], k).
  bool vecA = ra == 1, vecB = rb == 1;
  int64_t nb = rr - (vecA ? 0 : 1) - (vecB ? 0 : 1);
  ArrayRef<DimExpr> outBatch = ArrayRef(r).take_front(nb);
  unsigned loops = rr + 1, k = rr;
  unsigned m = nb, n = nb + (vecA ? 0 : 1);
  SmallVector<AffineExpr> aExprs, bExprs;
  appendBatchExprs(b, vecA ? ArrayRef<DimExpr>() : ArrayRef(a).drop_back(2), outBatch, aExprs);
  if (!vecA)
    aExprs.push_back(b.getAffineDimExpr(m));
  aExprs.push_back(b.getAffineDimExpr(k));
  appendBatchExprs(b, vecB ? ArrayRef<DimExpr>() : ArrayRef(bs).drop_back(2), outBatch, bExprs);
  bExprs.push_back(b.getAffineDimExpr(k));
  if (!vecB)
    bExprs.push_back(b.getAffineDimExpr(n));
  SmallVector<AffineExpr> outExprs;
  for (unsigned i = 0; i < rr; ++i)
    outExprs.push_back(b.getAffineDimExpr(i));
  SmallVector<AffineMap> maps{AffineMap::get(loops, 0, aExprs, b.getContext()),
                              AffineMap::get(loops, 0, bExprs, b.getContext()),
                              AffineMap::get(loops, 0, outExprs, b.getContext())};
  Value prod = cb.generic({lhs, rhs}, cb.zeros(r, acc), maps, loops, {k},
                          [&](OpBuilder &bb, Location bl, ValueRange args) -> Value {
                            Value x = convertFloat(bb, bl, args[0], acc);
                            Value y = convertFloat(bb, bl, args[1], acc);
                            return arith::AddFOp::create(
                                bb, bl, args[2], arith::MulFOp::create(bb, bl, x, y));
                          });
  return cb.convertTo(prod, resultType);
}

//===----------------------------------------------------------------------===//
// gemm
//===----------------------------------------------------------------------===//

FailureOr<Value> lowerGemm(GemmOp op, LoweringContext &ctx) {
  ContractionBuilder cb(ctx, op.getLoc());
  OpBuilder &b = cb.b;
  auto resultType = cast<RankedTensorType>(op.getType());
  Type elem = resultType.getElementType();
  if (!isa<FloatType>(elem) ||
      cast<RankedTensorType>(op.getA().getType()).getElementType() != elem ||
      (!getQuantEncoding(op.getB().getType()) &&
       cast<RankedTensorType>(op.getB().getType()).getElementType() != elem))
    return op.emitError() << "the linalg lowering supports floating-point gemm only", failure();
  Value c = op.getC();
  if (c && cast<RankedTensorType>(c.getType()).getRank() > 2)
    return op.emitError() << "gemm: C must have rank <= 2", failure();
  Type acc = accumulatorType(elem);
  SymbolicShape r = *getSymbolicShape(resultType);
  Value lhs = ctx.get(op.getA()), rhs = ctx.get(op.getB());
  bool transA = op.getTransA(), transB = op.getTransB();

  Value prod;
  if (getQuantEncoding(op.getB().getType())) {
    // slm-quantize only quantizes B of gemms without transA (and encodes
    // transB as the weight's axis).
    if (transA)
      return op.emitError() << "gemm: a quantized B needs transA = 0", failure();
    FailureOr<Value> q = lowerLinearKernel(op, op.getA(), op.getB(), Value(), Value(), "none", ctx);
    if (failed(q))
      return failure();
    prod = *q;
  } else if (!transA && !transB) {
    Value out = cb.zeros(r, acc);
    prod = linalg::MatmulOp::create(b, cb.loc, TypeRange{out.getType()},
                                    ValueRange{lhs, rhs}, ValueRange{out})
               .getResult(0);
  } else {
    Value out = cb.zeros(r, acc);
    // Loops (m, n, k) with the transposed operands read transposed.
    AffineExpr dm = b.getAffineDimExpr(0), dn = b.getAffineDimExpr(1),
               dk = b.getAffineDimExpr(2);
    MLIRContext *mc = b.getContext();
    SmallVector<AffineExpr, 2> aExprs{dm, dk}, bExprs{dk, dn};
    if (transA)
      std::swap(aExprs[0], aExprs[1]);
    if (transB)
      std::swap(bExprs[0], bExprs[1]);
    SmallVector<AffineMap> maps{AffineMap::get(3, 0, aExprs, mc),
                                AffineMap::get(3, 0, bExprs, mc),
                                AffineMap::get(3, 0, {dm, dn}, mc)};
    prod = cb.generic({lhs, rhs}, out, maps, 3, {2},
                      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
                        Value x = convertFloat(nb, nl, args[0], acc);
                        Value y = convertFloat(nb, nl, args[1], acc);
                        return arith::AddFOp::create(nb, nl, args[2],
                                                     arith::MulFOp::create(nb, nl, x, y));
                      });
  }

  double alpha = op.getAlpha().convertToDouble(), beta = op.getBeta().convertToDouble();
  bool useC = c && beta != 0.0;
  if (alpha == 1.0 && !useC)
    return cb.convertTo(prod, resultType);

  // Epilogue: alpha * prod + beta * C, C broadcast to [M, N].
  SmallVector<Value> ins{prod};
  AffineMap id = b.getMultiDimIdentityMap(2);
  SmallVector<AffineMap> maps{id};
  if (useC) {
    auto cType = cast<RankedTensorType>(c.getType());
    SmallVector<AffineExpr> exprs;
    for (int64_t i = 0; i < cType.getRank(); ++i) {
      int64_t outDim = 2 - cType.getRank() + i;
      if (cType.getDimSize(i) == 1 && resultType.getDimSize(outDim) != 1)
        exprs.push_back(b.getAffineConstantExpr(0));
      else
        exprs.push_back(b.getAffineDimExpr(outDim));
    }
    ins.push_back(ctx.get(c));
    maps.push_back(AffineMap::get(2, 0, exprs, b.getContext()));
  }
  maps.push_back(id);
  Value alphaV, betaV;
  if (alpha != 1.0)
    alphaV = arith::ConstantOp::create(b, cb.loc, acc, b.getFloatAttr(acc, alpha));
  if (useC && beta != 1.0)
    betaV = arith::ConstantOp::create(b, cb.loc, acc, b.getFloatAttr(acc, beta));
  return cb.generic(ins, ctx.empty(cb.loc, resultType), maps, 2, {},
                    [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
                      Value v = args[0];
                      if (alphaV)
                        v = arith::MulFOp::create(nb, nl, alphaV, v);
                      if (useC) {
                        Value cv = convertFloat(nb, nl, args[1], acc);
                        if (betaV)
                          cv = arith::MulFOp::create(nb, nl, betaV, cv);
                        v = arith::AddFOp::create(nb, nl, v, cv);
                      }
                      return convertFloat(nb, nl, v, elem);
                    });
}

} // namespace

FailureOr<bool> lowerContractions(Operation *op, LoweringContext &ctx) {
  FailureOr<Value> r;
  if (auto matmul = dyn_cast<MatMulOp>(op))
    r = lowerMatMul(matmul, ctx);
  else if (auto gemm = dyn_cast<GemmOp>(op))
    r = lowerGemm(gemm, ctx);
  else
    return false;
  if (failed(r))
    return failure();
  ctx.set(op->getResult(0), *r);
  return true;
}

} // namespace slm
