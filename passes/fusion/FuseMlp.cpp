//===- FuseMlp.cpp - gated MLP -> slm.gated_mlp -----------------------------===//
//
// down(act(x . w_gate) * (x . w_up)) with the projections as slm.matmul on a
// 2-D weight; or, Phi-3 style, one x . w_gate_up split into its two halves
// (gate first). The activation must already be slm.silu / slm.gelu
// (slm-fuse-activations runs first).
//
//===----------------------------------------------------------------------===//

#include "passes/fusion/FusionUtils.h"
#include "passes/fusion/Passes.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace slm {
#define GEN_PASS_DEF_FUSEMLP
#include "passes/fusion/Passes.h.inc"
} // namespace slm

using namespace mlir;
using namespace slm;
using namespace slm::fusion;

namespace {

bool isStaticMatrix(Value w) {
  auto t = dyn_cast<RankedTensorType>(w.getType());
  return t && t.getRank() == 2 && t.hasStaticShape();
}

/// x . w with a static 2-D w, used once (or only by `users`).
MatMulOp projection(Value v, ArrayRef<Operation *> users = {}) {
  auto mm = v.getDefiningOp<MatMulOp>();
  if (!mm || !isStaticMatrix(mm.getRhs()) ||
      !(users.empty() ? v.hasOneUse() : usedOnlyBy(v, users)))
    return {};
  auto x = cast<RankedTensorType>(mm.getLhs().getType());
  return x.getRank() >= 2 ? mm : MatMulOp();
}

/// `v` = slice(src) of the last-dim range starting at `start` (all other
/// dims whole, unit steps); the size comes from v's type. Returns src.
Value lastDimSliceFrom(Value v, int64_t start) {
  auto slice = v.getDefiningOp<SliceOp>();
  if (!slice)
    return {};
  SymbolicShape starts = slice.getStarts().getDims();
  for (auto [i, s] : llvm::enumerate(starts))
    if (s.getConstant() != std::optional<int64_t>(i + 1 == starts.size() ? start : 0))
      return {};
  if (!llvm::all_of(slice.getSteps(), [](int64_t s) { return s == 1; }))
    return {};
  auto in = cast<RankedTensorType>(slice.getInput().getType());
  auto out = cast<RankedTensorType>(v.getType());
  if (in.getShape().drop_back() != out.getShape().drop_back() ||
      in.getEncoding() != out.getEncoding())
    return {};
  return slice.getInput();
}

/// g and u are the first and second half of one tensor along its last dim,
/// by slm.split or two slm.slice ops, each with one use: returns the tensor.
Value splitHalves(Value g, Value u) {
  if (!g.hasOneUse() || !u.hasOneUse() || g.getType() != u.getType())
    return {};
  int64_t half = cast<RankedTensorType>(g.getType()).getShape().back();
  if (ShapedType::isDynamic(half))
    return {};
  Value src;
  if (auto split = g.getDefiningOp<SplitOp>()) {
    if (split != u.getDefiningOp<SplitOp>() || split.getNumResults() != 2 ||
        split.getResult(0) != g || split.getResult(1) != u ||
        split.getAxis() != cast<RankedTensorType>(g.getType()).getRank() - 1)
      return {};
    src = split.getInput();
  } else {
    src = lastDimSliceFrom(g, 0);
    if (!src || lastDimSliceFrom(u, half) != src || !usedOnlyBy(src, {g.getDefiningOp(), u.getDefiningOp()}))
      return {};
  }
  if (cast<RankedTensorType>(src.getType()).getShape().back() != 2 * half)
    return {};
  return src;
}

/// The activation's name for slm.gated_mlp, or empty.
StringRef activationOf(Operation *op) {
  if (isa_and_nonnull<SiluOp>(op))
    return "silu";
  if (auto gelu = dyn_cast_or_null<GeluOp>(op))
    return gelu.getApproximate() == "tanh" ? "gelu_tanh" : "gelu";
  return {};
}

struct FuseGatedMlp : OpRewritePattern<MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatMulOp down, PatternRewriter &rewriter) const override {
    Value h = down.getLhs();
    auto mul = h.getDefiningOp<MulOp>();
    if (!mul || !h.hasOneUse() || !isStaticMatrix(down.getRhs()))
      return rewriter.notifyMatchFailure(down, "not a down projection of a product");
    for (auto [a, u] : {std::pair(mul.getLhs(), mul.getRhs()), std::pair(mul.getRhs(), mul.getLhs())}) {
      Operation *act = a.getDefiningOp();
      StringRef activation = activationOf(act);
      if (activation.empty() || !a.hasOneUse() || a.getType() != h.getType() ||
          u.getType() != h.getType())
        continue;
      Value g = act->getOperand(0);
      if (g.getType() != h.getType())
        continue;
      Value x, wGate, wUp;
      if (MatMulOp gate = projection(g), up = projection(u); gate && up) {
        if (gate.getLhs() != up.getLhs() || gate.getRhs().getType() != up.getRhs().getType())
          continue;
        x = gate.getLhs();
        wGate = gate.getRhs();
        wUp = up.getRhs();
      } else if (Value gu = splitHalves(g, u)) {
        // Fused gate_up: x . w cut into its first (gate) and second (up) half.
        MatMulOp gateUp = projection(gu, {g.getDefiningOp(), u.getDefiningOp()});
        if (!gateUp)
          continue;
        x = gateUp.getLhs();
        wGate = gateUp.getRhs();
      } else {
        continue;
      }
      auto fused = GatedMlpOp::create(rewriter, down.getLoc(), x, wGate, wUp, down.getRhs(),
                                      /*residual=*/Value(), rewriter.getStringAttr(activation),
                                      /*fused_gate_up=*/wUp ? nullptr : rewriter.getUnitAttr());
      rewriter.replaceOp(down, fused.getResult());
      return success();
    }
    return rewriter.notifyMatchFailure(down, "no gated MLP");
  }
};

struct FuseMlpPass : slm::impl::FuseMlpBase<FuseMlpPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseGatedMlp>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
