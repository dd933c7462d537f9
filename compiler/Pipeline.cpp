//===- Pipeline.cpp - Pass pipelines and IR statistics --------------------===//

#include "compiler/Pipeline.h"

#include "dialects/slm/IR/SlmOps.h"
#include "passes/Passes.h"
#include "passes/fusion/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace slm {

LogicalResult runImportCleanup(ModuleOp module, bool fusion) {
  PassManager pm(module.getContext());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createVerifyShapesResolved());
  if (fusion)
    addFusionPasses(pm);
  return pm.run(module);
}

static int64_t byteSize(Type type) {
  auto t = cast<ShapedType>(type);
  if (!t.hasStaticShape())
    return 0;
  return t.getNumElements() * ((t.getElementTypeBitWidth() + 7) / 8);
}

IrStats collectStats(ModuleOp module) {
  IrStats stats;
  module.walk([&](Operation *op) {
    if (isa<ModuleOp, func::FuncOp, func::ReturnOp>(op))
      return;
    ++stats.numOps;
    ++stats.opCounts[op->getName().getStringRef().str()];
    if (auto w = dyn_cast<WeightOp>(op)) {
      ++stats.numWeights;
      stats.weightBytes += byteSize(w.getType());
    } else if (auto c = dyn_cast<ConstantOp>(op)) {
      ++stats.numConstants;
      stats.constantBytes += byteSize(c.getType());
    }
  });
  return stats;
}

} // namespace slm
