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

/// `a + c * x^n` (a the operand `base`, c = 0.044715, x^n as pow or
/// products in any grouping), the add and the power with one use.
bool isPolynomialTerm(Value sum, Value base, Value x, unsigned n) {
  auto add = sum.getDefiningOp<AddOp>();
  if (!add || !sum.hasOneUse())
    return false;
  Value term = otherOperand(add, base);
  if (!term || !term.hasOneUse())
    return false;
  Product c = flattenProduct(term);
  return c.leaves.size() == n && countOf(c.leaves, x) == n && closeTo(c.constant, 0.044715);
}

/// tanh's argument: sqrt(2/pi) * (x + 0.044715 * x^3), or factored as
/// sqrt(2/pi) * x * (1 + 0.044715 * x^2); powers as pow(x, n) or products.
bool isTanhArgument(Value e, Value x) {
  Product p = flattenProduct(e);
  if (!closeTo(p.constant, std::sqrt(2.0 / M_PI)))
    return false;
  if (p.leaves.size() == 1)
    return isPolynomialTerm(p.leaves[0], x, x, 3);
  if (p.leaves.size() != 2 || countOf(p.leaves, x) != 1)
    return false;
  Value factor = p.leaves[0] == x ? p.leaves[1] : p.leaves[0];
  auto add = factor.getDefiningOp<AddOp>();
  if (!add)
    return false;
  for (Value one : {add.getLhs(), add.getRhs()})
    if (auto c = getScalarFloat(one); c && *c == 1.0)
      return isPolynomialTerm(factor, one, x, 2);
  return false;
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
