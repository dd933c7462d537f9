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
  /// Structured (mlp:F): the weight's intermediate channels before pruning
  /// and how many went (stats.removed counts the removed elements; the
  /// pruned weight is smaller, without zeros).
  int64_t channels = 0, channelsRemoved = 0;
  double sparsity() const {
    return channels ? double(stats.removed) / double(stats.total) : stats.sparsity();
  }
};

/// Per dense weight name, the L2 norm of each input channel of its
/// projection over calibration activations (tools/slmc-prune-calibrate.py).
using PruneNorms = std::map<std::string, std::vector<float>>;
/// Reads `{"weights": {name: [norm, ...]}}`.
llvm::Expected<PruneNorms> loadPruneNorms(llvm::StringRef path);

/// Prunes every projection weight of `module` with `spec` ("" or "none":
/// nothing) scored by `score`: "magnitude", or "activation" with `norms`
/// (a merged weight "a+b" uses a's norms: the parts share the input).
/// mlp:F instead shrinks every slm.gated_mlp: the fraction F of its
/// intermediate channels with the lowest scores go from the gate and up
/// columns and the down rows together (weights "<w>#prune-mlp:F" of the
/// smaller shapes). A channel c's score is ||h_c|| * ||W_down[c, :]||, the
/// L2 norm of its contribution to the output over the calibration tokens,
/// h_c the intermediate activation (activation: the down projection's input
/// norms), or for magnitude ||W_gate[:, c]|| * ||W_up[:, c]|| *
/// ||W_down[c, :]|| (the bound of the same for unit-norm inputs, taking the
/// activation as linear). Materializes weight concatenations first. Appends
/// to `records`.
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
