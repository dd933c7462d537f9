//===- DataMovement.cpp - Shapes, slices, gathers to tensor and linalg ----===//
//
// Reshapes become tensor.collapse_shape/expand_shape (tensor.reshape when
// the dims do not group), broadcasts and transposes linalg named ops or
// generics, slices and concatenations tensor slice ops, gathers generics that
// read with tensor.extract, scatters scf.for nests over the update rows.
// Every size and offset comes from the slm types and DimsAttrs through
// `LoweringContext::dim`, so symbolic dims need no tensor.dim.
//
//===----------------------------------------------------------------------===//

#include "passes/conversion/SlmToLinalg.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace slm {

// Defined in Elementwise.cpp.
Value buildBroadcastGeneric(LoweringContext &ctx, Location loc, Type resultType,
                            ValueRange inputs,
                            function_ref<Value(OpBuilder &, Location, ValueRange)> body);

namespace {

SymbolicShape shapeOf(Type t) { return *getSymbolicShape(t); }
SymbolicShape shapeOf(Value v) { return shapeOf(v.getType()); }

/// A dim as an OpFoldResult: an index attribute when constant.
OpFoldResult foldDim(LoweringContext &ctx, Location loc, const DimExpr &d) {
  if (auto c = d.getConstant())
    return ctx.builder.getIndexAttr(*c);
  return ctx.dim(loc, d);
}

SmallVector<OpFoldResult> indexAttrs(OpBuilder &b, ArrayRef<int64_t> values) {
  SmallVector<OpFoldResult> out;
  for (int64_t v : values)
    out.push_back(b.getIndexAttr(v));
  return out;
}

Value indexConst(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

/// An integer index element (i64, i32, ...) as `index`, negative values
/// wrapped by adding `size`.
Value wrapIndex(OpBuilder &b, Location loc, Value idx, Value size) {
  if (!idx.getType().isIndex())
    idx = arith::IndexCastOp::create(b, loc, b.getIndexType(), idx);
  Value zero = indexConst(b, loc, 0);
  Value neg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, idx, zero);
  Value wrapped = arith::AddIOp::create(b, loc, idx, size);
  return arith::SelectOp::create(b, loc, neg, wrapped, idx);
}

/// Identity-mapped, all-parallel generic with no inputs writing `resultType`
/// (an slm type); `body` gets the output indices.
Value buildIndexGeneric(LoweringContext &ctx, Location loc, Type resultType,
                        function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  OpBuilder &b = ctx.builder;
  int64_t rank = cast<RankedTensorType>(resultType).getRank();
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(rank)};
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{LoweringContext::plain(resultType)}, ValueRange{},
      ValueRange{ctx.empty(loc, resultType)}, maps, iterators,
      [&](OpBuilder &nb, Location nl, ValueRange) {
        SmallVector<Value> ivs;
        for (int64_t i = 0; i < rank; ++i)
          ivs.push_back(linalg::IndexOp::create(nb, nl, i));
        linalg::YieldOp::create(nb, nl, body(nb, nl, ivs));
      });
  return generic.getResult(0);
}

/// Fails with a diagnostic when a symbol used by `op` (types and DimsAttr
/// attributes) has no value in this function.
LogicalResult checkSymbols(Operation *op, LoweringContext &ctx) {
  std::vector<std::string> names;
  auto addShape = [&](Type t) {
    if (auto s = getSymbolicShape(t))
      for (auto &d : *s)
        for (auto &n : d.symbols())
          names.push_back(n);
  };
  for (Type t : op->getOperandTypes())
    addShape(t);
  for (Type t : op->getResultTypes())
    addShape(t);
  for (NamedAttribute a : op->getAttrs())
    if (auto dims = dyn_cast<DimsAttr>(a.getValue()))
      for (auto &d : dims.getDims())
        for (auto &n : d.symbols())
          names.push_back(n);
  for (auto &n : names)
    if (!ctx.dim(op->getLoc(), DimExpr::symbol(n)))
      return op->emitError() << "symbol '" << n
                             << "' is not bound by the function's argument shapes";
  return success();
}

//===----------------------------------------------------------------------===//
// Reshape
//===----------------------------------------------------------------------===//

/// A run of input dims and a run of output dims with the same product.
struct Chunk {
  ReassociationIndices in, out;
};

/// Splits a reshape into contiguous chunks with equal products; nullopt
/// when the products cannot be matched symbolically (or there are zeros).
std::optional<SmallVector<Chunk>> matchChunks(const SymbolicShape &in,
                                              const SymbolicShape &out) {
  for (auto *s : {&in, &out})
    for (auto &d : *s)
      if (d == DimExpr(0))
        return std::nullopt;
  SmallVector<Chunk> chunks;
  int64_t i = 0, j = 0, ni = in.size(), no = out.size();
  while (i < ni && j < no) {
    Chunk c;
    DimExpr p = in[i], q = out[j];
    c.in.push_back(i++);
    c.out.push_back(j++);
    while (p != q) {
      if (i < ni && q.divExact(p)) {
        p = p * in[i];
        c.in.push_back(i++);
      } else if (j < no && p.divExact(q)) {
        q = q * out[j];
        c.out.push_back(j++);
      } else {
        return std::nullopt;
      }
    }
    chunks.push_back(std::move(c));
  }
  // Trailing unit dims join the last chunk.
  for (; i < ni; ++i) {
    if (in[i] != DimExpr(1) || chunks.empty())
      return std::nullopt;
    chunks.back().in.push_back(i);
  }
  for (; j < no; ++j) {
    if (out[j] != DimExpr(1) || chunks.empty())
      return std::nullopt;
    chunks.back().out.push_back(j);
  }
  return chunks;
}

bool allOnes(const SymbolicShape &s) {
  return llvm::all_of(s, [](const DimExpr &d) { return d == DimExpr(1); });
}

Value lowerReshapeTo(LoweringContext &ctx, Location loc, Value input, Type resultType) {
  OpBuilder &b = ctx.builder;
  Value src = ctx.get(input);
  auto outPlain = LoweringContext::plain(resultType);
  SymbolicShape in = shapeOf(input), out = shapeOf(resultType);
  if (in == out)
    return src;
  // `?` dims named by constants would confuse the reshape verifiers.
  auto isCanonical = [](Type t) {
    auto rt = cast<RankedTensorType>(t);
    for (auto [i, d] : llvm::enumerate(shapeOf(t)))
      if (rt.isDynamicDim(i) == d.isConstant())
        return false;
    return true;
  };
  bool canonical = isCanonical(input.getType()) && isCanonical(resultType);
  // Rank 0 on one side: the other side is all unit dims.
  if (canonical && in.empty() && allOnes(out))
    return tensor::ExpandShapeOp::create(b, loc, outPlain, src,
                                         ArrayRef<ReassociationIndices>{},
                                         ctx.mixedSizes(loc, resultType));
  if (canonical && out.empty() && allOnes(in))
    return tensor::CollapseShapeOp::create(b, loc, outPlain, src,
                                           ArrayRef<ReassociationIndices>{});
  if (auto chunks = matchChunks(in, out);
      chunks && canonical && !in.empty() && !out.empty()) {
    SmallVector<ReassociationIndices> inGroups, outGroups;
    SmallVector<int64_t> midShape;
    bool collapse = false, expand = false;
    for (auto &c : *chunks) {
      DimExpr p(1);
      for (int64_t k : c.in)
        p = p * in[k];
      midShape.push_back(p.getConstant() ? *p.getConstant() : ShapedType::kDynamic);
      collapse |= c.in.size() > 1;
      expand |= c.out.size() > 1;
      inGroups.push_back(c.in);
      outGroups.push_back(c.out);
    }
    Value v = src;
    if (collapse)
      v = tensor::CollapseShapeOp::create(
          b, loc, RankedTensorType::get(midShape, outPlain.getElementType()), v, inGroups);
    if (expand)
      v = tensor::ExpandShapeOp::create(b, loc, outPlain, v, outGroups,
                                        ctx.mixedSizes(loc, resultType));
    if (v.getType() != outPlain) // 1:1 chunks only: static-ness can only agree
      v = tensor::CastOp::create(b, loc, outPlain, v);
    return v;
  }
  // General case: tensor.reshape with the target shape as a tensor.
  SmallVector<Value> dims;
  for (auto &d : out)
    dims.push_back(ctx.dim(loc, d));
  Value shape = tensor::FromElementsOp::create(
      b, loc, RankedTensorType::get({(int64_t)dims.size()}, b.getIndexType()), dims);
  return tensor::ReshapeOp::create(b, loc, outPlain, src, shape);
}

//===----------------------------------------------------------------------===//
// Scatter helpers
//===----------------------------------------------------------------------===//

Value combineScalar(OpBuilder &b, Location loc, StringRef reduction, Value old, Value upd) {
  bool isFloat = isa<FloatType>(old.getType());
  bool isUnsigned = old.getType().isUnsignedInteger();
  if (reduction == "add")
    return isFloat ? (Value)arith::AddFOp::create(b, loc, old, upd)
                   : arith::AddIOp::create(b, loc, old, upd);
  if (reduction == "mul")
    return isFloat ? (Value)arith::MulFOp::create(b, loc, old, upd)
                   : arith::MulIOp::create(b, loc, old, upd);
  if (reduction == "max") {
    if (isFloat)
      return arith::MaximumFOp::create(b, loc, old, upd);
    return isUnsigned ? (Value)arith::MaxUIOp::create(b, loc, old, upd)
                      : arith::MaxSIOp::create(b, loc, old, upd);
  }
  if (reduction == "min") {
    if (isFloat)
      return arith::MinimumFOp::create(b, loc, old, upd);
    return isUnsigned ? (Value)arith::MinUIOp::create(b, loc, old, upd)
                      : arith::MinSIOp::create(b, loc, old, upd);
  }
  return upd;
}

FailureOr<Value> lowerScatterND(ScatterNDOp op, LoweringContext &ctx) {
  OpBuilder &b = ctx.builder;
  Location loc = op.getLoc();
  SymbolicShape d = shapeOf(op.getData()), q = shapeOf(op.getIndices());
  int64_t r = d.size(), qr = q.size();
  std::optional<int64_t> kc = qr ? q.back().getConstant() : std::nullopt;
  if (!kc || *kc > r || *kc < 0)
    return op.emitError("scatter_nd: the last indices dim must be a constant "
                        "<= the data rank"),
           failure();
  int64_t k = *kc;
  StringRef reduction = op.getReduction();
  Type elementType = cast<RankedTensorType>(op.getType()).getElementType();

  // Copy the data so the updates never write into an input buffer.
  Value init = linalg::CopyOp::create(b, loc, ValueRange{ctx.get(op.getData())},
                                      ValueRange{ctx.empty(loc, op.getType())})
                   .getResult(0);
  Value indices = ctx.get(op.getIndices()), updates = ctx.get(op.getUpdates());

  // Everything the loop body needs from outside, built before the loops.
  SmallVector<Value> lbs, ubs, steps;
  if (qr > 1) {
    Value zero = indexConst(b, loc, 0), one = indexConst(b, loc, 1);
    for (int64_t t = 0; t + 1 < qr; ++t) {
      lbs.push_back(zero);
      ubs.push_back(ctx.dim(loc, q[t]));
      steps.push_back(one);
    }
  }
  SmallVector<Value> axisSizes;
  for (int64_t t = 0; t < k; ++t)
    axisSizes.push_back(ctx.dim(loc, d[t]));
  SymbolicShape rest(d.begin() + k, d.end());
  Type restSlmType = getTensorType(b.getContext(), rest, elementType);
  auto restType = LoweringContext::plain(restSlmType);
  SmallVector<OpFoldResult> restSizes;
  Value restInit;
  if (k < r) {
    restSizes = ctx.mixedSizes(loc, restSlmType);
    if (reduction != "none")
      restInit = ctx.empty(loc, restSlmType);
  }

  auto body = [&](OpBuilder &nb, Location nl, ValueRange ivs,
                  ValueRange iters) -> scf::ValueVector {
    Value cur = iters[0];
    SmallVector<Value> pos;
    for (int64_t t = 0; t < k; ++t) {
      SmallVector<Value> at(ivs.begin(), ivs.end());
      at.push_back(indexConst(nb, nl, t));
      Value raw = tensor::ExtractOp::create(nb, nl, indices, at);
      pos.push_back(wrapIndex(nb, nl, raw, axisSizes[t]));
    }
    if (k == r) {
      Value u = tensor::ExtractOp::create(nb, nl, updates, ivs);
      if (reduction != "none")
        u = combineScalar(nb, nl, reduction,
                          tensor::ExtractOp::create(nb, nl, cur, pos), u);
      return {tensor::InsertOp::create(nb, nl, u, cur, pos).getResult()};
    }
    OpFoldResult zero = nb.getIndexAttr(0), one = nb.getIndexAttr(1);
    // The update row: updates[ivs..., :, ...].
    SmallVector<OpFoldResult> uOff(ivs.begin(), ivs.end()), uSizes(ivs.size(), one);
    uOff.append(r - k, zero);
    uSizes.append(restSizes.begin(), restSizes.end());
    SmallVector<OpFoldResult> uStrides(uOff.size(), one);
    Value u = tensor::ExtractSliceOp::create(nb, nl, restType, updates, uOff, uSizes, uStrides);
    // Its place in the data: cur[pos..., :, ...].
    SmallVector<OpFoldResult> dOff(pos.begin(), pos.end()), dSizes(k, one);
    dOff.append(r - k, zero);
    dSizes.append(restSizes.begin(), restSizes.end());
    SmallVector<OpFoldResult> dStrides(r, one);
    if (reduction != "none") {
      Value old = tensor::ExtractSliceOp::create(nb, nl, restType, cur, dOff, dSizes, dStrides);
      int64_t rr = r - k;
      SmallVector<AffineMap> maps(3, nb.getMultiDimIdentityMap(rr));
      SmallVector<utils::IteratorType> iterators(rr, utils::IteratorType::parallel);
      u = linalg::GenericOp::create(
              nb, nl, TypeRange{restType}, ValueRange{old, u}, ValueRange{restInit}, maps,
              iterators,
              [&](OpBuilder &bb, Location bl, ValueRange args) {
                linalg::YieldOp::create(
                    bb, bl, combineScalar(bb, bl, reduction, args[0], args[1]));
              })
              .getResult(0);
    }
    return {tensor::InsertSliceOp::create(nb, nl, u, cur, dOff, dSizes, dStrides)
                .getResult()};
  };
  scf::LoopNest nest = scf::buildLoopNest(b, loc, lbs, ubs, steps, ValueRange{init}, body);
  return nest.results[0];
}

} // namespace

FailureOr<bool> lowerDataMovement(Operation *op, LoweringContext &ctx) {
  Location loc = op->getLoc();
  OpBuilder &b = ctx.builder;

  if (isa<ShapeOp, DimsOp>(op))
    return op->emitError() << "'" << op->getName()
                           << "' must be folded away before the linalg lowering "
                              "(canonicalize; slm-verify-shapes-resolved reports "
                              "what is left)",
           failure();
  if (!isa<ReshapeOp, ExpandOp, TransposeOp, SqueezeOp, UnsqueezeOp, ConcatOp, SliceOp,
           SplitOp, GatherOp, GatherNDOp, ScatterNDOp, RangeOp, ConstantOfShapeOp, TriluOp>(
          op))
    return false;
  for (Type t : llvm::concat<Type>(op->getOperandTypes(), op->getResultTypes()))
    if (!getSymbolicShape(t))
      return op->emitError() << "type " << t
                             << " has a dynamic dim without a #slm.dims name",
             failure();
  if (failed(checkSymbols(op, ctx)))
    return failure();

  // Results get exactly the plain slm result type (a `?` dim whose name is a
  // constant, say, is not static here either).
  auto setResult = [&](Value result, Value v) {
    auto want = LoweringContext::plain(result.getType());
    if (v.getType() != want)
      v = tensor::CastOp::create(b, loc, want, v);
    ctx.set(result, v);
  };
  auto set = [&](Value v) {
    setResult(op->getResult(0), v);
    return true;
  };

  if (auto reshape = dyn_cast<ReshapeOp>(op)) {
    if (reshape.getShape())
      return op->emitError("slm.reshape still reads its shape from a tensor; it "
                           "must be absorbed into the result type before the "
                           "linalg lowering"),
             failure();
    return set(lowerReshapeTo(ctx, loc, reshape.getInput(), reshape.getType()));
  }

  if (auto expand = dyn_cast<ExpandOp>(op)) {
    if (expand.getShape())
      return op->emitError("slm.expand still reads its shape from a tensor; it "
                           "must be absorbed into the result type before the "
                           "linalg lowering"),
             failure();
    SymbolicShape in = shapeOf(expand.getInput()), out = shapeOf(expand.getType());
    int64_t lead = (int64_t)out.size() - (int64_t)in.size();
    if (lead < 0)
      return op->emitError("slm.expand to a lower rank"), failure();
    if (std::equal(in.begin(), in.end(), out.begin() + lead)) {
      if (lead == 0)
        return set(ctx.get(expand.getInput()));
      SmallVector<int64_t> dims = llvm::to_vector(llvm::seq<int64_t>(0, lead));
      auto bc = linalg::BroadcastOp::create(b, loc, ctx.get(expand.getInput()),
                                            ctx.empty(loc, expand.getType()), dims);
      return set(bc->getResult(0));
    }
    return set(buildBroadcastGeneric(ctx, loc, expand.getType(), {expand.getInput()},
                                     [](OpBuilder &, Location, ValueRange args) {
                                       return args[0];
                                     }));
  }

  if (auto tr = dyn_cast<TransposeOp>(op); tr && getQuantEncoding(tr.getType()))
    // Same canonical [n, k] bytes: the encoding's axis moved with the dims.
    return set(ctx.get(tr.getInput()));

  if (auto tr = dyn_cast<TransposeOp>(op)) {
    auto t = linalg::TransposeOp::create(b, loc, ctx.get(tr.getInput()),
                                         ctx.empty(loc, tr.getType()), tr.getPerm());
    return set(t->getResult(0));
  }

  if (auto sq = dyn_cast<SqueezeOp>(op)) {
    auto inType = LoweringContext::plain(sq.getInput().getType());
    Value v = ctx.get(sq.getInput());
    ArrayRef<int64_t> axes = sq.getAxes();
    // A squeezed `?` dim is 1: say so, for collapse_shape's verifier.
    SmallVector<int64_t> shape(inType.getShape());
    for (int64_t a : axes)
      shape[a] = 1;
    auto unitType = RankedTensorType::get(shape, inType.getElementType());
    if (unitType != inType)
      v = tensor::CastOp::create(b, loc, unitType, v);
    SmallVector<ReassociationIndices> groups =
        unitDimGroups(inType.getRank(), axes);
    return set(tensor::CollapseShapeOp::create(b, loc, LoweringContext::plain(sq.getType()),
                                               v, groups));
  }

  if (auto unsq = dyn_cast<UnsqueezeOp>(op)) {
    auto outType = LoweringContext::plain(unsq.getType());
    ArrayRef<int64_t> axes = unsq.getAxes();
    SmallVector<ReassociationIndices> groups =
        unitDimGroups(outType.getRank(), axes);
    return set(tensor::ExpandShapeOp::create(b, loc, outType, ctx.get(unsq.getInput()),
                                             groups, ctx.mixedSizes(loc, unsq.getType())));
  }

  if (auto concat = dyn_cast<ConcatOp>(op)) {
    int64_t axis = concat.getAxis();
    Value dest = ctx.empty(loc, concat.getType());
    DimExpr offset(0);
    for (Value in : concat.getInputs()) {
      SymbolicShape s = shapeOf(in);
      if (s[axis] == DimExpr(0))
        continue;
      SmallVector<OpFoldResult> offsets(s.size(), b.getIndexAttr(0));
      offsets[axis] = foldDim(ctx, loc, offset);
      SmallVector<OpFoldResult> strides(s.size(), b.getIndexAttr(1));
      dest = tensor::InsertSliceOp::create(b, loc, ctx.get(in), dest, offsets,
                                           ctx.mixedSizes(loc, in.getType()), strides);
      offset = offset + s[axis];
    }
    return set(dest);
  }

  if (auto slice = dyn_cast<SliceOp>(op)) {
    SymbolicShape starts = slice.getStarts().getDims();
    ArrayRef<int64_t> steps = slice.getSteps();
    Value src = ctx.get(slice.getInput());
    if (llvm::all_of(steps, [](int64_t s) { return s > 0; })) {
      SmallVector<OpFoldResult> offsets;
      for (auto &s : starts)
        offsets.push_back(foldDim(ctx, loc, s));
      return set(tensor::ExtractSliceOp::create(
          b, loc, LoweringContext::plain(slice.getType()), src, offsets,
          ctx.mixedSizes(loc, slice.getType()), indexAttrs(b, steps)));
    }
    // Negative steps: read input[start + i * step] element by element.
    SmallVector<Value> startValues;
    for (auto [i, s] : llvm::enumerate(starts))
      startValues.push_back(steps[i] == 1 && s == DimExpr(0) ? Value() : ctx.dim(loc, s));
    return set(buildIndexGeneric(
        ctx, loc, slice.getType(), [&](OpBuilder &nb, Location nl, ValueRange ivs) {
          SmallVector<Value> at;
          for (auto [i, iv] : llvm::enumerate(ivs)) {
            if (steps[i] == 1 && starts[i] == DimExpr(0)) {
              at.push_back(iv);
              continue;
            }
            Value scaled = steps[i] == 1 ? iv
                                         : arith::MulIOp::create(
                                               nb, nl, iv, indexConst(nb, nl, steps[i]))
                                               .getResult();
            at.push_back(arith::AddIOp::create(nb, nl, startValues[i], scaled));
          }
          return tensor::ExtractOp::create(nb, nl, src, at).getResult();
        }));
  }

  if (auto split = dyn_cast<SplitOp>(op)) {
    int64_t axis = split.getAxis();
    Value src = ctx.get(split.getInput());
    DimExpr offset(0);
    for (Value r : split.getResults()) {
      SymbolicShape s = shapeOf(r);
      SmallVector<OpFoldResult> offsets(s.size(), b.getIndexAttr(0));
      offsets[axis] = foldDim(ctx, loc, offset);
      SmallVector<OpFoldResult> strides(s.size(), b.getIndexAttr(1));
      setResult(r, tensor::ExtractSliceOp::create(b, loc, LoweringContext::plain(r.getType()),
                                                  src, offsets, ctx.mixedSizes(loc, r.getType()),
                                                  strides));
      offset = offset + s[axis];
    }
    return true;
  }

  if (auto gather = dyn_cast<GatherOp>(op);
      gather && getQuantEncoding(gather.getData().getType())) {
    // Rows of a quantized [N, K] table: wrap the indices into i64 [count],
    // one slm.quantized_gather, reshape to [indices..., K].
    auto dataType = cast<RankedTensorType>(gather.getData().getType());
    QuantAttr quant = getQuantEncoding(dataType);
    if (gather.getAxis() != 0 || dataType.getRank() != 2 || quant.getAxis() != 1)
      return op->emitError("only row lookups (axis 0) of a 2-D table quantized along its rows "
                           "are supported"),
             failure();
    int64_t n = dataType.getDimSize(0), k = dataType.getDimSize(1);
    SymbolicShape idx = shapeOf(gather.getIndices());
    int64_t q = idx.size();
    DimExpr count(1);
    for (const DimExpr &e : idx)
      count = count * e;
    Type i64 = b.getI64Type();
    Type flatType = getTensorType(b.getContext(), {count}, i64);
    Value indices = ctx.get(gather.getIndices());
    if (q == 0)
      indices = tensor::ExpandShapeOp::create(b, loc, LoweringContext::plain(flatType), indices,
                                              SmallVector<ReassociationIndices>{});
    else if (q > 1)
      indices = tensor::CollapseShapeOp::create(b, loc, indices, leadingGroup(q, q));
    Value rows = arith::ConstantIndexOp::create(b, loc, n);
    AffineMap id = b.getMultiDimIdentityMap(1);
    Value wrapped =
        linalg::GenericOp::create(
            b, loc, TypeRange{LoweringContext::plain(flatType)}, ValueRange{indices},
            ValueRange{ctx.empty(loc, flatType)}, SmallVector<AffineMap>{id, id},
            SmallVector<utils::IteratorType>{utils::IteratorType::parallel},
            [&](OpBuilder &nb, Location nl, ValueRange args) {
              Value w = wrapIndex(nb, nl, args[0], rows);
              linalg::YieldOp::create(nb, nl, arith::IndexCastOp::create(nb, nl, i64, w).getResult());
            })
            .getResult(0);
    Type rowsType = getTensorType(b.getContext(), {count, DimExpr(k)}, b.getF32Type());
    Value init = ctx.empty(loc, rowsType);
    Value out = QuantizedGatherOp::create(b, loc, TypeRange{init.getType()}, wrapped,
                                          ctx.get(gather.getData()), init, quant,
                                          b.getI64IntegerAttr(k), b.getI64IntegerAttr(n))
                    .getResult()[0];
    auto resultType = cast<RankedTensorType>(gather.getType());
    if (q == 0) // [1, K] -> [K]
      return set(tensor::CollapseShapeOp::create(b, loc, LoweringContext::plain(resultType), out,
                                                 SmallVector<ReassociationIndices>{{0, 1}}));
    if (q == 1)
      return set(out);
    return set(tensor::ExpandShapeOp::create(b, loc, LoweringContext::plain(resultType), out,
                                             leadingGroup(q, q + 1),
                                             ctx.mixedSizes(loc, resultType)));
  }

  if (auto gather = dyn_cast<GatherOp>(op)) {
    int64_t axis = gather.getAxis();
    SymbolicShape d = shapeOf(gather.getData());
    int64_t r = d.size();
    int64_t q = cast<RankedTensorType>(gather.getIndices().getType()).getRank();
    int64_t outRank = r - 1 + q;
    Value data = ctx.get(gather.getData());
    Value axisSize = ctx.dim(loc, d[axis]);
    SmallVector<AffineExpr> idxExprs;
    for (int64_t i = 0; i < q; ++i)
      idxExprs.push_back(b.getAffineDimExpr(axis + i));
    SmallVector<AffineMap> maps{AffineMap::get(outRank, 0, idxExprs, b.getContext()),
                                b.getMultiDimIdentityMap(outRank)};
    SmallVector<utils::IteratorType> iterators(outRank, utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        b, loc, TypeRange{LoweringContext::plain(gather.getType())},
        ValueRange{ctx.get(gather.getIndices())}, ValueRange{ctx.empty(loc, gather.getType())},
        maps, iterators, [&](OpBuilder &nb, Location nl, ValueRange args) {
          SmallVector<Value> at;
          for (int64_t i = 0; i < r; ++i) {
            if (i < axis)
              at.push_back(linalg::IndexOp::create(nb, nl, i));
            else if (i == axis)
              at.push_back(wrapIndex(nb, nl, args[0], axisSize));
            else
              at.push_back(linalg::IndexOp::create(nb, nl, i - 1 + q));
          }
          linalg::YieldOp::create(nb, nl,
                                  tensor::ExtractOp::create(nb, nl, data, at).getResult());
        });
    return set(generic.getResult(0));
  }

  if (auto gnd = dyn_cast<GatherNDOp>(op)) {
    SymbolicShape d = shapeOf(gnd.getData()), q = shapeOf(gnd.getIndices());
    int64_t r = d.size(), qr = q.size(), batch = gnd.getBatchDims();
    std::optional<int64_t> kc = qr ? q.back().getConstant() : std::nullopt;
    if (!kc || batch + *kc > r || batch > qr - 1)
      return op->emitError("gather_nd: the last indices dim must be a constant <= "
                           "data rank - batch_dims"),
             failure();
    int64_t k = *kc;
    Value data = ctx.get(gnd.getData()), indices = ctx.get(gnd.getIndices());
    SmallVector<Value> axisSizes;
    for (int64_t t = 0; t < k; ++t)
      axisSizes.push_back(ctx.dim(loc, d[batch + t]));
    return set(buildIndexGeneric(
        ctx, loc, gnd.getType(), [&](OpBuilder &nb, Location nl, ValueRange ivs) {
          SmallVector<Value> at(ivs.take_front(batch));
          for (int64_t t = 0; t < k; ++t) {
            SmallVector<Value> idxAt(ivs.take_front(qr - 1));
            idxAt.push_back(indexConst(nb, nl, t));
            Value raw = tensor::ExtractOp::create(nb, nl, indices, idxAt);
            at.push_back(wrapIndex(nb, nl, raw, axisSizes[t]));
          }
          llvm::append_range(at, ivs.drop_front(qr - 1));
          return tensor::ExtractOp::create(nb, nl, data, at).getResult();
        }));
  }

  if (auto scatter = dyn_cast<ScatterNDOp>(op)) {
    FailureOr<Value> r = lowerScatterND(scatter, ctx);
    if (failed(r))
      return failure();
    return set(*r);
  }

  if (auto range = dyn_cast<RangeOp>(op)) {
    Type elementType = cast<RankedTensorType>(range.getType()).getElementType();
    if (!elementType.isSignlessInteger() && !isa<FloatType, IndexType>(elementType))
      return op->emitError() << "range of " << elementType << " is not supported",
             failure();
    Value start = ctx.dim(loc, range.getStart().getDims()[0]);
    int64_t delta = range.getDelta();
    return set(buildIndexGeneric(
        ctx, loc, range.getType(), [&](OpBuilder &nb, Location nl, ValueRange ivs) {
          Value step = delta == 1 ? ivs[0]
                                  : arith::MulIOp::create(nb, nl, ivs[0],
                                                          indexConst(nb, nl, delta))
                                        .getResult();
          Value v = arith::AddIOp::create(nb, nl, start, step);
          if (isa<IndexType>(elementType))
            return v;
          if (isa<IntegerType>(elementType))
            return arith::IndexCastOp::create(nb, nl, elementType, v).getResult();
          Value i64 = arith::IndexCastOp::create(nb, nl, nb.getI64Type(), v);
          return arith::SIToFPOp::create(nb, nl, elementType, i64).getResult();
        }));
  }

  if (auto cos = dyn_cast<ConstantOfShapeOp>(op)) {
    if (cos.getShape())
      return op->emitError("slm.constant_of_shape still reads its shape from a "
                           "tensor; it must be absorbed into the result type "
                           "before the linalg lowering"),
             failure();
    Value scalar = arith::ConstantOp::create(b, loc, cos.getValue());
    auto fill = linalg::FillOp::create(b, loc, ValueRange{scalar},
                                       ValueRange{ctx.empty(loc, cos.getType())});
    return set(fill->getResult(0));
  }

  if (auto trilu = dyn_cast<TriluOp>(op)) {
    int64_t rank = cast<RankedTensorType>(trilu.getType()).getRank();
    Type elementType = cast<RankedTensorType>(trilu.getType()).getElementType();
    Value k = ctx.dim(loc, trilu.getK().getDims()[0]);
    bool upper = trilu.getUpper();
    return set(buildBroadcastGeneric(
        ctx, loc, trilu.getType(), {trilu.getInput()},
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value row = linalg::IndexOp::create(nb, nl, rank - 2);
          Value col = linalg::IndexOp::create(nb, nl, rank - 1);
          Value diff = arith::SubIOp::create(nb, nl, col, row);
          Value keep = arith::CmpIOp::create(
              nb, nl, upper ? arith::CmpIPredicate::sge : arith::CmpIPredicate::sle, diff, k);
          Value zero =
              arith::ConstantOp::create(nb, nl, cast<TypedAttr>(nb.getZeroAttr(elementType)));
          return arith::SelectOp::create(nb, nl, keep, args[0], zero).getResult();
        }));
  }

  return false;
}

} // namespace slm
