//===- PruneGraph.h - Prune the projections of an slm module ----*- C++ -*-===//
//
// slmc compile --prune SPEC (docs/pruning.md): each projection weight
// (slm.linear / slm.matmul / slm.gemm weights, slm.gated_mlp's three) gets
// pruned by compiler/Pruner.h into a new owned weight of the WeightStore
// named "<weight>#prune-<spec>", which replaces its slm.weight operand. The
// embedding and the lm_head stay dense. Runs before quantization.
//
//===----------------------------------------------------------------------===//
#ifndef SLMC_COMPILER_PRUNEGRAPH_H
#define SLMC_COMPILER_PRUNEGRAPH_H

#include "compiler/Pruner.h"
#include "compiler/WeightStore.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <map>
#include <string>
#include <vector>

namespace slm {

/// What pruning did to one weight.
struct PruneRecord {
  std::string layer;  // layerNameOf
  std::string weight; // the dense weight's name
  std::string pruned; // the pruned weight's name
  std::string method; // the spec, e.g. "2:4"
  std::string score;  // magnitude | activation
  PruneStats stats;
};

/// Per dense weight name, the L2 norm of each input channel of its
/// projection over calibration activations (tools/slmc-prune-calibrate.py).
using PruneNorms = std::map<std::string, std::vector<float>>;
/// Reads `{"weights": {name: [norm, ...]}}`.
llvm::Expected<PruneNorms> loadPruneNorms(llvm::StringRef path);

/// Prunes every projection weight of `module` with `spec` ("" or "none":
/// nothing) scored by `score`: "magnitude", or "activation" with `norms`
/// (a merged weight "a+b" uses a's norms: the parts share the input).
/// Materializes weight concatenations first. Appends to `records`.
llvm::Error applyPruning(mlir::ModuleOp module, WeightStore &weights, llvm::StringRef spec,
                         llvm::StringRef score, std::vector<PruneRecord> &records,
                         const PruneNorms *norms = nullptr);

/// --prune-capture (calibration): adds to @main one output per projection
/// weight, "capture.<weight>": the sum over all tokens of the square of each
/// input channel of the projection's input activations
/// (slm.matmul lhs, slm.linear / slm.gated_mlp x, slm.gemm a; with
/// --no-fusion every projection is a plain matmul with its own input).
llvm::Error addPruneCaptureOutputs(mlir::ModuleOp module);

/// Adds `pruned` {method, score, sparsity, removed, total} to each report
/// layer whose weight is a pruned one, and a top-level `pruning` summary.
void addPruneReport(llvm::json::Object &report, const std::vector<PruneRecord> &records);

} // namespace slm

#endif // SLMC_COMPILER_PRUNEGRAPH_H
