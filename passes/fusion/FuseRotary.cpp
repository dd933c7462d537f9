//===- FuseRotary.cpp - Decomposed rotary embeddings to slm.rotary --------===//
//
// out = x * cos + rot(x) * sin, where rot is
//   rotate-half:  concat(neg(x[..., h:r]), x[..., 0:h])            (Llama, Qwen2, Phi-3)
//   interleaved:  reshape(concat(unsqueeze(neg(x[..., 1::2])),
//                                unsqueeze(x[..., 0::2])))          (GPT-J style)
// and partial rotary, concat(rotary(x[..., 0:r]), x[..., r:D]), becomes one
// op with rotary_dim = r. cos/sin are whatever the graph computed: they stay
// outside the op.
//
//===----------------------------------------------------------------------===//

#include "passes/fusion/Passes.h"

#include "dialects/slm/IR/SlmOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace slm {
#define GEN_PASS_DEF_FUSEROTARY
#include "passes/fusion/Passes.h.inc"
} // namespace slm

using namespace mlir;
using namespace slm;

namespace {

int64_t rankOf(Value v) { return cast<RankedTensorType>(v.getType()).getRank(); }

/// If `v` is a slice of `x` along the last dim only (other dims whole),
/// returns {x, start, end, step} for the last dim.
struct LastDimSlice {
  Value source;
  int64_t start, end, step;
};
std::optional<LastDimSlice> matchLastDimSlice(Value v) {
  auto slice = v.getDefiningOp<SliceOp>();
  if (!slice)
    return std::nullopt;
  Value x = slice.getInput();
  auto shape = getSymbolicShape(x.getType());
  SymbolicShape starts = slice.getStarts().getDims(), ends = slice.getEnds().getDims();
  ArrayRef<int64_t> steps = slice.getSteps();
  int64_t rank = rankOf(x);
  if (!shape || (int64_t)starts.size() != rank)
    return std::nullopt;
  for (int64_t i = 0; i + 1 < rank; ++i)
    if (starts[i] != DimExpr(0) || ends[i] != (*shape)[i] || steps[i] != 1)
      return std::nullopt;
  auto s = starts.back().getConstant(), e = ends.back().getConstant();
  if (!s || !e)
    return std::nullopt;
  return LastDimSlice{x, *s, *e, steps.back()};
}

bool hasOneUse(Value v) { return v.hasOneUse(); }

/// The static last dim of `v`, or -1.
int64_t lastDim(Value v) { return cast<RankedTensorType>(v.getType()).getShape().back(); }

/// rotate-half: concat(neg(slice(x, h:2h)), slice(x, 0:h)) with 2h = the
/// last dim of x. Returns x.
Value matchRotateHalf(Value rot) {
  auto concat = rot.getDefiningOp<ConcatOp>();
  if (!concat || concat.getInputs().size() != 2 || concat.getAxis() != rankOf(rot) - 1)
    return nullptr;
  auto neg = concat.getInputs()[0].getDefiningOp<NegOp>();
  if (!neg || !hasOneUse(neg.getResult()) || !hasOneUse(concat.getInputs()[1]))
    return nullptr;
  auto hi = matchLastDimSlice(neg.getInput());
  auto lo = matchLastDimSlice(concat.getInputs()[1]);
  if (!hi || !lo || hi->source != lo->source || !hasOneUse(neg.getInput()))
    return nullptr;
  int64_t d = lastDim(hi->source);
  if (d <= 0 || d % 2 || hi->step != 1 || lo->step != 1 || lo->start != 0 ||
      lo->end != d / 2 || hi->start != d / 2 || hi->end != d)
    return nullptr;
  return hi->source;
}

/// interleaved: reshape(concat(unsqueeze(neg(x[..., 1::2]), -1),
/// unsqueeze(x[..., 0::2], -1), axis -1)) back to x's shape. Returns x.
Value matchRotateInterleaved(Value rot) {
  auto reshape = rot.getDefiningOp<ReshapeOp>();
  if (!reshape || reshape.getShape())
    return nullptr;
  auto concat = reshape.getInput().getDefiningOp<ConcatOp>();
  if (!concat || concat.getInputs().size() != 2 || !hasOneUse(concat.getResult()) ||
      concat.getAxis() != rankOf(concat.getResult()) - 1 || lastDim(concat.getResult()) != 2)
    return nullptr;
  auto unsqueezed = [](Value v) -> Value {
    auto u = v.getDefiningOp<UnsqueezeOp>();
    if (!u || !u.getResult().hasOneUse() || u.getAxes().size() != 1 ||
        u.getAxes()[0] != rankOf(v) - 1)
      return nullptr;
    return u.getInput();
  };
  Value first = unsqueezed(concat.getInputs()[0]), second = unsqueezed(concat.getInputs()[1]);
  if (!first || !second)
    return nullptr;
  auto neg = first.getDefiningOp<NegOp>();
  if (!neg || !neg.getResult().hasOneUse() || !second.hasOneUse())
    return nullptr;
  auto odd = matchLastDimSlice(neg.getInput());
  auto even = matchLastDimSlice(second);
  if (!odd || !even || odd->source != even->source || !neg.getInput().hasOneUse())
    return nullptr;
  int64_t d = lastDim(odd->source);
  if (d <= 0 || d % 2 || odd->step != 2 || even->step != 2 || odd->start != 1 ||
      even->start != 0 || odd->end < d - 1 || even->end < d - 1)
    return nullptr;
  if (rot.getType() != odd->source.getType())
    return nullptr;
  return odd->source;
}

/// add(mul(x, cos), mul(rot(x), sin)) in any operand order.
struct FuseRotaryPattern : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AddOp add, PatternRewriter &rewriter) const override {
    Type type = add.getType();
    auto elem = cast<RankedTensorType>(type).getElementType();
    if (!isa<FloatType>(elem) || rankOf(add.getResult()) < 2)
      return failure();
    for (int swapAdd = 0; swapAdd < 2; ++swapAdd) {
      auto direct = add->getOperand(swapAdd).getDefiningOp<MulOp>();
      auto rotated = add->getOperand(1 - swapAdd).getDefiningOp<MulOp>();
      if (!direct || !rotated || !direct.getResult().hasOneUse() ||
          !rotated.getResult().hasOneUse())
        continue;
      for (int swapRot = 0; swapRot < 2; ++swapRot) {
        Value rot = rotated->getOperand(swapRot), sin = rotated->getOperand(1 - swapRot);
        if (!rot.hasOneUse())
          continue;
        bool interleaved = false;
        Value x = matchRotateHalf(rot);
        if (!x && (x = matchRotateInterleaved(rot)))
          interleaved = true;
        if (!x || x.getType() != type)
          continue;
        Value cos;
        if (direct.getLhs() == x)
          cos = direct.getRhs();
        else if (direct.getRhs() == x)
          cos = direct.getLhs();
        else
          continue;
        // cos/sin must broadcast to x without changing its shape.
        auto cosT = cast<RankedTensorType>(cos.getType());
        if (cosT != sin.getType() || cosT.getRank() != rankOf(x) ||
            cosT.getShape().back() != lastDim(x) || cosT.getElementType() != elem)
          continue;
        auto xs = *getSymbolicShape(x.getType());
        auto cs = getSymbolicShape(cosT);
        if (!cs)
          continue;
        bool ok = true;
        for (size_t i = 0; i < xs.size(); ++i)
          ok &= (*cs)[i] == xs[i] || (*cs)[i] == DimExpr(1);
        if (!ok)
          continue;
        rewriter.replaceOpWithNewOp<RotaryOp>(add, type, x, cos, sin,
                                              rewriter.getI64IntegerAttr(lastDim(x)),
                                              rewriter.getBoolAttr(interleaved));
        return success();
      }
    }
    return failure();
  }
};

/// concat(rotary(x[..., 0:r]), x[..., r:D]) -> rotary(x) with rotary_dim r.
struct FusePartialRotaryPattern : OpRewritePattern<ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConcatOp concat, PatternRewriter &rewriter) const override {
    if (concat.getInputs().size() != 2 || concat.getAxis() != rankOf(concat.getResult()) - 1)
      return failure();
    auto rotary = concat.getInputs()[0].getDefiningOp<RotaryOp>();
    if (!rotary || !rotary.getResult().hasOneUse() ||
        rotary.getRotaryDim() != lastDim(rotary.getX()))
      return failure();
    auto rotated = matchLastDimSlice(rotary.getX());
    auto pass = matchLastDimSlice(concat.getInputs()[1]);
    if (!rotated || !pass || rotated->source != pass->source ||
        rotated->source.getType() != concat.getType() || rotated->step != 1 ||
        pass->step != 1 || rotated->start != 0 || pass->start != rotated->end ||
        pass->end != lastDim(concat.getResult()) || !rotary.getX().hasOneUse() ||
        !concat.getInputs()[1].hasOneUse())
      return failure();
    rewriter.replaceOpWithNewOp<RotaryOp>(concat, concat.getType(), rotated->source,
                                          rotary.getCos(), rotary.getSin(),
                                          rotary.getRotaryDimAttr(),
                                          rotary.getInterleavedAttr());
    return success();
  }
};

struct FuseRotaryPass : slm::impl::FuseRotaryBase<FuseRotaryPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseRotaryPattern, FusePartialRotaryPattern>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
