//===- FuseNorms.cpp - decomposed RMSNorm / LayerNorm -> slm ops ----------===//
//
// The core matched is n = d * rsqrt(mean(d^2) + eps) (or d / sqrt(...)):
// RMSNorm when d is the input, LayerNorm when d = x - mean(x). A following
// multiply by a scale and (LayerNorm) an add of a bias are folded in.
// Casts around the normalization stay outside the fused op.
//
//===----------------------------------------------------------------------===//

#include "passes/fusion/FusionUtils.h"
#include "passes/fusion/Passes.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace slm {
#define GEN_PASS_DEF_FUSENORMS
#include "passes/fusion/Passes.h.inc"
} // namespace slm

using namespace mlir;
using namespace slm;
using namespace slm::fusion;

namespace {

struct NormCore {
  Value input;     // x
  int64_t axis;    // normalized dims: axis..rank-1
  double epsilon;
  bool center;     // LayerNorm
};

/// The first reduced axis if `mean` reduces exactly the trailing dims of
/// its input with keepdims.
std::optional<int64_t> trailingAxis(ReduceMeanOp mean) {
  auto rank = cast<RankedTensorType>(mean.getInput().getType()).getRank();
  ArrayRef<int64_t> axes = mean.getAxes();
  if (!mean.getKeepdims() || axes.empty() || axes.back() != rank - 1)
    return std::nullopt;
  for (size_t i = 1; i < axes.size(); ++i)
    if (axes[i] != axes[i - 1] + 1)
      return std::nullopt;
  return axes.front();
}

/// n = d * r or d / s with r = rsqrt(v), s = sqrt(v), v = mean(d^2) + eps.
std::optional<NormCore> matchCore(Operation *n) {
  SmallVector<std::pair<Value, Value>> candidates; // (d, v)
  SmallVector<Operation *> ops{n};
  if (auto mul = dyn_cast<MulOp>(n)) {
    for (auto [d, r] : {std::pair(mul.getLhs(), mul.getRhs()), std::pair(mul.getRhs(), mul.getLhs())}) {
      SmallVector<Operation *> rOps;
      if (Value v = matchRsqrt(r, rOps)) {
        candidates.push_back({d, v});
        ops.append(rOps);
        break;
      }
    }
  } else if (auto div = dyn_cast<DivOp>(n)) {
    auto sqrt = div.getRhs().getDefiningOp<SqrtOp>();
    if (sqrt && div.getRhs().hasOneUse()) {
      candidates.push_back({div.getLhs(), sqrt.getInput()});
      ops.push_back(sqrt);
    }
  }
  if (candidates.empty())
    return std::nullopt;
  auto [d, v] = candidates.front();
  if (d.getType() != n->getResult(0).getType() || !isa<FloatType>(elementType(d)))
    return std::nullopt;

  // v = mean(d^2) + eps, eps a one-element constant.
  auto add = v.getDefiningOp<AddOp>();
  if (!add || !v.hasOneUse())
    return std::nullopt;
  ops.push_back(add);
  std::optional<double> eps;
  ReduceMeanOp var;
  for (auto [m, e] : {std::pair(add.getLhs(), add.getRhs()), std::pair(add.getRhs(), add.getLhs())}) {
    if ((var = m.getDefiningOp<ReduceMeanOp>()) && (eps = getScalarFloat(e)))
      break;
    var = {};
  }
  if (!var || !eps || *eps < 0 || !var.getResult().hasOneUse())
    return std::nullopt;
  ops.push_back(var);
  auto axis = trailingAxis(var);
  if (!axis || matchSquare(var.getInput()) != d)
    return std::nullopt;
  ops.push_back(var.getInput().getDefiningOp());

  // LayerNorm: d = x - mean(x) over the same dims, d used only in here.
  if (auto sub = d.getDefiningOp<SubOp>()) {
    auto mean = sub.getRhs().getDefiningOp<ReduceMeanOp>();
    if (mean && mean.getInput() == sub.getLhs() && sub.getRhs().hasOneUse() &&
        trailingAxis(mean) == axis && mean.getAxes() == var.getAxes() &&
        sub.getLhs().getType() == d.getType()) {
      if (!usedOnlyBy(d, ops))
        return std::nullopt;
      return NormCore{sub.getLhs(), *axis, *eps, /*center=*/true};
    }
  }
  return NormCore{d, *axis, *eps, /*center=*/false};
}

/// A scale or bias must broadcast along the normalized dims only (no dim
/// before `axis`) and have the input's element type.
bool isParameter(Value p, Value input, int64_t axis, Operation *n) {
  if (!p || p == n->getResult(0))
    return false;
  auto t = dyn_cast<RankedTensorType>(p.getType());
  auto in = cast<RankedTensorType>(input.getType());
  if (!t || !t.hasStaticShape() || t.getElementType() != in.getElementType() ||
      t.getRank() > in.getRank())
    return false;
  int64_t lead = in.getRank() - t.getRank();
  for (int64_t i = 0; i < t.getRank(); ++i)
    if (i + lead < axis && t.getDimSize(i) != 1)
      return false;
  return true;
}

/// The other operand of n's only user when that user is `OpTy` with n's type.
template <typename OpTy> Value foldableUser(Operation *n, OpTy &user) {
  Value r = n->getResult(0);
  if (!r.hasOneUse())
    return {};
  user = dyn_cast<OpTy>(*r.getUsers().begin());
  if (!user || user.getType() != r.getType())
    return {};
  return otherOperand(user, r);
}

template <typename RootOp> struct FuseNorm : OpRewritePattern<RootOp> {
  using OpRewritePattern<RootOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(RootOp n, PatternRewriter &rewriter) const override {
    auto core = matchCore(n);
    if (!core)
      return rewriter.notifyMatchFailure(n, "not a normalization");
    Operation *root = n;
    Value scale, bias;
    MulOp scaleMul;
    if (Value s = foldableUser(root, scaleMul); isParameter(s, core->input, core->axis, root)) {
      scale = s;
      root = scaleMul;
      AddOp biasAdd;
      if (core->center)
        if (Value b = foldableUser(root, biasAdd); isParameter(b, core->input, core->axis, root)) {
          bias = b;
          root = biasAdd;
        }
    }
    // The fused op's type is its input's; every op matched has that type.
    if (root->getResult(0).getType() != core->input.getType())
      return rewriter.notifyMatchFailure(n, "the pattern changes the type");
    rewriter.setInsertionPoint(root);
    if (!scale) {
      // No scale: multiply by a one-element 1 (exact).
      auto t = RankedTensorType::get({1}, elementType(core->input));
      scale = ConstantOp::create(rewriter, n.getLoc(),
                                 DenseElementsAttr::get(t, rewriter.getFloatAttr(t.getElementType(), 1.0)));
    }
    auto axis = rewriter.getI64IntegerAttr(core->axis);
    auto eps = rewriter.getF64FloatAttr(core->epsilon);
    Value fused;
    if (core->center)
      fused = LayerNormOp::create(rewriter, root->getLoc(), core->input, scale, bias, axis, eps);
    else
      fused = RmsNormOp::create(rewriter, root->getLoc(), core->input, scale, axis, eps);
    rewriter.replaceOp(root, fused);
    return success();
  }
};

struct FuseNormsPass : slm::impl::FuseNormsBase<FuseNormsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseNorm<MulOp>, FuseNorm<DivOp>>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
