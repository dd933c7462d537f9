//===- Attention.cpp - Lowering slm.rotary and slm.attention --------------===//
//
// slm.rotary: one linalg.generic over x that reads its partner element and
// cos/sin with tensor.extract (the rotate-half / interleaved index is not an
// affine map of the output index).
//
// slm.attention: the present caches are built exactly like slm.concat
// (tensor.empty + tensor.insert_slice), so the in-place KV cache keeps
// working (the past slice is a self-copy the runtime skips). The attention
// itself is
//   * with `attention-kernel` (targets that have one) and f32: an
//     slm.attention_core reading q and the present caches, into a fresh
//     [B, Hq, S, D] tensor; the target rewrites its bufferized form;
//   * otherwise generic linalg on [B, Hkv, n, S, *] views (n = Hq / Hkv, so
//     GQA needs no copy of K/V): scores contraction, scale + mask, softmax
//     (max, exp, sum, divide), then the contraction with V.
//
//===----------------------------------------------------------------------===//

#include "passes/conversion/SlmToLinalg.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cfloat>

using namespace mlir;

namespace slm {
namespace {

SymbolicShape shapeOf(Value v) { return *getSymbolicShape(v.getType()); }
SymbolicShape shapeOf(Type t) { return *getSymbolicShape(t); }

Value indexOf(OpBuilder &b, Location loc, int64_t dim) {
  return linalg::IndexOp::create(b, loc, dim);
}

Value lowerRotary(RotaryOp op, LoweringContext &ctx) {
  OpBuilder &b = ctx.builder;
  Location loc = op.getLoc();
  Value x = ctx.get(op.getX()), cos = ctx.get(op.getCos()), sin = ctx.get(op.getSin());
  auto xType = cast<RankedTensorType>(x.getType());
  auto cosType = cast<RankedTensorType>(cos.getType());
  int64_t rank = xType.getRank(), lead = rank - cosType.getRank();
  int64_t r = op.getRotaryDim(), half = r / 2;
  bool interleaved = op.getInterleaved();
  Value init = ctx.empty(loc, op.getType());
  AffineMap id = b.getMultiDimIdentityMap(rank);
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, ValueRange{x}, ValueRange{init},
      ArrayRef<AffineMap>{id, id}, iters, [&](OpBuilder &nb, Location nl, ValueRange args) {
        auto cst = [&](int64_t v) { return arith::ConstantIndexOp::create(nb, nl, v); };
        SmallVector<Value> idx;
        for (int64_t i = 0; i < rank; ++i)
          idx.push_back(indexOf(nb, nl, i));
        Value d = idx.back();
        Value inRotary = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, d, cst(r));
        // Clamped so that the reads below stay in bounds for d >= r.
        Value dc = arith::MinSIOp::create(nb, nl, d, cst(r - 1));
        Value partner, negate;
        if (interleaved) {
          // Even d pairs with d + 1 (negated), odd d with d - 1.
          Value odd = arith::RemSIOp::create(nb, nl, dc, cst(2));
          Value isEven = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq, odd, cst(0));
          partner = arith::SelectOp::create(nb, nl, isEven,
                                            arith::AddIOp::create(nb, nl, dc, cst(1)),
                                            arith::SubIOp::create(nb, nl, dc, cst(1)));
          negate = isEven;
        } else {
          Value low = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, dc, cst(half));
          partner = arith::SelectOp::create(nb, nl, low,
                                            arith::AddIOp::create(nb, nl, dc, cst(half)),
                                            arith::SubIOp::create(nb, nl, dc, cst(half)));
          negate = low;
        }
        SmallVector<Value> pIdx(idx.begin(), idx.end());
        pIdx.back() = partner;
        Value p = tensor::ExtractOp::create(nb, nl, x, pIdx);
        SmallVector<Value> cIdx;
        for (int64_t i = lead; i < rank - 1; ++i)
          cIdx.push_back(cosType.getDimSize(i - lead) == 1 && xType.getDimSize(i) != 1
                             ? cst(0).getResult()
                             : idx[i]);
        cIdx.push_back(dc);
        Value c = tensor::ExtractOp::create(nb, nl, cos, cIdx);
        Value s = tensor::ExtractOp::create(nb, nl, sin, cIdx);
        Value xv = args[0];
        Value ps = arith::MulFOp::create(nb, nl, p, s);
        ps = arith::SelectOp::create(nb, nl, negate, arith::NegFOp::create(nb, nl, ps), ps);
        Value rot = arith::AddFOp::create(nb, nl, arith::MulFOp::create(nb, nl, xv, c), ps);
        linalg::YieldOp::create(nb, nl, arith::SelectOp::create(nb, nl, inRotary, rot, xv).getResult());
      });
  return generic.getResult(0);
}

/// concat(past, cur) along dim 2, as DataMovement.cpp lowers slm.concat.
Value buildPresent(LoweringContext &ctx, Location loc, Value past, Value cur, Type type) {
  OpBuilder &b = ctx.builder;
  Value dest = ctx.empty(loc, type);
  SmallVector<OpFoldResult> strides(4, b.getIndexAttr(1));
  SmallVector<OpFoldResult> offsets(4, b.getIndexAttr(0));
  if (shapeOf(past)[2] != DimExpr(0))
    dest = tensor::InsertSliceOp::create(b, loc, ctx.get(past), dest, offsets,
                                         ctx.mixedSizes(loc, past.getType()), strides);
  DimExpr p = shapeOf(past)[2];
  if (auto c = p.getConstant())
    offsets[2] = b.getIndexAttr(*c);
  else
    offsets[2] = ctx.dim(loc, p);
  return tensor::InsertSliceOp::create(b, loc, ctx.get(cur), dest, offsets,
                                       ctx.mixedSizes(loc, cur.getType()), strides);
}

Value lowerAttentionGeneric(AttentionOp op, Value q, Value k, Value v, Value mask,
                            LoweringContext &ctx) {
  OpBuilder &b = ctx.builder;
  Location loc = op.getLoc();
  SymbolicShape qs = shapeOf(op.getQ()), ks = shapeOf(op.getPresentKey());
  int64_t hq = *qs[1].getConstant(), hkv = *ks[1].getConstant(), n = hq / hkv;
  auto elem = cast<FloatType>(cast<RankedTensorType>(q.getType()).getElementType());
  auto cf = [&](double x) {
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(elem, x)).getResult();
  };
  auto sizeOf = [&](const DimExpr &d) -> OpFoldResult {
    if (auto c = d.getConstant())
      return b.getIndexAttr(*c);
    return ctx.dim(loc, d);
  };
  auto staticOf = [](const DimExpr &d) {
    auto c = d.getConstant();
    return c ? *c : ShapedType::kDynamic;
  };
  // [B, Hkv, n, S, X] shapes.
  auto shape5 = [&](const DimExpr &last) {
    return SmallVector<OpFoldResult>{sizeOf(qs[0]), b.getIndexAttr(hkv), b.getIndexAttr(n),
                                     sizeOf(qs[2]), sizeOf(last)};
  };
  auto empty = [&](ArrayRef<OpFoldResult> sizes) {
    return tensor::EmptyOp::create(b, loc, sizes, elem).getResult();
  };
  auto fill = [&](Value t, double x) {
    return linalg::FillOp::create(b, loc, ValueRange{cf(x)}, ValueRange{t}).getResult(0);
  };
  SmallVector<ReassociationIndices> groups{{0}, {1, 2}, {3}, {4}};
  auto q5Type = RankedTensorType::get(
      {staticOf(qs[0]), hkv, n, staticOf(qs[2]), staticOf(qs[3])}, elem);
  Value q5 = tensor::ExpandShapeOp::create(b, loc, q5Type, q, groups, shape5(qs[3]));

  MLIRContext *mctx = b.getContext();
  auto map = [&](unsigned numDims, ArrayRef<unsigned> dims) {
    SmallVector<AffineExpr> exprs;
    for (unsigned d : dims)
      exprs.push_back(getAffineDimExpr(d, mctx));
    return AffineMap::get(numDims, 0, exprs, mctx);
  };
  using IT = utils::IteratorType;
  auto par = IT::parallel, red = IT::reduction;
  // Dims (b, g, r, i, j, d).
  Value scores = fill(empty(shape5(ks[2])), 0.0);
  scores = linalg::GenericOp::create(
               b, loc, TypeRange{scores.getType()}, ValueRange{q5, k}, ValueRange{scores},
               ArrayRef<AffineMap>{map(6, {0, 1, 2, 3, 5}), map(6, {0, 1, 4, 5}),
                                   map(6, {0, 1, 2, 3, 4})},
               ArrayRef<IT>{par, par, par, par, par, red},
               [&](OpBuilder &nb, Location nl, ValueRange a) {
                 Value prod = arith::MulFOp::create(nb, nl, a[0], a[1]);
                 linalg::YieldOp::create(nb, nl,
                                         arith::AddFOp::create(nb, nl, a[2], prod).getResult());
               })
               .getResult(0);

  // Scale and mask: hidden keys get the lowest float added.
  StringRef mode = op.getMask();
  bool causal = mode != "none";
  Value offset = ctx.dim(loc, ks[2] - qs[2]);
  Value scaleV = cf(op.getScale().convertToDouble()), lowest = cf(-FLT_MAX);
  AffineMap id5 = b.getMultiDimIdentityMap(5);
  SmallVector<Value> ins{scores};
  SmallVector<AffineMap> maps{id5};
  if (mask) {
    ins.push_back(mask);
    maps.push_back(map(5, {0, 4}));
  }
  maps.push_back(id5);
  Value masked = linalg::GenericOp::create(
                     b, loc, TypeRange{scores.getType()}, ins, ValueRange{empty(shape5(ks[2]))},
                     maps, ArrayRef<IT>{par, par, par, par, par},
                     [&](OpBuilder &nb, Location nl, ValueRange a) {
                       Value s = arith::MulFOp::create(nb, nl, a[0], scaleV);
                       Value hidden;
                       if (causal) {
                         Value i = indexOf(nb, nl, 3), j = indexOf(nb, nl, 4);
                         Value last = arith::AddIOp::create(nb, nl, i, offset);
                         hidden = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sgt, j, last);
                       }
                       if (mask) {
                         Value zero = arith::ConstantOp::create(
                             nb, nl, nb.getIntegerAttr(a[1].getType(), 0));
                         Value pad = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq, a[1], zero);
                         hidden = hidden ? arith::OrIOp::create(nb, nl, hidden, pad).getResult() : pad;
                       }
                       if (hidden)
                         s = arith::SelectOp::create(nb, nl, hidden,
                                                     arith::AddFOp::create(nb, nl, s, lowest), s);
                       linalg::YieldOp::create(nb, nl, s);
                     })
                     .getResult(0);

  // Softmax over j (dims b, g, r, i, j).
  SmallVector<OpFoldResult> rowSizes = shape5(ks[2]);
  rowSizes.pop_back();
  AffineMap rowMap = map(5, {0, 1, 2, 3});
  Value rowMax = fill(empty(rowSizes), -INFINITY);
  rowMax = linalg::GenericOp::create(
               b, loc, TypeRange{rowMax.getType()}, ValueRange{masked}, ValueRange{rowMax},
               ArrayRef<AffineMap>{id5, rowMap}, ArrayRef<IT>{par, par, par, par, red},
               [&](OpBuilder &nb, Location nl, ValueRange a) {
                 linalg::YieldOp::create(nb, nl,
                                         arith::MaximumFOp::create(nb, nl, a[0], a[1]).getResult());
               })
               .getResult(0);
  Value exps = linalg::GenericOp::create(
                   b, loc, TypeRange{masked.getType()}, ValueRange{masked, rowMax},
                   ValueRange{empty(shape5(ks[2]))}, ArrayRef<AffineMap>{id5, rowMap, id5},
                   ArrayRef<IT>{par, par, par, par, par},
                   [&](OpBuilder &nb, Location nl, ValueRange a) {
                     Value e = math::ExpOp::create(nb, nl, arith::SubFOp::create(nb, nl, a[0], a[1]));
                     linalg::YieldOp::create(nb, nl, e);
                   })
                   .getResult(0);
  Value rowSum = fill(empty(rowSizes), 0.0);
  rowSum = linalg::GenericOp::create(
               b, loc, TypeRange{rowSum.getType()}, ValueRange{exps}, ValueRange{rowSum},
               ArrayRef<AffineMap>{id5, rowMap}, ArrayRef<IT>{par, par, par, par, red},
               [&](OpBuilder &nb, Location nl, ValueRange a) {
                 linalg::YieldOp::create(nb, nl, arith::AddFOp::create(nb, nl, a[0], a[1]).getResult());
               })
               .getResult(0);
  Value probs = linalg::GenericOp::create(
                    b, loc, TypeRange{exps.getType()}, ValueRange{exps, rowSum},
                    ValueRange{empty(shape5(ks[2]))}, ArrayRef<AffineMap>{id5, rowMap, id5},
                    ArrayRef<IT>{par, par, par, par, par},
                    [&](OpBuilder &nb, Location nl, ValueRange a) {
                      linalg::YieldOp::create(nb, nl,
                                              arith::DivFOp::create(nb, nl, a[0], a[1]).getResult());
                    })
                    .getResult(0);

  // out[b, g, r, i, d] = sum_j p[b, g, r, i, j] * v[b, g, j, d]; dims (b, g, r, i, d, j).
  Value out5 = fill(empty(shape5(qs[3])), 0.0);
  out5 = linalg::GenericOp::create(
             b, loc, TypeRange{out5.getType()}, ValueRange{probs, v}, ValueRange{out5},
             ArrayRef<AffineMap>{map(6, {0, 1, 2, 3, 5}), map(6, {0, 1, 5, 4}),
                                 map(6, {0, 1, 2, 3, 4})},
             ArrayRef<IT>{par, par, par, par, par, red},
             [&](OpBuilder &nb, Location nl, ValueRange a) {
               Value prod = arith::MulFOp::create(nb, nl, a[0], a[1]);
               linalg::YieldOp::create(nb, nl, arith::AddFOp::create(nb, nl, a[2], prod).getResult());
             })
             .getResult(0);
  return tensor::CollapseShapeOp::create(b, loc, LoweringContext::plain(op.getOutput().getType()),
                                         out5, groups);
}

FailureOr<Value> lowerAttention(AttentionOp op, LoweringContext &ctx) {
  OpBuilder &b = ctx.builder;
  Location loc = op.getLoc();
  Value presentK = ctx.get(op.getK()), presentV = ctx.get(op.getV());
  if (op.getPastKey()) {
    presentK = buildPresent(ctx, loc, op.getPastKey(), op.getK(), op.getPresentKey().getType());
    presentV = buildPresent(ctx, loc, op.getPastValue(), op.getV(), op.getPresentValue().getType());
  }
  ctx.set(op.getPresentKey(), presentK);
  ctx.set(op.getPresentValue(), presentV);

  // The mask's columns beyond the T keys are never read.
  Value mask;
  if (Value m = op.getAttentionMask()) {
    mask = ctx.get(m);
    SymbolicShape ms = shapeOf(m);
    DimExpr t = shapeOf(op.getPresentKey())[2];
    if (ms[1] != t) {
      auto mt = cast<RankedTensorType>(mask.getType());
      SmallVector<OpFoldResult> offsets(2, b.getIndexAttr(0)), strides(2, b.getIndexAttr(1));
      SmallVector<OpFoldResult> sizes = ctx.mixedSizes(loc, m.getType());
      sizes[1] = t.getConstant() ? OpFoldResult(b.getIndexAttr(*t.getConstant()))
                                 : OpFoldResult(ctx.dim(loc, t));
      SmallVector<int64_t> staticShape{mt.getDimSize(0),
                                       t.getConstant() ? *t.getConstant() : ShapedType::kDynamic};
      mask = tensor::ExtractSliceOp::create(
          b, loc, RankedTensorType::get(staticShape, mt.getElementType()), mask, offsets, sizes,
          strides);
    }
  }
  Value q = ctx.get(op.getQ());
  auto elem = cast<RankedTensorType>(q.getType()).getElementType();
  bool kernelMask = !mask || cast<RankedTensorType>(mask.getType()).getElementType().isInteger(64);
  if (ctx.attentionKernel && elem.isF32() && kernelMask) {
    Value init = ctx.empty(loc, op.getOutput().getType());
    auto core = AttentionCoreOp::create(b, loc, TypeRange{init.getType()}, q, presentK, presentV,
                                        init, mask, op.getMaskAttr(), op.getScaleAttr());
    return core.getResult()[0];
  }
  return lowerAttentionGeneric(op, q, presentK, presentV, mask, ctx);
}

} // namespace

FailureOr<bool> lowerAttentionOps(Operation *op, LoweringContext &ctx) {
  if (auto rotary = dyn_cast<RotaryOp>(op)) {
    ctx.set(rotary.getResult(), lowerRotary(rotary, ctx));
    return true;
  }
  if (auto attention = dyn_cast<AttentionOp>(op)) {
    FailureOr<Value> out = lowerAttention(attention, ctx);
    if (failed(out))
      return failure();
    ctx.set(attention.getOutput(), *out);
    return true;
  }
  return false;
}

} // namespace slm
