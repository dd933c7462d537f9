//===- FuseAttention.cpp - Decomposed attention to slm.attention ----------===//
//
// Matched from the root `matmul(softmax(scores, last axis), V)`:
//   scores = matmul(q, transpose(K, 0 1 3 2)) [* scale | / c] [+ mask]
//   K, V   = GQA-repeated (reshape(expand(unsqueeze(x, 2)))) or plain
//            [B, H, T, D], each concat(past, new) along the sequence or new
//   mask   = where(cond, 0, <lowest f32 or -inf>), cond an `and` of
//            * key position <= query position, or < query position + 1
//              (ranges: keys 0..T-1 on the last axis, queries T-S..T-1 on
//              the one before): causal;
//            * gather_nd(cast(attention_mask to i1), (batch, key)): padding;
//            * transformers' packed-sequence test on position ids that come
//              from a Range (always true);
//            * constant true;
//            * a slice bias[.., T-S:T, 0:T] of a constant lower-triangular
//              boolean (TorchScript GPT-2's `bias` buffer): causal;
//            or the mask is triu(full([S, T], lowest), T - S + 1) broadcast
//            (TorchScript Llama): causal; or concat(zeros, causal mask)
//            over the past's columns (transformers 4.3x); or the scores go through
//            where(cond, scores, lowest) instead of an added mask (GPT-2).
// Scale factors on q or on K (splat constants) multiply into `scale`. Every
// intermediate must be used only inside the pattern (the caches may have
// other users: they become the op's present results). Anything else (a
// non-causal constant mask, softmax over another axis) is left alone.
//
//===----------------------------------------------------------------------===//

#include "passes/fusion/Passes.h"

#include "dialects/slm/IR/SlmOps.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace slm {
#define GEN_PASS_DEF_FUSEATTENTION
#include "passes/fusion/Passes.h.inc"
} // namespace slm

using namespace mlir;
using namespace slm;

namespace {

int64_t rankOf(Value v) { return cast<RankedTensorType>(v.getType()).getRank(); }
SymbolicShape shapeOf(Value v) { return *getSymbolicShape(v.getType()); }

std::optional<double> splatFloat(Value v) {
  DenseElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) || !attr.isSplat() ||
      !isa<FloatType>(attr.getElementType()))
    return std::nullopt;
  return attr.getSplatValue<APFloat>().convertToDouble();
}

std::optional<int64_t> splatInt(Value v) {
  if (auto expand = v.getDefiningOp<ExpandOp>())
    return splatInt(expand.getInput());
  if (auto known = getKnownValues(v)) {
    if (known->values.empty())
      return std::nullopt;
    auto first = known->values[0].getConstant();
    for (auto &x : known->values)
      if (x.getConstant() != first)
        return std::nullopt;
    return first;
  }
  DenseElementsAttr attr;
  if (matchPattern(v, m_Constant(&attr)) && attr.isSplat() && attr.getElementType().isInteger(1))
    return attr.getSplatValue<bool>() ? 1 : 0;
  return std::nullopt;
}

/// A delta-1 range broadcast along one axis of `v` (through unsqueeze and
/// expand): its start and that axis.
struct RangeAlong {
  DimExpr start;
  int64_t axis;
};
std::optional<RangeAlong> matchRangeAlong(Value v) {
  if (auto range = v.getDefiningOp<RangeOp>()) {
    if (range.getDelta() != 1 || range.getStart().size() != 1)
      return std::nullopt;
    return RangeAlong{range.getStart().getDims()[0], 0};
  }
  if (auto u = v.getDefiningOp<UnsqueezeOp>()) {
    auto inner = matchRangeAlong(u.getInput());
    if (!inner)
      return std::nullopt;
    // Output position of input axis `a`: skip the inserted axes.
    int64_t out = 0, seen = -1;
    for (; out < rankOf(v); ++out) {
      if (llvm::is_contained(u.getAxes(), out))
        continue;
      if (++seen == inner->axis)
        break;
    }
    inner->axis = out;
    return inner;
  }
  if (auto r = v.getDefiningOp<ReshapeOp>()) {
    // A reshape of a 1-D range that only adds unit dims: [S] -> [S, 1].
    auto inner = matchRangeAlong(r.getInput());
    if (r.getShape() || !inner || rankOf(r.getInput()) != 1)
      return std::nullopt;
    ArrayRef<int64_t> dims = cast<RankedTensorType>(v.getType()).getShape();
    auto isOne = [](int64_t d) { return d == 1; };
    if (llvm::count_if(dims, isOne) != (int64_t)dims.size() - 1)
      return std::nullopt;
    inner->axis = llvm::find_if_not(dims, isOne) - dims.begin();
    if (shapeOf(v)[inner->axis] != shapeOf(r.getInput())[0])
      return std::nullopt;
    return inner;
  }
  if (auto e = v.getDefiningOp<ExpandOp>()) {
    if (e.getShape())
      return std::nullopt;
    auto inner = matchRangeAlong(e.getInput());
    if (!inner)
      return std::nullopt;
    int64_t lead = rankOf(v) - rankOf(e.getInput());
    inner->axis += lead;
    // The range's own dim must not be broadcast.
    if (shapeOf(v)[inner->axis] != shapeOf(e.getInput())[inner->axis - lead])
      return std::nullopt;
    return inner;
  }
  return std::nullopt;
}

/// transformers' packed-sequence ids: cumsum(not(diff(positions) == 1)) of
/// positions that are a delta-1 range: zero everywhere.
bool isConstantPackedSequenceIds(Value c) {
  auto cumsum = c.getDefiningOp<CumSumOp>();
  if (!cumsum)
    return false;
  Value v = cumsum.getInput();
  if (auto cast = v.getDefiningOp<CastOp>())
    v = cast.getInput();
  auto notOp = v.getDefiningOp<NotOp>();
  if (!notOp)
    return false;
  auto eq = notOp.getInput().getDefiningOp<EqualOp>();
  if (!eq)
    return false;
  auto diff = eq.getLhs().getDefiningOp<SubOp>();
  std::optional<int64_t> one = splatInt(eq.getRhs());
  if (!diff) {
    diff = eq.getRhs().getDefiningOp<SubOp>();
    one = splatInt(eq.getLhs());
  }
  if (!diff || one != 1)
    return false;
  auto hi = diff.getLhs().getDefiningOp<SliceOp>(), lo = diff.getRhs().getDefiningOp<SliceOp>();
  if (!hi || !lo || hi.getInput() != lo.getInput() || rankOf(hi.getInput()) != 2)
    return false;
  SymbolicShape hs = hi.getStarts().getDims(), ls = lo.getStarts().getDims();
  SymbolicShape he = hi.getEnds().getDims(), le = lo.getEnds().getDims();
  if (hs[1] != DimExpr(1) || ls[1] != DimExpr(0) || he[1] - hs[1] != le[1] - ls[1] ||
      hi.getSteps()[1] != 1 || lo.getSteps()[1] != 1)
    return false;
  // y = concat(p[:, 0:1] - 1, p) with p a range along axis 1.
  auto concat = hi.getInput().getDefiningOp<ConcatOp>();
  if (!concat || concat.getAxis() != 1 || concat.getInputs().size() != 2)
    return false;
  Value positions = concat.getInputs()[1];
  auto range = matchRangeAlong(positions);
  if (!range || range->axis != 1)
    return false;
  auto first = concat.getInputs()[0].getDefiningOp<SubOp>();
  if (!first || splatInt(first.getRhs()) != 1)
    return false;
  auto firstSlice = first.getLhs().getDefiningOp<SliceOp>();
  return firstSlice && firstSlice.getInput() == positions &&
         firstSlice.getStarts().getDims()[1] == DimExpr(0) &&
         firstSlice.getEnds().getDims()[1] == DimExpr(1);
}

/// A float that masks a score out: finfo.min, -inf, or anything below -1e30.
bool isMaskedOutValue(std::optional<double> v) { return v && *v <= -1e30; }

/// TorchScript Llama: broadcast(triu(full([S, T], finfo.min), T - S + 1)):
/// the lowest float above the causal diagonal, 0 on and below it.
bool isCausalTriuMask(Value mask, const DimExpr &s, const DimExpr &t) {
  // Unsqueezes that only add leading axes keep [.., S, T].
  while (auto u = mask.getDefiningOp<UnsqueezeOp>()) {
    if (!llvm::all_of(u.getAxes(), [&](int64_t a) { return a < rankOf(mask) - 2; }))
      return false;
    mask = u.getInput();
  }
  auto trilu = mask.getDefiningOp<TriluOp>();
  if (!trilu || !trilu.getUpper() || rankOf(mask) < 2 || trilu.getK().size() != 1 ||
      trilu.getK().getDims()[0] != t - s + DimExpr(1))
    return false;
  SymbolicShape shape = shapeOf(mask);
  if (shape[shape.size() - 2] != s || shape.back() != t)
    return false;
  Value full = trilu.getInput();
  if (auto fill = full.getDefiningOp<ConstantOfShapeOp>()) {
    auto value = dyn_cast<FloatAttr>(fill.getValue());
    return value && isMaskedOutValue(value.getValueAsDouble());
  }
  return isMaskedOutValue(splatFloat(full));
}

/// TorchScript GPT-2: bias[..., T - S:T, 0:T] (through nested step-1
/// slices) of a constant lower-triangular boolean `bias`: key <= query.
bool isCausalTrilSlice(Value cond, const DimExpr &s, const DimExpr &t) {
  int64_t rank = rankOf(cond);
  if (rank < 2 || !cast<RankedTensorType>(cond.getType()).getElementType().isInteger(1))
    return false;
  SymbolicShape shape = shapeOf(cond);
  if (shape[rank - 2] != s || shape[rank - 1] != t)
    return false;
  SmallVector<DimExpr> offset(rank, DimExpr(0));
  Value v = cond;
  // A cast to bool of an integer buffer (older GPT-2 code keeps it uint8),
  // before or after the slices.
  auto throughCast = [](Value x) -> Value {
    if (auto cast = x.getDefiningOp<CastOp>();
        cast && isa<IntegerType>(cast.getInput().getType().getElementType()))
      return cast.getInput();
    return x;
  };
  v = throughCast(v);
  while (auto slice = v.getDefiningOp<SliceOp>()) {
    if (llvm::any_of(slice.getSteps(), [](int64_t st) { return st != 1; }))
      return false;
    SymbolicShape starts = slice.getStarts().getDims();
    for (int64_t i = 0; i < rank; ++i)
      offset[i] = offset[i] + starts[i];
    v = slice.getInput();
  }
  // Element (.., i, j) of cond is bias[.., rowOff + i, j]: causal when
  // rowOff = T - S and bias[r][c] = (c <= r).
  if (offset[rank - 2] != t - s || offset[rank - 1] != DimExpr(0))
    return false;
  v = throughCast(v);
  // tril(ones), as the importer keeps a large triangular buffer.
  if (auto trilu = v.getDefiningOp<TriluOp>()) {
    DenseElementsAttr ones;
    return !trilu.getUpper() && trilu.getK().getDims() == SymbolicShape{DimExpr(0)} &&
           matchPattern(trilu.getInput(), m_Constant(&ones)) && ones.isSplat() &&
           !ones.getSplatValue<APInt>().isZero() &&
           shapeOf(v)[rank - 2] == shapeOf(v)[rank - 1];
  }
  DenseElementsAttr bias;
  if (!matchPattern(v, m_Constant(&bias)) || !bias.getElementType().isInteger(1))
    return false;
  auto biasType = cast<RankedTensorType>(bias.getType());
  int64_t rows = biasType.getShape()[rank - 2], cols = biasType.getShape()[rank - 1];
  if (bias.isSplat())
    return false;
  int64_t idx = 0;
  for (bool b : bias.getValues<bool>()) {
    int64_t c = idx % cols, r = (idx / cols) % rows;
    if (b != (c <= r))
      return false;
    ++idx;
  }
  return true;
}

struct MaskInfo {
  bool causal = false;
  Value attentionMask; // [B, >=T] integer, for padding
};

bool analyzeCondition(Value cond, const DimExpr &s, const DimExpr &t, MaskInfo &info);

/// The fill value of a splat constant or of a constant_of_shape.
std::optional<double> fillValue(Value v) {
  if (auto fill = v.getDefiningOp<ConstantOfShapeOp>()) {
    if (auto value = dyn_cast<FloatAttr>(fill.getValue()))
      return value.getValueAsDouble();
    return std::nullopt;
  }
  return splatFloat(v);
}

/// An additive mask [.., S, T] (0 = visible, lowest = hidden):
///   where(cond, 0, lowest), cond as analyzeCondition reads it;
///   triu(full(lowest), T - S + 1);
///   concat(zeros [.., S, P], m [.., S, T - P]) on the last axis, m a mask
///   of this list (transformers 4.3x prepends the past's columns);
/// each under unsqueezes and expands that keep the last two dims.
bool analyzeAdditiveMask(Value mask, const DimExpr &s, const DimExpr &t, MaskInfo &info) {
  while (true) {
    int64_t rank = rankOf(mask);
    if (auto u = mask.getDefiningOp<UnsqueezeOp>()) {
      if (!llvm::all_of(u.getAxes(), [&](int64_t a) { return a < rank - 2; }))
        return false;
      mask = u.getInput();
      continue;
    }
    if (auto e = mask.getDefiningOp<ExpandOp>()) {
      int64_t inRank = rankOf(e.getInput());
      if (e.getShape() || inRank < 2 ||
          ArrayRef(shapeOf(mask)).take_back(2) != ArrayRef(shapeOf(e.getInput())).take_back(2))
        return false;
      mask = e.getInput();
      continue;
    }
    break;
  }
  int64_t rank = rankOf(mask);
  if (rank < 2)
    return false;
  SymbolicShape shape = shapeOf(mask);
  if (shape[rank - 2] != s || shape[rank - 1] != t)
    return false;
  if (isCausalTriuMask(mask, s, t)) {
    info.causal = true;
    return true;
  }
  if (auto concat = mask.getDefiningOp<ConcatOp>()) {
    if (concat.getAxis() != rank - 1 || concat.getInputs().size() != 2 ||
        fillValue(concat.getInputs()[0]) != 0.0)
      return false;
    Value rest = concat.getInputs()[1];
    DimExpr past = shapeOf(concat.getInputs()[0])[rank - 1];
    MaskInfo inner;
    // Visible past columns keep the mask causal only if it was causal.
    if (!analyzeAdditiveMask(rest, s, t - past, inner) || !inner.causal || inner.attentionMask)
      return false;
    info.causal = true;
    return true;
  }
  if (auto where = mask.getDefiningOp<WhereOp>()) {
    if (fillValue(where.getX()) != 0.0 || !isMaskedOutValue(fillValue(where.getY())))
      return false;
    return analyzeCondition(where.getCondition(), s, t, info);
  }
  return false;
}

/// Analyzes a boolean `cond` [.., S, T] (true = visible).
bool analyzeCondition(Value cond, const DimExpr &s, const DimExpr &t, MaskInfo &info) {
  if (splatInt(cond) == 1)
    return true;
  int64_t rank = rankOf(cond);
  if (auto a = cond.getDefiningOp<AndOp>())
    return analyzeCondition(a.getLhs(), s, t, info) && analyzeCondition(a.getRhs(), s, t, info);
  // key <= query, or key < query + 1 (transformers 4.3x's
  // `arange < (arange + 1).view(S, 1)`).
  Value key, query;
  bool strict = false;
  if (auto le = cond.getDefiningOp<LessOrEqualOp>())
    key = le.getLhs(), query = le.getRhs();
  else if (auto ge = cond.getDefiningOp<GreaterOrEqualOp>())
    key = ge.getRhs(), query = ge.getLhs();
  else if (auto lt = cond.getDefiningOp<LessOp>())
    key = lt.getLhs(), query = lt.getRhs(), strict = true;
  else if (auto gt = cond.getDefiningOp<GreaterOp>())
    key = gt.getRhs(), query = gt.getLhs(), strict = true;
  if (key) {
    auto k = matchRangeAlong(key), q = matchRangeAlong(query);
    if (!k || !q || rank < 2 || rankOf(key) > rank || rankOf(query) > rank)
      return false;
    // Broadcasting aligns the operands on their last axes.
    int64_t kr = rankOf(key), qr = rankOf(query);
    if (kr - k->axis != 1 || qr - q->axis != 2 || k->start != DimExpr(0) ||
        q->start != t - s + DimExpr(strict ? 1 : 0) || shapeOf(key)[kr - 1] != t ||
        shapeOf(query)[qr - 2] != s)
      return false;
    info.causal = true;
    return true;
  }
  if (isCausalTrilSlice(cond, s, t)) {
    info.causal = true;
    return true;
  }
  if (auto gather = cond.getDefiningOp<GatherNDOp>()) {
    // gather_nd(cast(mask, i1), indices[..., 2] = (batch, key)).
    auto cast = gather.getData().getDefiningOp<CastOp>();
    if (!cast || gather.getBatchDims() != 0 || rankOf(cast.getInput()) != 2 ||
        rankOf(gather.getResult()) != rank)
      return false;
    auto idx = gather.getIndices().getDefiningOp<ConcatOp>();
    int64_t ir = rankOf(gather.getIndices());
    if (!idx || idx.getAxis() != ir - 1 || idx.getInputs().size() != 2)
      return false;
    auto strip = [&](Value v) -> Value {
      auto u = v.getDefiningOp<UnsqueezeOp>();
      return u && u.getAxes().size() == 1 && u.getAxes()[0] == ir - 1 ? u.getInput() : Value();
    };
    Value batch = strip(idx.getInputs()[0]), keyIdx = strip(idx.getInputs()[1]);
    if (!batch || !keyIdx)
      return false;
    auto k = matchRangeAlong(keyIdx);
    if (!k || k->axis != rank - 1 || k->start != DimExpr(0) || shapeOf(keyIdx)[rank - 1] != t)
      return false;
    auto b = matchRangeAlong(batch);
    bool batchOk = (b && b->axis == 0 && b->start == DimExpr(0)) ||
                   (splatInt(batch) == 0 && shapeOf(cast.getInput())[0] == DimExpr(1));
    if (!batchOk || (info.attentionMask && info.attentionMask != cast.getInput()))
      return false;
    info.attentionMask = cast.getInput();
    return true;
  }
  if (auto eq = cond.getDefiningOp<EqualOp>()) {
    auto a = eq.getLhs().getDefiningOp<GatherNDOp>(), b = eq.getRhs().getDefiningOp<GatherNDOp>();
    return a && b && a.getData() == b.getData() && isConstantPackedSequenceIds(a.getData());
  }
  return false;
}

/// K or V [B, Hq, T, D] as GQA-repeated from [B, Hkv, T, D]: the source.
Value stripRepeatKv(Value v, int64_t hq, SmallVectorImpl<Operation *> &chain) {
  auto reshape = v.getDefiningOp<ReshapeOp>();
  if (!reshape || reshape.getShape() || rankOf(v) != 4)
    return v;
  auto expand = reshape.getInput().getDefiningOp<ExpandOp>();
  if (!expand || expand.getShape() || rankOf(expand.getResult()) != 5)
    return v;
  auto unsq = expand.getInput().getDefiningOp<UnsqueezeOp>();
  if (!unsq || unsq.getAxes().size() != 1 || unsq.getAxes()[0] != 2)
    return v;
  SymbolicShape e = shapeOf(expand.getResult()), s = shapeOf(unsq.getInput());
  if (e[0] != s[0] || e[1] != s[1] || e[3] != s[2] || e[4] != s[3] ||
      e[1] * e[2] != DimExpr(hq))
    return v;
  if (!reshape.getInput().hasOneUse() || !expand.getInput().hasOneUse() || !v.hasOneUse())
    return v;
  chain.append({reshape, expand, unsq});
  return unsq.getInput();
}

/// Peels splat-constant multiplies/divides off `v`, folding them into `scale`.
Value peelScale(Value v, double &scale) {
  while (true) {
    if (auto mul = v.getDefiningOp<MulOp>()) {
      if (!mul.getResult().hasOneUse())
        return v;
      if (auto c = splatFloat(mul.getRhs()); c && rankOf(mul.getRhs()) <= rankOf(v)) {
        scale *= *c, v = mul.getLhs();
        continue;
      }
      if (auto c = splatFloat(mul.getLhs()); c && rankOf(mul.getLhs()) <= rankOf(v)) {
        scale *= *c, v = mul.getRhs();
        continue;
      }
      return v;
    }
    if (auto div = v.getDefiningOp<DivOp>()) {
      auto c = splatFloat(div.getRhs());
      if (!div.getResult().hasOneUse() || !c || *c == 0.0)
        return v;
      scale /= *c, v = div.getLhs();
      continue;
    }
    return v;
  }
}

struct FuseAttentionPattern : OpRewritePattern<MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatMulOp root, PatternRewriter &rewriter) const override {
    auto softmax = root.getLhs().getDefiningOp<SoftmaxOp>();
    if (!softmax || !softmax.getResult().hasOneUse() || rankOf(root.getResult()) != 4 ||
        rankOf(softmax.getResult()) != 4 || softmax.getAxis() != 3)
      return rewriter.notifyMatchFailure(root, "not matmul(softmax over the last axis, V)");
    if (!isa<FloatType>(cast<RankedTensorType>(root.getType()).getElementType()))
      return failure();
    SymbolicShape out = shapeOf(root.getResult());
    auto hq = out[1].getConstant();
    if (!hq)
      return failure();
    SmallVector<Operation *> chain;

    // scores = [scale](q . K^T) [+ mask]
    Value scores = softmax.getInput();
    MaskInfo mask;
    SymbolicShape sshape = shapeOf(scores);
    DimExpr s = sshape[2], t = sshape[3];
    if (auto where = scores.getDefiningOp<WhereOp>()) {
      // where(visible, scores, lowest) (GPT-2's torch.where on its bias).
      MaskInfo info;
      if (!where.getResult().hasOneUse() || !isMaskedOutValue(splatFloat(where.getY())) ||
          where.getX().getType() != scores.getType() ||
          !analyzeCondition(where.getCondition(), s, t, info) ||
          (info.attentionMask && !info.causal))
        return rewriter.notifyMatchFailure(root, "where-mask is not causal/padding");
      mask = info;
      scores = where.getX();
    } else if (auto add = scores.getDefiningOp<AddOp>()) {
      if (!add.getResult().hasOneUse())
        return failure();
      bool matched = false;
      for (int i = 0; i < 2 && !matched; ++i) {
        MaskInfo info;
        if (!analyzeAdditiveMask(add->getOperand(1 - i), s, t, info) ||
            (info.attentionMask && !info.causal))
          continue;
        mask = info;
        scores = add->getOperand(i);
        matched = true;
      }
      if (!matched)
        return rewriter.notifyMatchFailure(root, "mask is not causal/padding");
    }
    double scale = 1.0;
    scores = peelScale(scores, scale);
    auto qk = scores.getDefiningOp<MatMulOp>();
    if (!qk || !qk.getResult().hasOneUse() || rankOf(qk.getResult()) != 4)
      return failure();
    Value q = peelScale(qk.getLhs(), scale);
    Value kt = peelScale(qk.getRhs(), scale);
    auto transpose = kt.getDefiningOp<TransposeOp>();
    if (!transpose || !kt.hasOneUse())
      return failure();
    // K^T straight from [B, T, H, D] (the importer merged the head
    // transpose into this one, GPT-2): K is made by a transpose of our own.
    bool fromBthd = transpose.getPerm() == ArrayRef<int64_t>{0, 2, 3, 1};
    if (!fromBthd && transpose.getPerm() != ArrayRef<int64_t>{0, 1, 3, 2})
      return failure();
    Value kFull = peelScale(transpose.getInput(), scale);
    if (fromBthd && (kFull != transpose.getInput() || rankOf(kFull) != 4))
      return failure();
    Value k4 = fromBthd ? Value() : stripRepeatKv(kFull, *hq, chain);
    Value v4 = stripRepeatKv(root.getRhs(), *hq, chain);
    if (rankOf(q) != 4 || (k4 && rankOf(k4) != 4) || rankOf(v4) != 4)
      return failure();
    // q [B, Hq, S, D]; k4, v4 [B, Hkv, T, D].
    SymbolicShape qs = shapeOf(q), ks;
    if (fromBthd) {
      SymbolicShape in = shapeOf(kFull);
      ks = {in[0], in[2], in[1], in[3]};
    } else {
      ks = shapeOf(k4);
    }
    if (qs != out || ks != shapeOf(v4) || ks[2] != t || qs[2] != s || ks[3] != qs[3])
      return failure();
    if (fromBthd && (ks[2] != s || v4.getDefiningOp<ConcatOp>()))
      return failure();

    Value k = k4, v = v4, pastK, pastV;
    auto kCat = k4 ? k4.getDefiningOp<ConcatOp>() : ConcatOp(), vCat = v4.getDefiningOp<ConcatOp>();
    if (kCat && vCat && kCat.getAxis() == 2 && vCat.getAxis() == 2 &&
        kCat.getInputs().size() == 2 && vCat.getInputs().size() == 2) {
      pastK = kCat.getInputs()[0], k = kCat.getInputs()[1];
      pastV = vCat.getInputs()[0], v = vCat.getInputs()[1];
      if (shapeOf(k)[2] != s || shapeOf(v)[2] != s)
        return failure();
    } else if (ks[2] != s) {
      return rewriter.notifyMatchFailure(root, "keys are neither this step's nor a concat");
    }
    // Uses of the caches before the root would not see the new op's results.
    for (Value cache : {k4, v4}) {
      if (!cache)
        continue;
      for (Operation *user : cache.getUsers())
        if (!llvm::is_contained(chain, user) && user != transpose && user != root &&
            user->getBlock() == root->getBlock() && user->isBeforeInBlock(root))
          return failure();
    }

    StringRef mode = mask.attentionMask ? "causal+padding" : mask.causal ? "causal" : "none";
    rewriter.setInsertionPoint(root);
    if (fromBthd)
      k = k4 = TransposeOp::create(rewriter, transpose.getLoc(), kFull,
                                   rewriter.getDenseI64ArrayAttr({0, 2, 1, 3}));
    auto attention = AttentionOp::create(
        rewriter, root.getLoc(),
        TypeRange{root.getType(), k4.getType(), v4.getType()}, q, k, v, pastK, pastV,
        mask.attentionMask, rewriter.getStringAttr(mode), rewriter.getF64FloatAttr(scale));
    if (pastK) {
      // Other readers of the caches (the graph outputs) take the present
      // results; the matched chain dies with the root.
      for (auto pair : {std::pair{k4, attention.getPresentKey()},
                        std::pair{v4, attention.getPresentValue()}})
        for (OpOperand &use : llvm::make_early_inc_range(pair.first.getUses())) {
          Operation *user = use.getOwner();
          if (!llvm::is_contained(chain, user) && user != transpose && user != root)
            rewriter.modifyOpInPlace(user, [&] { use.set(pair.second); });
        }
    }
    rewriter.replaceOp(root, attention.getOutput());
    return success();
  }
};

struct FuseAttentionPass : slm::impl::FuseAttentionBase<FuseAttentionPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseAttentionPattern>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
