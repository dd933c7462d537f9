//===- ApproximateMath.cpp - Polynomial math that vectorizes --------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace slm {
#define GEN_PASS_DEF_APPROXIMATEMATH
#include "passes/Passes.h.inc"
} // namespace slm

using namespace mlir;

namespace {
struct ApproximateMathPass : slm::impl::ApproximateMathBase<ApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    // f16/bf16 math is computed in f32.
    populateMathF32ExpansionPatterns(patterns, [](StringRef) { return true; });
    // The hot ones (softmax, SiLU, GELU). sin/cos stay libm calls: rotary
    // angles reach thousands of radians, where the polynomials' range
    // reduction loses accuracy.
    populateMathPolynomialApproximationPatterns(patterns, [](StringRef name) {
      return name == "math.tanh" || name == "math.erf" || name == "math.exp";
    });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
