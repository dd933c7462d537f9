//===- QuantPlanner.h - --quant auto: a scheme per weight --------*- C++ -*-===//
//
// DESIGN.md: "target cost model x per-layer sensitivity -> scheme per op".
// For each stored projection weight the planner lists the schemes the target
// runs (its spec's quant.native and quant.emulated entries, and, where the
// target has a code generator, only those it has kernels for), costs each
// with the cost model (CostModel.h) at the objective's phase and estimates
// its accuracy cost (QuantSensitivity.h), then chooses per weight the scheme
// that minimises the predicted step time (or the package size) subject to
//     sum of the weights' sensitivities + their uncertainty <= the budget
// (Δbpb %; the uncertainty is the square root of the sum of the chosen
// sensitivities' variances: the plan meets the budget with one standard
// deviation to spare).
// The choice is greedy: start from the most accurate candidate of every
// weight, then repeatedly take the change with the largest time saved per
// unit of sensitivity added that still fits the budget (changes that save
// time and cost nothing first), until no change saves at least 0.01 % of
// the step. Where the weights' memory level depends on their total size
// (a plan that fits in L2 or VTCM), each change is costed with the
// residency (CostModel::residency) the whole plan would then have.
//
// The plan becomes slm-quantize overrides (`weight=scheme`), so packaging
// stays one path; the report lists every candidate (predicted µs,
// sensitivity) and why the winner won.
//
//===----------------------------------------------------------------------===//
#ifndef SLMC_COMPILER_QUANTPLANNER_H
#define SLMC_COMPILER_QUANTPLANNER_H

#include "compiler/CostModel.h"
#include "compiler/QuantSensitivity.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace slm {

enum class PlanObjective { Decode, Prefill, Size };
llvm::StringRef planObjectiveName(PlanObjective objective);
/// "decode", "prefill" or "size"; otherwise an error naming the known ones.
llvm::Expected<PlanObjective> parsePlanObjective(llvm::StringRef text);
/// "1%", "1", "0.5 %" -> percent; an error for anything else, negatives and
/// more than 100 %.
llvm::Expected<double> parseAccuracyBudget(llvm::StringRef text);

//===----------------------------------------------------------------------===//
// The choice, on plain numbers (unit-tested without a graph)
//===----------------------------------------------------------------------===//

struct ChoiceCandidate {
  std::string scheme;
  double sensitivity = 0;
  /// The sensitivity's variance (uncertainty squared).
  double variance = 0;
  /// Bytes counted toward the resident working set (0 for embedding tables).
  double residentBytes = 0;
  /// Objective value with the plan's resident bytes at each point of
  /// ChoiceProblem::gridBytes.
  std::vector<double> cost;
};

struct ChoiceUnit {
  std::string name;
  std::vector<ChoiceCandidate> candidates;
  /// Index of a candidate it must keep (a user's override), or -1.
  int fixed = -1;
};

struct ChoiceProblem {
  /// Resident bytes at which candidates' costs are given, ascending (the last
  /// may be infinite); costs between two points are interpolated linearly,
  /// beyond the last finite point the last value holds. One point: the
  /// plan's size does not change where weights are read from.
  std::vector<double> gridBytes = {0};
  std::vector<ChoiceUnit> units;
  /// The plan must have sum(sensitivity) + confidence x sqrt(sum(variance))
  /// <= budget: it meets the budget with that many standard deviations of
  /// the sensitivities' (independent) errors to spare.
  double budget = 1.0;
  double confidence = 1.0;
  /// Objective of everything else (not projections), added to totals.
  double baseCost = 0;
  /// A change must save at least this fraction of the total.
  double minGain = 1e-4;
};

struct ChoiceResult {
  std::vector<int> chosen; // candidate index per unit
  double sensitivity = 0;
  double sigma = 0;        // sqrt(sum of the chosen variances)
  double cost = 0;         // objective total (incl. baseCost)
  double residentBytes = 0;
  bool overBudget = false; // even the most accurate choice exceeds the budget
};

ChoiceResult choosePlan(const ChoiceProblem &problem);
/// (i, t): the cost at `bytes` resident is (1 - t) cost[i] + t cost[i + 1].
std::pair<size_t, double> gridPosition(const ChoiceProblem &problem, double bytes);

//===----------------------------------------------------------------------===//
// Planning a graph
//===----------------------------------------------------------------------===//

struct QuantPlanOptions {
  PlanObjective objective = PlanObjective::Decode;
  double budgetPercent = 1.0;
  int64_t prefillSeq = 128; // tokens of the prefill step costed
  int64_t decodePast = 128; // cached tokens before the decode step costed
  unsigned threads = 0;     // 0: the spec's cores
  const CostCalibration *calibration = nullptr;
  SensitivityOptions sensitivity;
  /// The user's --quant-override rules (pattern=scheme): fixed, counted.
  std::vector<std::string> userOverrides;
  /// Schemes the target's code generator has kernels for ("none" implied);
  /// only used when hasCodegen.
  std::vector<std::string> kernelSchemes;
  bool hasCodegen = false;
};

struct PlanCandidate {
  std::string scheme; // "none" = fp32
  double predictedUs = 0; // the objective phase (prefill or decode) time of its projections
  double prefillUs = 0, decodeUs = 0;
  double sensitivity = 0; // Δbpb %
  double sigma = 0;       // its uncertainty
  std::string sensitivitySource;
  double relativeError = 0;
  double bytes = 0;
  bool emulated = false;
  double extraCostFactor = 1;
  std::string unit, computeType, level;
  bool memoryBound = false;
};

/// One stored weight (all its uses take the same scheme).
struct PlanLayer {
  std::string weight, hash;
  std::vector<std::string> layers; // layerNameOf its ops
  std::vector<std::string> ops;
  int64_t k = 0, n = 0, axis = 0;
  bool gather = false;
  std::vector<PlanCandidate> candidates;
  int chosen = 0;
  bool fixed = false;
  std::string reason;
  const PlanCandidate &winner() const { return candidates[chosen]; }
};

struct PlanTotals {
  double prefillUs = 0, decodeUs = 0, weightBytes = 0;
  std::string prefillWeightLevel, decodeWeightLevel;
};

struct QuantPlan {
  std::string target, targetOrigin;
  bool hasCodegen = false;
  PlanObjective objective = PlanObjective::Decode;
  double budgetPercent = 1;
  CostShape prefill, decode;
  unsigned threads = 0;
  std::vector<PlanLayer> layers;
  double sensitivity = 0;
  /// The uncertainty of `sensitivity` (sqrt of the sum of the chosen
  /// candidates' variances); sensitivity + sigma <= budget.
  double sigma = 0;
  bool overBudget = false;
  PlanTotals planned, fp32;
  std::vector<std::string> notes; // why, in words
  std::string calibration, sensitivityDatabase;
  unsigned sensitivityCacheHits = 0, sensitivityComputed = 0;

  /// slm-quantize overrides that apply the plan (`weight=scheme`, glob
  /// characters escaped), then the user's.
  std::vector<std::string> overrides(llvm::ArrayRef<std::string> userOverrides = {}) const;
  /// The layer planning `weight`, or null.
  const PlanLayer *find(llvm::StringRef weight) const;
};

/// Plans the fp32 projections of `module` (after materializeWeightConcats)
/// for `spec`.
llvm::Expected<QuantPlan> planQuantization(mlir::ModuleOp module, const WeightStore &weights,
                                           const HardwareSpec &spec,
                                           const QuantPlanOptions &options);

/// The report's `plan` object.
llvm::json::Object planToJson(const QuantPlan &plan);
/// `candidates` of one layer (for the report's `layers` entries).
llvm::json::Array candidatesToJson(const PlanLayer &layer);
/// The readable table (one row per weight, one column per candidate).
void printPlanTable(const QuantPlan &plan, llvm::raw_ostream &os);

} // namespace slm

#endif // SLMC_COMPILER_QUANTPLANNER_H
