//===- Compile.h - ONNX model to .slmpkg ------------------------*- C++ -*-===//
#ifndef SLMC_COMPILER_COMPILE_H
#define SLMC_COMPILER_COMPILE_H

#include "compiler/QuantPlanner.h"
#include "compiler/Quantizer.h"
#include "compiler/WeightStore.h"
#include "targets/Target.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/FunctionExtras.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <map>
#include <vector>

namespace slm {

struct CompileOptions {
  /// Largest total sequence length a session may reach (0: unlimited).
  uint32_t contextLimit = 0;
  /// Time every kernel call (for `slmc-run --bench`'s per-kernel profile).
  bool profile = false;
  /// Default quantization scheme of matmul weights ("none": fp32; "auto":
  /// planned per weight, see `plan`) and per-layer overrides
  /// ("pattern=scheme"), see slm-quantize.
  std::string quant = "none";
  std::vector<std::string> quantOverrides;
  /// --quant auto: objective, accuracy budget, phases, calibration and
  /// sensitivity sources (QuantPlanner.h). userOverrides and kernelSchemes
  /// are filled from quantOverrides and the target.
  QuantPlanOptions plan;
  /// Where the plan's readable table goes: a file, or empty for
  /// `planTable` (nothing when that is unset too).
  std::string reportTextPath;
  std::function<void(const std::string &)> planTable;
  ScaleSearch scaleSearch = ScaleSearch::Mse;
  /// Keep fp32 weights holding the dequantized values instead (fp32 kernels
  /// compute what the quantized ones should: a reference, and an accuracy
  /// study on any target).
  bool quantSimulate = false;
  /// --prune: the projections' pruning spec ("none": dense; compiler/PruneGraph.h),
  /// applied before quantization, and its score (magnitude | activation).
  std::string prune = "none";
  std::string pruneScore = "magnitude";
  /// --prune-score activation: per dense weight, its input channels' norms
  /// (PruneNorms, compiler/PruneGraph.h).
  const std::map<std::string, std::vector<float>> *pruneNorms = nullptr;
  /// Where to write the JSON report (op counts, quantized layers); empty: none.
  std::string reportPath;
  /// Called with a line of progress for each long step.
  std::function<void(const std::string &)> progress;
};

/// The report's view of an slm graph: `op_counts` (each slm op's name ->
/// count) and `layers` (every projection: name, op, weight, shape, scheme).
/// With a plan (--quant auto), each layer gains `candidates` (scheme,
/// predicted_us, sensitivity, ...), `sensitivity` and `reason`, and the
/// report a top-level `plan`.
llvm::json::Object describeGraph(mlir::ModuleOp module, const QuantPlan *plan = nullptr);
/// Writes `json` to `path` through a temporary file and a rename.
llvm::Error writeJson(llvm::StringRef path, llvm::json::Value json);

/// Folds each slm.concat of stored weights (made by slm-merge-projections)
/// into one stored weight named "a+b+...", whose bytes the store keeps.
llvm::Error materializeWeightConcats(mlir::ModuleOp module, WeightStore &weights);

/// Materializes weight concatenations (materializeWeightConcats), runs
/// slm-quantize with the options' schemes (nothing for "none") and checks
/// that the target has kernels for every scheme used.
llvm::Error applyQuantization(mlir::ModuleOp module, WeightStore &weights,
                              const Target &target, const CompileOptions &options,
                              QuantPlan *plan = nullptr);
/// The same for `hardware`, with or without a code generator (`target` null:
/// a spec-only target such as arm64-a78, for --emit=slm and reports). With
/// `options.quant == "auto"` the planner chooses the schemes and `plan`
/// (when given) receives the plan.
llvm::Error applyQuantization(mlir::ModuleOp module, WeightStore &weights,
                              const HardwareSpec &hardware, const Target *target,
                              const CompileOptions &options, QuantPlan *plan = nullptr);

/// Quantizes (applyQuantization), lowers an imported, canonicalized module for `target`, builds its kernel
/// library and writes the package to `outputPath` (temp file + rename).
/// Weights come from `weights` (the store the module was imported with).
llvm::Error compileToPackage(mlir::ModuleOp module, WeightStore &weights,
                             const Target &target, llvm::StringRef outputPath,
                             const CompileOptions &options = {});

} // namespace slm

#endif // SLMC_COMPILER_COMPILE_H
