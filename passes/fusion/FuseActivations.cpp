//===- FuseActivations.cpp - x*sigmoid(x) -> silu, GELU forms -> gelu -----===//

#include "passes/fusion/FusionUtils.h"
#include "passes/fusion/Passes.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace slm {
#define GEN_PASS_DEF_FUSEACTIVATIONS
#include "passes/fusion/Passes.h.inc"
} // namespace slm

using namespace mlir;
using namespace slm;
using namespace slm::fusion;

namespace {

/// x * sigmoid(x), either order; the sigmoid has no other user.
struct FuseSilu : OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MulOp mul, PatternRewriter &rewriter) const override {
    for (auto [a, b] : {std::pair(mul.getLhs(), mul.getRhs()), std::pair(mul.getRhs(), mul.getLhs())}) {
      auto sig = a.getDefiningOp<SigmoidOp>();
      if (!sig || sig.getInput() != b || !a.hasOneUse() || b.getType() != mul.getType())
        continue;
      rewriter.replaceOpWithNewOp<SiluOp>(mul, b);
      return success();
    }
    return rewriter.notifyMatchFailure(mul, "not x * sigmoid(x)");
  }
};

/// `1 + f(e)` with f = erf or tanh, both with one use: returns e.
template <typename FnOp> Value matchOnePlus(Value t) {
  auto add = t.getDefiningOp<AddOp>();
  if (!add || !t.hasOneUse())
    return {};
  for (auto [c, f] : {std::pair(add.getLhs(), add.getRhs()), std::pair(add.getRhs(), add.getLhs())}) {
    auto one = getScalarFloat(c);
    auto fn = f.template getDefiningOp<FnOp>();
    if (one && *one == 1.0 && fn && f.hasOneUse() && fn.getInput().hasOneUse())
      return fn.getInput();
  }
  return {};
}

/// erf's argument: x / sqrt(2) or x * (1/sqrt(2)).
bool isErfArgument(Value e, Value x) {
  Product p = flattenProduct(e);
  return p.leaves.size() == 1 && p.leaves[0] == x && closeTo(p.constant, M_SQRT1_2);
}

/// tanh's argument: sqrt(2/pi) * (x + 0.044715 * x^3), x^3 as pow(x, 3) or
/// x*x*x in any grouping.
bool isTanhArgument(Value e, Value x) {
  Product p = flattenProduct(e);
  if (p.leaves.size() != 1 || !closeTo(p.constant, std::sqrt(2.0 / M_PI)))
    return false;
  auto add = p.leaves[0].getDefiningOp<AddOp>();
  if (!add || !p.leaves[0].hasOneUse())
    return false;
  Value cube = otherOperand(add, x);
  if (!cube || !cube.hasOneUse())
    return false;
  Product c = flattenProduct(cube);
  return c.leaves.size() == 3 && countOf(c.leaves, x) == 3 && closeTo(c.constant, 0.044715);
}

/// 0.5 * x * (1 + erf(x/sqrt2)) and the tanh form, with the 0.5 (or a
/// division by 2) anywhere in the product.
template <typename RootOp> struct FuseGelu : OpRewritePattern<RootOp> {
  using OpRewritePattern<RootOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(RootOp root, PatternRewriter &rewriter) const override {
    Product p = flattenProduct(root.getResult());
    if (p.leaves.size() != 2 || !closeTo(p.constant, 0.5))
      return rewriter.notifyMatchFailure(root, "not 0.5 * x * t");
    for (auto [x, t] : {std::pair(p.leaves[0], p.leaves[1]), std::pair(p.leaves[1], p.leaves[0])}) {
      if (x.getType() != root.getType())
        continue;
      StringRef approximate;
      if (Value e = matchOnePlus<ErfOp>(t); e && isErfArgument(e, x))
        approximate = "none";
      else if (Value e = matchOnePlus<TanhOp>(t); e && isTanhArgument(e, x))
        approximate = "tanh";
      else
        continue;
      rewriter.replaceOpWithNewOp<GeluOp>(root, x, rewriter.getStringAttr(approximate));
      return success();
    }
    return rewriter.notifyMatchFailure(root, "no erf/tanh GELU form");
  }
};

struct FuseActivationsPass : slm::impl::FuseActivationsBase<FuseActivationsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseSilu, FuseGelu<MulOp>, FuseGelu<DivOp>>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
