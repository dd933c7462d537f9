//===- CostModel.h - Roofline cost model over the slm graph -----*- C++ -*-===//
//
// DESIGN.md decision 5: analytic first, calibrated second. For each op of the
// fused slm graph (slm.linear, slm.gated_mlp, slm.attention, slm.rms_norm,
// element-wise ...) and a quantization scheme per weight, the model counts
// operations and bytes at a phase (prefill of S tokens, or one decode step
// after P tokens) and predicts
//
//     part time = max(flops / (peak(unit, dtype) * compute efficiency),
//                     sum over memory levels of bytes / (bandwidth * memory efficiency))
//                 * extra cost factor (emulated schemes, projections only)
//     op time   = sum of its parts + kernels * per-kernel overhead
//
// with the peaks, bandwidths and scheme support read from the target's
// HardwareSpec (targets/<t>/specs/*.json) and the efficiency factors from
// defaults per (unit kind, phase) or a calibration database (JSON, see
// docs/cost-model.md; `slmc compile --calibration FILE`, written later by
// slmc-tune). Everything is deterministic: the same graph, spec, phase and
// calibration give the same numbers.
//
// The graph is analysed once per phase (analyzeGraph: shapes evaluated, each
// projection's M, K, N) and then costed for any assignment of schemes
// (CostModel::costGraph); the quantization planner (QuantPlanner.h) costs
// projections one by one (CostModel::projectionCost).
//
//===----------------------------------------------------------------------===//
#ifndef SLMC_COMPILER_COSTMODEL_H
#define SLMC_COMPILER_COSTMODEL_H

#include "targets/HardwareSpec.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <optional>
#include <string>
#include <vector>

namespace slm {

enum class CostPhase { Prefill, Decode };
/// "prefill" / "decode".
llvm::StringRef costPhaseName(CostPhase phase);

/// The step being costed: prefill computes `seq` tokens with an empty cache;
/// decode computes one token after `past` cached ones.
struct CostShape {
  CostPhase phase = CostPhase::Decode;
  int64_t seq = 1;
  int64_t past = 0;
  int64_t batch = 1;

  static CostShape prefill(int64_t seq) { return {CostPhase::Prefill, seq, 0, 1}; }
  static CostShape decode(int64_t past) { return {CostPhase::Decode, 1, past, 1}; }
  /// The value of a dim symbol: names with "past" -> past, with "total" ->
  /// past + seq, with "seq" or "len" -> seq, with "batch" -> batch; others 1.
  int64_t symbolValue(llvm::StringRef name) const;
};

//===----------------------------------------------------------------------===//
// Calibration database
//===----------------------------------------------------------------------===//

/// One calibration entry: factors for the ops it matches. Empty keys match
/// anything; among the entries that match and give a factor, the one with
/// the most keys wins (a later entry on ties).
struct CostCalibrationEntry {
  std::string target;   // spec name ("x86-64-spr")
  std::string op;       // "slm.linear", "slm.gated_mlp", "slm.attention", ...
  std::string scheme;   // "fp32", "int4-g32", ... (projections only)
  std::string unit;     // unit name of the spec ("avx512-fma")
  std::string unitKind; // "vector" or "matrix"
  std::string phase;    // "prefill" or "decode"
  std::optional<double> computeEfficiency; // fraction of the unit's peak
  std::optional<double> memoryEfficiency;  // fraction of the level's bandwidth
  std::optional<double> overheadUs;        // per kernel call
  std::optional<double> dequantOps;        // ops per weight to widen a weight-only scheme
  /// Multiplies the matched ops' time (before overhead): slmc-tune's fit of
  /// measured over predicted, i.e. their compute and memory efficiencies
  /// divided by it.
  std::optional<double> timeFactor;
  std::string note;

  unsigned specificity() const;
};

/// Read bandwidth of a memory level (the spec gives only the main memory's
/// in most files; caches and scratchpads get a default, see levelGBps).
struct CostCalibrationLevel {
  std::string target; // empty: any
  std::string level;  // "L2", "VTCM", "SBUF", "DRAM"
  double readGBpsPerCore = 0, readGBpsTotal = 0;
};

struct CostCalibration {
  std::vector<CostCalibrationEntry> entries;
  std::vector<CostCalibrationLevel> memory;
  std::string description;
  /// Where it was read from (for reports).
  std::string origin;
};

/// Parses a calibration database (docs/cost-model.md). Errors name
/// `sourceName`, the JSON path and the problem, as the spec parser does.
llvm::Expected<CostCalibration> parseCostCalibration(llvm::StringRef json,
                                                     llvm::StringRef sourceName);
llvm::Expected<CostCalibration> loadCostCalibration(llvm::StringRef path);

//===----------------------------------------------------------------------===//
// Graph analysis
//===----------------------------------------------------------------------===//

/// A projection weight of an op at a phase: [M, K] x [K, N] (or, for an
/// embedding lookup, M rows of K elements read from an [N, K] table).
struct ProjectionWork {
  mlir::OpOperand *operand = nullptr; // the stored weight's use (a transpose's input for tied heads)
  std::string weight;                 // the slm.weight's name
  std::string layer;                  // layerNameOf the op
  int64_t m = 0, k = 0, n = 0;
  /// The stored tensor's reduction axis (0: [K, N]; 1: [N, K], tied heads,
  /// transposed gemm weights, embedding tables).
  int64_t axis = 0;
  bool gather = false; // embedding lookup: reads m rows, no multiply
  /// The scheme the graph gives it: "none" (fp32) or its #slm.quant scheme.
  std::string scheme = "none";
};

struct OpWork {
  mlir::Operation *op = nullptr;
  std::string opName; // "slm.linear"
  std::string layer;  // layerNameOf(op) for projections, else the op's ONNX name
  /// Besides projections: element-wise operations (vector units) and
  /// activation x activation products (attention's q.k and p.v).
  double vectorFlops = 0;
  double matmulFlops = 0;
  /// Bytes of activations read and written (not weights, not the KV cache).
  double activationBytes = 0;
  /// KV cache bytes read (attention) and written (new rows).
  double kvBytes = 0;
  /// Kernel calls it becomes (0: a view or a constant).
  unsigned kernels = 0;
  std::vector<ProjectionWork> projections;
};

struct GraphWork {
  CostShape shape;
  std::vector<OpWork> ops;
  /// Symbols of the graph's dims and the values used.
  std::vector<std::pair<std::string, int64_t>> symbols;
};

/// Walks @main's slm ops and evaluates their shapes at `shape`.
GraphWork analyzeGraph(mlir::ModuleOp module, const CostShape &shape);

//===----------------------------------------------------------------------===//
// Costs
//===----------------------------------------------------------------------===//

/// The predicted cost of one part of an op (a projection, or the rest).
struct PartCost {
  double flops = 0;
  double bytes = 0;
  double computeUs = 0, memoryUs = 0;
  double extraCostFactor = 1;
  double timeUs = 0; // max(computeUs, memoryUs) * extraCostFactor
  std::string unit;  // the unit that runs the multiply-adds
  ComputeType compute = ComputeType::F32;
  std::string level; // where the weights (or, for the rest, the activations) are read from
  bool memoryBound() const { return memoryUs >= computeUs; }
};

struct OpCost {
  const OpWork *work = nullptr;
  double flops = 0, bytes = 0;
  double computeUs = 0, memoryUs = 0; // sums over the parts
  double overheadUs = 0;
  double predictedUs = 0; // parts' times + overhead
  std::vector<PartCost> projections; // one per work->projections
  PartCost rest;
};

/// Where a working set re-read every step (the weights, the KV cache) is
/// read from: `fraction` of its bytes from `level` (on chip), the rest from
/// the main memory.
struct Residency {
  const MemoryLevel *level = nullptr; // null: everything from the main memory
  double fraction = 0;
  /// "L2", "DRAM", "L2 (40 %) + DRAM".
  std::string describe(const HardwareSpec &spec) const;
};

struct GraphCost {
  std::vector<OpCost> ops;
  double totalUs = 0;
  /// Bytes of every weight at its scheme, and those of the weights re-read
  /// every step (not embedding tables), which decide weightLevel.
  double weightBytes = 0, residentWeightBytes = 0;
  double kvBytes = 0;
  std::string weightLevel, kvLevel;
};

/// Whether a unit is a matrix engine (AMX, HMX, a systolic tensor engine,
/// Arm's *mmla): their efficiency defaults differ (row-starved at decode).
bool isMatrixUnit(const ComputeUnit &unit);

/// Stored bytes of a K x N weight in `scheme` ("none"/"fp32": 4 bytes each;
/// scales and offsets included, QuantScheme::bitsPerWeight).
double weightBytesOf(llvm::StringRef scheme, int64_t k, int64_t n);

class CostModel {
public:
  /// `threads`: cores in use (0: all of the spec's). `calibration` may be
  /// null (defaults only); it must outlive the model.
  CostModel(const HardwareSpec &spec, unsigned threads = 0,
            const CostCalibration *calibration = nullptr);

  const HardwareSpec &spec() const { return hw; }
  unsigned threads() const { return busy; }

  /// The closest cache or scratchpad (PSUM excluded: it holds
  /// accumulators) whose usable size holds `bytes`, else the main memory
  /// (activations: made by the op before).
  const MemoryLevel &levelFor(double bytes) const;
  /// A working set of `bytes` re-read every step: all of it from the
  /// closest level that holds it; beyond the largest on-chip level (usable
  /// size C) a share (2C - bytes) / C of it from there and the rest from the
  /// main memory (a ramp, not a cliff: caches thrash gradually).
  Residency residency(double bytes) const;
  /// Usable bytes of a level (x the cores in use for per-core levels): half
  /// of a cache (streamed weights compete with activations, the KV cache and
  /// code), 90 % of a scratchpad; 0 for the main memory and PSUM.
  double usableBytes(const MemoryLevel &level) const;
  /// Sizes at which to sample residency(), ascending: each on-chip level's
  /// usable size, and 16 steps of the ramp up to twice the largest (from
  /// where everything comes from the main memory).
  std::vector<double> residencySteps() const;
  /// Seconds to read `bytes` with `r`.
  double readSeconds(double bytes, const Residency &r, CostPhase phase, llvm::StringRef opName,
                     llvm::StringRef scheme) const;
  /// Read bandwidth in GB/s with the cores in use: the calibration's, else
  /// the spec's, else for on-chip levels without a figure
  /// vector_bits / 8 bytes per cycle per core x 2 (first cache), 1 (second),
  /// 0.5 (further caches); 1 for scratchpads.
  double levelGBps(const MemoryLevel &level) const;

  /// The cost of one projection with its weight in `scheme` ("none" = fp32)
  /// read as `weights` says; activations come from `activationLevel`.
  /// An error when the target does not run the scheme.
  llvm::Expected<PartCost> projectionCost(const ProjectionWork &p, llvm::StringRef opName,
                                          llvm::StringRef scheme, CostPhase phase,
                                          const Residency &weights,
                                          const MemoryLevel &activationLevel) const;
  /// An op's parts besides its projections, and its kernels' overhead.
  /// `scheme`: its projections' scheme ("fp32" unquantized; "" without
  /// projections), for calibration entries keyed by scheme.
  PartCost restCost(const OpWork &op, CostPhase phase, const MemoryLevel &activationLevel,
                    const Residency &kv, llvm::StringRef scheme = "") const;
  double overheadUs(const OpWork &op, CostPhase phase) const;

  /// The whole graph with each projection in schemeOf(p) (default: the
  /// scheme the graph gives it).
  llvm::Expected<GraphCost>
  costGraph(const GraphWork &work,
            llvm::function_ref<std::string(const ProjectionWork &)> schemeOf = nullptr) const;

  /// Factors in effect (calibration, else defaults).
  double computeEfficiency(const ComputeUnit &unit, CostPhase phase, llvm::StringRef opName,
                           llvm::StringRef scheme) const;
  double memoryEfficiency(const MemoryLevel &level, CostPhase phase, llvm::StringRef opName,
                          llvm::StringRef scheme) const;
  /// Extra operations per weight a scheme spends widening its weights to
  /// the compute type: 0 unless calibrated (the spec's peaks already
  /// reflect a native scheme's decoding; emulated ones pay their factor).
  double dequantOps(llvm::StringRef scheme, CostPhase phase) const;
  /// The calibration's time_factor for an op (1 unless calibrated); for
  /// ops with projections `scheme` is theirs.
  double timeFactor(llvm::StringRef opName, llvm::StringRef scheme, CostPhase phase) const;

  /// The best unit for `type` among `names` (all units when empty) by peak
  /// x efficiency; null when none offers it. `rate` gets ops/s.
  const ComputeUnit *bestUnit(ComputeType type, llvm::ArrayRef<std::string> names,
                              CostPhase phase, llvm::StringRef opName, llvm::StringRef scheme,
                              bool vectorOnly, double &rate) const;

private:
  const CostCalibrationEntry *match(llvm::StringRef field, llvm::StringRef op,
                                    llvm::StringRef scheme, const ComputeUnit *unit,
                                    CostPhase phase) const;
  const HardwareSpec &hw;
  unsigned busy;
  const CostCalibration *calibration;
};

/// The cost of a graph as JSON (totals, levels, per-op-kind sums).
llvm::json::Object graphCostToJson(const GraphCost &cost);

/// The calibration database `slmc compile` reads when --calibration is not
/// given: $SLMC_CALIBRATION ("none": no database) if set, else for the
/// `native` target `calibration-native.json` in the user's cache folder
/// (userCacheFile; slmc-tune calibrate writes it) when it exists; else "".
std::string defaultCalibrationPath(const HardwareSpec &spec);

/// The report's `predicted` field: the cost model's times for the graph as
/// quantized, a prefill of `seq` tokens and one decode step after `past`:
/// per op (`node`: its ONNX node, as `--profile` names the kernels) and
/// in total (`total_ms`). docs/cost-model.md.
llvm::json::Object predictionReport(mlir::ModuleOp module, const HardwareSpec &spec,
                                    unsigned threads, const CostCalibration *calibration,
                                    int64_t seq, int64_t past);

} // namespace slm

#endif // SLMC_COMPILER_COSTMODEL_H
