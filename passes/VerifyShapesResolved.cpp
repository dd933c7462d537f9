//===- VerifyShapesResolved.cpp - No shape computation may remain ---------===//

#include "dialects/slm/IR/SlmOps.h"
#include "passes/Passes.h"

namespace slm {
#define GEN_PASS_DEF_VERIFYSHAPESRESOLVED
#include "passes/Passes.h.inc"
} // namespace slm

using namespace mlir;

namespace {
struct VerifyShapesResolvedPass
    : slm::impl::VerifyShapesResolvedBase<VerifyShapesResolvedPass> {
  void runOnOperation() override {
    bool failedAny = false;
    getOperation().walk([&](Operation *op) {
      const char *why = nullptr;
      if (isa<slm::ShapeOp>(op))
        why = "reads a tensor shape at run time";
      else if (isa<slm::DimsOp>(op))
        why = "holds symbolic dims as data";
      else if (auto r = dyn_cast<slm::ReshapeOp>(op); r && r.getShape())
        why = "takes its target shape from a tensor";
      else if (auto e = dyn_cast<slm::ExpandOp>(op); e && e.getShape())
        why = "takes its target shape from a tensor";
      else if (auto c = dyn_cast<slm::ConstantOfShapeOp>(op); c && c.getShape())
        why = "takes its shape from a tensor";
      if (!why)
        return;
      op->emitError() << "shape computation survived: '" << op->getName() << "' "
                      << why;
      failedAny = true;
    });
    if (failedAny)
      signalPassFailure();
  }
};
} // namespace
