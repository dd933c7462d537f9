//===- Pipeline.h - Pass pipelines and IR statistics ------------*- C++ -*-===//
#ifndef SLMC_COMPILER_PIPELINE_H
#define SLMC_COMPILER_PIPELINE_H

#include "mlir/IR/BuiltinOps.h"

#include <map>
#include <string>

namespace slm {

/// After import: canonicalize (shape arithmetic collapses, dead ops go) and
/// check that no shape computation survived; then, with `fusion`, the fusion
/// passes (passes/fusion: norms, activations, MLPs, rotary, attention).
mlir::LogicalResult runImportCleanup(mlir::ModuleOp module, bool fusion = true);

struct IrStats {
  int64_t numOps = 0; // ops inside functions, excluding the terminator
  std::map<std::string, int64_t> opCounts;
  int64_t numWeights = 0, weightBytes = 0;
  int64_t numConstants = 0, constantBytes = 0;
};
IrStats collectStats(mlir::ModuleOp module);

} // namespace slm

#endif // SLMC_COMPILER_PIPELINE_H
