//===- CostModel.cpp - Roofline cost model over the slm graph -------------===//
//
// See CostModel.h and docs/cost-model.md.
//
//===----------------------------------------------------------------------===//

#include "compiler/CostModel.h"

#include "dialects/slm/IR/QuantSchemes.h"
#include "dialects/slm/IR/ShapeUtils.h"
#include "dialects/slm/IR/SlmOps.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

using namespace mlir;

namespace slm {

static llvm::Error makeError(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

llvm::StringRef costPhaseName(CostPhase phase) {
  return phase == CostPhase::Prefill ? "prefill" : "decode";
}

int64_t CostShape::symbolValue(llvm::StringRef name) const {
  std::string lower = name.lower();
  llvm::StringRef n(lower);
  if (n.contains("past"))
    return past;
  if (n.contains("total"))
    return past + seq;
  if (n.contains("seq") || n.contains("len"))
    return seq;
  if (n.contains("batch"))
    return batch;
  return 1;
}

//===----------------------------------------------------------------------===//
// Calibration database
//===----------------------------------------------------------------------===//

unsigned CostCalibrationEntry::specificity() const {
  return !target.empty() + !op.empty() + !scheme.empty() + !unit.empty() + !unitKind.empty() +
         !phase.empty();
}

namespace {

/// Error collection for the calibration file: "file: path: problem".
struct CalibrationReader {
  std::string source;
  std::optional<std::string> error;

  bool fail(const std::string &path, const llvm::Twine &msg) {
    if (!error)
      error = source + ": " + (path.empty() ? "" : path + ": ") + msg.str();
    return false;
  }
  static std::string describe(const llvm::json::Value &v) {
    std::string s;
    llvm::raw_string_ostream os(s);
    os << v;
    return s.size() > 40 ? s.substr(0, 37) + "..." : s;
  }
  bool checkKeys(const llvm::json::Object &o, const std::string &path,
                 llvm::ArrayRef<llvm::StringRef> allowed) {
    std::vector<std::string> keys;
    for (const auto &kv : o)
      keys.push_back(kv.first.str());
    std::sort(keys.begin(), keys.end());
    for (const std::string &k : keys)
      if (!llvm::is_contained(allowed, llvm::StringRef(k))) {
        std::string known;
        for (llvm::StringRef a : allowed)
          known += (known.empty() ? "" : ", ") + a.str();
        return fail(path, "unknown key '" + k + "' (known: " + known + ")");
      }
    return true;
  }
  bool readString(const llvm::json::Object &o, const std::string &path, llvm::StringRef key,
                  std::string &out) {
    const llvm::json::Value *v = o.get(key);
    if (!v)
      return true;
    auto s = v->getAsString();
    if (!s || s->trim().empty())
      return fail(path + "." + key.str(), "expected a non-empty string, got " + describe(*v));
    out = s->str();
    return true;
  }
  bool readNumber(const llvm::json::Object &o, const std::string &path, llvm::StringRef key,
                  std::optional<double> &out, bool allowZero = false) {
    const llvm::json::Value *v = o.get(key);
    if (!v)
      return true;
    auto d = v->getAsNumber();
    if (!d || !std::isfinite(*d) || *d < 0 || (!allowZero && *d == 0))
      return fail(path + "." + key.str(),
                  llvm::Twine("expected a ") + (allowZero ? "non-negative" : "positive") +
                      " number, got " + describe(*v));
    out = *d;
    return true;
  }
};

} // namespace

llvm::Expected<CostCalibration> parseCostCalibration(llvm::StringRef json,
                                                     llvm::StringRef sourceName) {
  CalibrationReader r{sourceName.str(), std::nullopt};
  auto parsed = llvm::json::parse(json);
  if (!parsed)
    return makeError(sourceName + ": invalid JSON: " + llvm::toString(parsed.takeError()));
  const llvm::json::Object *root = parsed->getAsObject();
  if (!root)
    return makeError(sourceName + ": expected a JSON object");
  CostCalibration cal;
  cal.origin = sourceName.str();
  if (!r.checkKeys(*root, "", {"format", "description", "entries", "memory"}))
    return makeError(*r.error);
  const llvm::json::Value *format = root->get("format");
  if (!format || format->getAsString() != llvm::StringRef("slmc-calibration-1"))
    return makeError(sourceName + ": format: expected \"slmc-calibration-1\"" +
                     (format ? ", got " + CalibrationReader::describe(*format)
                             : std::string(" (missing)")));
  r.readString(*root, "", "description", cal.description);
  static const std::set<std::string> phases = {"prefill", "decode"};
  static const std::set<std::string> kinds = {"vector", "matrix"};
  if (const llvm::json::Value *v = root->get("entries")) {
    const llvm::json::Array *a = v->getAsArray();
    if (!a)
      return makeError(sourceName + ": entries: expected an array");
    for (size_t i = 0; i < a->size(); ++i) {
      std::string path = "entries[" + std::to_string(i) + "]";
      const llvm::json::Object *o = (*a)[i].getAsObject();
      if (!o)
        return makeError(sourceName + ": " + path + ": expected an object");
      CostCalibrationEntry e;
      if (!r.checkKeys(*o, path,
                       {"target", "op", "scheme", "unit", "unit_kind", "phase",
                        "compute_efficiency", "memory_efficiency", "overhead_us", "dequant_ops",
                        "time_factor", "note", "measured_us", "predicted_us"}) ||
          !r.readString(*o, path, "target", e.target) || !r.readString(*o, path, "op", e.op) ||
          !r.readString(*o, path, "scheme", e.scheme) ||
          !r.readString(*o, path, "unit", e.unit) ||
          !r.readString(*o, path, "unit_kind", e.unitKind) ||
          !r.readString(*o, path, "phase", e.phase) || !r.readString(*o, path, "note", e.note) ||
          !r.readNumber(*o, path, "compute_efficiency", e.computeEfficiency) ||
          !r.readNumber(*o, path, "memory_efficiency", e.memoryEfficiency) ||
          !r.readNumber(*o, path, "overhead_us", e.overheadUs, /*allowZero=*/true) ||
          !r.readNumber(*o, path, "dequant_ops", e.dequantOps, /*allowZero=*/true) ||
          !r.readNumber(*o, path, "time_factor", e.timeFactor))
        return makeError(*r.error);
      std::optional<double> ignored;
      if (!r.readNumber(*o, path, "measured_us", ignored, true) ||
          !r.readNumber(*o, path, "predicted_us", ignored, true))
        return makeError(*r.error);
      if (!e.phase.empty() && !phases.count(e.phase))
        return makeError(sourceName + ": " + path + ".phase: unknown phase '" + e.phase +
                         "' (known: prefill, decode)");
      if (!e.unitKind.empty() && !kinds.count(e.unitKind))
        return makeError(sourceName + ": " + path + ".unit_kind: unknown unit kind '" +
                         e.unitKind + "' (known: vector, matrix)");
      if (!e.scheme.empty() && e.scheme != "fp32" &&
          !lookupQuantScheme(std::string_view(e.scheme)))
        return makeError(sourceName + ": " + path + ".scheme: unknown quantization scheme '" +
                         e.scheme + "' (known: fp32, " + quantSchemeNames() + ")");
      if (!e.computeEfficiency && !e.memoryEfficiency && !e.overheadUs && !e.dequantOps &&
          !e.timeFactor)
        return makeError(sourceName + ": " + path +
                         ": gives none of compute_efficiency, memory_efficiency, overhead_us, "
                         "dequant_ops, time_factor");
      cal.entries.push_back(std::move(e));
    }
  }
  if (const llvm::json::Value *v = root->get("memory")) {
    const llvm::json::Array *a = v->getAsArray();
    if (!a)
      return makeError(sourceName + ": memory: expected an array");
    for (size_t i = 0; i < a->size(); ++i) {
      std::string path = "memory[" + std::to_string(i) + "]";
      const llvm::json::Object *o = (*a)[i].getAsObject();
      if (!o)
        return makeError(sourceName + ": " + path + ": expected an object");
      CostCalibrationLevel l;
      std::optional<double> perCore, total;
      if (!r.checkKeys(*o, path, {"target", "level", "read_gbps_per_core", "read_gbps_total",
                                  "note"}) ||
          !r.readString(*o, path, "target", l.target) ||
          !r.readString(*o, path, "level", l.level) ||
          !r.readNumber(*o, path, "read_gbps_per_core", perCore) ||
          !r.readNumber(*o, path, "read_gbps_total", total))
        return makeError(*r.error);
      if (l.level.empty())
        return makeError(sourceName + ": " + path + ": missing required key 'level'");
      if (!perCore && !total)
        return makeError(sourceName + ": " + path +
                         ": needs read_gbps_per_core or read_gbps_total");
      l.readGBpsPerCore = perCore.value_or(0);
      l.readGBpsTotal = total.value_or(0);
      cal.memory.push_back(std::move(l));
    }
  }
  return cal;
}

llvm::Expected<CostCalibration> loadCostCalibration(llvm::StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return makeError("cannot read calibration file '" + path +
                     "': " + buffer.getError().message());
  return parseCostCalibration((*buffer)->getBuffer(), path);
}

//===----------------------------------------------------------------------===//
// Graph analysis
//===----------------------------------------------------------------------===//

namespace {

struct Evaluator {
  const CostShape &shape;
  std::map<std::string, int64_t, std::less<>> values;
  std::set<std::string> seen;

  int64_t dim(const DimExpr &d) {
    for (const std::string &s : d.symbols())
      if (!values.count(s)) {
        values[s] = shape.symbolValue(s);
        seen.insert(s);
      }
    return std::max<int64_t>(0, d.evaluate(values).value_or(1));
  }
  /// Element count of a ranked tensor type (1 for anything else).
  double elements(Type type) {
    auto shaped = dyn_cast<RankedTensorType>(type);
    if (!shaped)
      return 1;
    if (shaped.hasStaticShape())
      return double(shaped.getNumElements());
    auto sym = getSymbolicShape(type);
    if (!sym)
      return 1;
    double n = 1;
    for (const DimExpr &d : *sym)
      n *= double(dim(d));
    return n;
  }
  int64_t dimAt(Type type, int64_t i) {
    auto shaped = dyn_cast<RankedTensorType>(type);
    if (!shaped || i < 0 || i >= shaped.getRank())
      return 1;
    if (!shaped.isDynamicDim(i))
      return shaped.getDimSize(i);
    auto sym = getSymbolicShape(type);
    return sym ? dim((*sym)[i]) : 1;
  }
  static double elementBytes(Type type) {
    auto shaped = dyn_cast<ShapedType>(type);
    Type e = shaped ? shaped.getElementType() : type;
    unsigned bits = e.isIntOrFloat() ? e.getIntOrFloatBitWidth() : 32;
    return bits <= 8 ? 1.0 : bits / 8.0;
  }
  double bytes(Value v) { return elements(v.getType()) * elementBytes(v.getType()); }
};

/// The stored weight behind a projection operand: the slm.weight itself, or
/// the input of a [1, 0] transpose of one (tied embeddings as the lm_head).
WeightOp weightBehind(Value v) {
  if (auto w = v.getDefiningOp<WeightOp>())
    return w;
  if (auto t = v.getDefiningOp<TransposeOp>())
    if (llvm::equal(t.getPerm(), ArrayRef<int64_t>{1, 0}))
      return t.getInput().getDefiningOp<WeightOp>();
  return nullptr;
}

std::string schemeOfType(Type type) {
  QuantAttr q = getQuantEncoding(type);
  return q ? q.getScheme().str() : "none";
}

bool isTranscendental(Operation *op) {
  return isa<ExpOp, LogOp, CosOp, SinOp, TanhOp, ErfOp, SigmoidOp, SiluOp, GeluOp, SqrtOp,
             ReciprocalOp, PowOp>(op);
}


} // namespace

GraphWork analyzeGraph(ModuleOp module, const CostShape &shape) {
  GraphWork work;
  work.shape = shape;
  Evaluator ev{shape, {}, {}};
  auto main = module.lookupSymbol<func::FuncOp>("main");
  if (!main)
    return work;
  // Values that are KV cache inputs (past_*), so that their reads count as KV.
  llvm::DenseSet<Value> pastInputs;
  for (auto [i, arg] : llvm::enumerate(main.getArguments()))
    if (auto name = main.getArgAttrOfType<StringAttr>(i, "slm.name"))
      if (name.getValue().starts_with("past"))
        pastInputs.insert(arg);

  main.walk([&](Operation *op) {
    if (!isa_and_nonnull<SlmDialect>(op->getDialect()))
      return;
    if (isa<WeightOp, ConstantOp, DimsOp>(op))
      return;
    OpWork w;
    w.op = op;
    w.opName = op->getName().getStringRef().str();
    w.layer = onnxNodeName(op);
    // Activation bytes: operands that are neither weights nor the KV cache,
    // and results.
    auto isWeight = [](Value v) { return bool(weightBehind(v)); };
    for (Value v : op->getOperands())
      if (!isWeight(v) && !pastInputs.count(v))
        w.activationBytes += ev.bytes(v);
    for (Value v : op->getResults())
      w.activationBytes += ev.bytes(v);
    double outElems = op->getNumResults() ? ev.elements(op->getResult(0).getType()) : 0;
    w.kernels = 1;

    auto addProjection = [&](Value weightValue, int64_t m, int64_t k, int64_t n, bool gather,
                             int64_t axis) {
      WeightOp weight = weightBehind(weightValue);
      ProjectionWork p;
      p.weight = weight.getName().str();
      p.layer = layerNameOf(op);
      p.m = m;
      p.k = k;
      p.n = n;
      p.gather = gather;
      p.axis = weightValue.getDefiningOp<TransposeOp>() ? 1 : axis;
      p.scheme = schemeOfType(weight.getType());
      // The use the quantizer retypes: the weight's own operand, or the transpose's input.
      if (auto t = weightValue.getDefiningOp<TransposeOp>())
        p.operand = &t.getInputMutable();
      else
        for (OpOperand &use : op->getOpOperands())
          if (use.get() == weightValue) {
            p.operand = &use;
            break;
          }
      w.layer = p.layer;
      w.projections.push_back(std::move(p));
    };
    // [.., K] x [K, N] with the weight as `rhs`.
    auto projection = [&](Value x, Value rhs) -> bool {
      if (!weightBehind(rhs))
        return false;
      auto type = cast<RankedTensorType>(rhs.getType());
      if (type.getRank() != 2)
        return false;
      int64_t k = type.getDimSize(0), n = type.getDimSize(1);
      int64_t m = int64_t(ev.elements(x.getType()) / std::max<int64_t>(1, k));
      addProjection(rhs, m, k, n, false, 0);
      return true;
    };

    if (isa<ReshapeOp, SqueezeOp, UnsqueezeOp>(op)) {
      w.kernels = 0; // views
      w.activationBytes = 0;
    } else if (auto t = dyn_cast<TransposeOp>(op)) {
      if (weightBehind(t.getResult())) // a weight's transpose feeding a projection
        return;
    } else if (auto linear = dyn_cast<LinearOp>(op)) {
      if (projection(linear.getX(), linear.getWeight())) {
        const ProjectionWork &p = w.projections.back();
        w.vectorFlops += double(p.m) * p.n *
                         ((linear.getBias() ? 1 : 0) + (linear.getResidual() ? 1 : 0) +
                          (linear.getActivation() != "none" ? 8 : 0));
      } else {
        int64_t k = ev.dimAt(linear.getX().getType(),
                             cast<RankedTensorType>(linear.getX().getType()).getRank() - 1);
        w.matmulFlops += 2.0 * outElems * k;
      }
    } else if (auto mm = dyn_cast<MatMulOp>(op)) {
      if (!projection(mm.getLhs(), mm.getRhs())) {
        auto lhs = cast<RankedTensorType>(mm.getLhs().getType());
        w.matmulFlops += 2.0 * outElems * ev.dimAt(lhs, lhs.getRank() - 1);
      }
    } else if (auto gemm = dyn_cast<GemmOp>(op)) {
      WeightOp b = weightBehind(gemm.getB());
      auto a = cast<RankedTensorType>(gemm.getA().getType());
      int64_t k = ev.dimAt(a, gemm.getTransA() ? 0 : 1);
      if (b) {
        auto bt = cast<RankedTensorType>(gemm.getB().getType());
        int64_t n = gemm.getTransB() ? bt.getDimSize(0) : bt.getDimSize(1);
        addProjection(gemm.getB(), ev.dimAt(a, gemm.getTransA() ? 1 : 0), k, n, false,
                      gemm.getTransB() ? 1 : 0);
        w.vectorFlops += outElems;
      } else {
        w.matmulFlops += 2.0 * outElems * k;
      }
    } else if (auto mlp = dyn_cast<GatedMlpOp>(op)) {
      auto gate = cast<RankedTensorType>(mlp.getWGate().getType());
      int64_t k = gate.getDimSize(0);
      int64_t m = int64_t(ev.elements(mlp.getX().getType()) / std::max<int64_t>(1, k));
      int64_t inter = cast<RankedTensorType>(mlp.getWDown().getType()).getDimSize(0);
      if (weightBehind(mlp.getWGate()))
        addProjection(mlp.getWGate(), m, k, gate.getDimSize(1), false, 0);
      if (mlp.getWUp() && weightBehind(mlp.getWUp()))
        addProjection(mlp.getWUp(), m, k, inter, false, 0);
      if (weightBehind(mlp.getWDown()))
        addProjection(mlp.getWDown(), m, inter,
                      cast<RankedTensorType>(mlp.getWDown().getType()).getDimSize(1), false, 0);
      // act(gate) * up, the residual add; intermediates written and read.
      w.vectorFlops += double(m) * inter * 9 + (mlp.getResidual() ? outElems : 0);
      w.activationBytes += 4.0 * m * inter * 4;
      w.kernels = 4;
    } else if (auto gather = dyn_cast<GatherOp>(op)) {
      auto data = dyn_cast<RankedTensorType>(gather.getData().getType());
      if (gather.getAxis() == 0 && weightBehind(gather.getData()) && data &&
          data.getRank() == 2) {
        int64_t rows = int64_t(ev.elements(gather.getIndices().getType()));
        addProjection(gather.getData(), rows, data.getDimSize(1), data.getDimSize(0), true, 1);
      }
    } else if (auto attn = dyn_cast<AttentionOp>(op)) {
      Type q = attn.getQ().getType();
      int64_t b = ev.dimAt(q, 0), hq = ev.dimAt(q, 1), s = ev.dimAt(q, 2), d = ev.dimAt(q, 3);
      int64_t hkv = ev.dimAt(attn.getK().getType(), 1);
      int64_t t = ev.dimAt(attn.getPresentKey().getType(), 2);
      // Causal masks skip the keys after each query: on average past + (s + 1) / 2.
      double visible = attn.getMask() == "none" ? double(t) : double(t - s) + (s + 1) / 2.0;
      w.matmulFlops += 4.0 * b * hq * s * visible * d;
      w.vectorFlops += 5.0 * b * hq * s * visible;
      double elt = Evaluator::elementBytes(attn.getK().getType());
      // The present cache (in place: only the new rows are written) and its read.
      w.activationBytes = ev.bytes(attn.getQ()) + ev.bytes(attn.getOutput()) +
                          ev.bytes(attn.getK()) + ev.bytes(attn.getV()) +
                          (attn.getAttentionMask() ? ev.bytes(attn.getAttentionMask()) : 0);
      w.kvBytes = 2.0 * b * hkv * t * d * elt + 2.0 * b * hkv * s * d * elt;
      w.kernels = 3;
    } else if (isa<RmsNormOp>(op)) {
      w.vectorFlops += 4 * outElems;
    } else if (isa<LayerNormOp>(op)) {
      w.vectorFlops += 8 * outElems;
    } else if (isa<RotaryOp>(op)) {
      w.vectorFlops += 3 * outElems;
    } else if (isa<SoftmaxOp>(op)) {
      w.vectorFlops += 5 * outElems;
    } else if (isTranscendental(op)) {
      w.vectorFlops += 8 * outElems;
    } else if (isa<ReduceMeanOp, ReduceSumOp, ReduceMaxOp, ReduceMinOp>(op)) {
      w.vectorFlops += op->getNumOperands() ? ev.elements(op->getOperand(0).getType()) : 0;
    } else {
      w.vectorFlops += outElems;
    }
    work.ops.push_back(std::move(w));
  });
  for (const std::string &s : ev.seen)
    work.symbols.push_back({s, ev.values[s]});
  return work;
}

//===----------------------------------------------------------------------===//
// Costs
//===----------------------------------------------------------------------===//

bool isMatrixUnit(const ComputeUnit &unit) {
  std::string n = llvm::StringRef(unit.name).lower();
  llvm::StringRef s(n);
  return s.contains("amx") || s.contains("hmx") || s.contains("tensor") || s.contains("mmla");
}

double weightBytesOf(llvm::StringRef scheme, int64_t k, int64_t n) {
  double elements = double(k) * double(n);
  if (scheme == "none" || scheme == "fp32")
    return 4 * elements;
  const QuantScheme *s = lookupQuantScheme(std::string_view(scheme.data(), scheme.size()));
  return s ? elements * s->bitsPerWeight(k) / 8 : 4 * elements;
}

CostModel::CostModel(const HardwareSpec &spec, unsigned threads,
                     const CostCalibration *calibration)
    : hw(spec), busy(threads == 0 ? spec.cores : std::min(threads, spec.cores)),
      calibration(calibration) {
  if (busy == 0)
    busy = 1;
}

const CostCalibrationEntry *CostModel::match(llvm::StringRef field, llvm::StringRef op,
                                             llvm::StringRef scheme, const ComputeUnit *unit,
                                             CostPhase phase) const {
  if (!calibration)
    return nullptr;
  const CostCalibrationEntry *best = nullptr;
  llvm::StringRef kind = unit ? (isMatrixUnit(*unit) ? "matrix" : "vector") : "";
  for (const CostCalibrationEntry &e : calibration->entries) {
    bool has = (field == "compute" && e.computeEfficiency) ||
               (field == "memory" && e.memoryEfficiency) ||
               (field == "overhead" && e.overheadUs) || (field == "dequant" && e.dequantOps) ||
               (field == "time" && e.timeFactor);
    if (!has)
      continue;
    if ((!e.target.empty() && e.target != hw.name) || (!e.op.empty() && e.op != op) ||
        (!e.scheme.empty() && e.scheme != scheme) ||
        (!e.unit.empty() && (!unit || e.unit != unit->name)) ||
        (!e.unitKind.empty() && e.unitKind != kind) ||
        (!e.phase.empty() && e.phase != costPhaseName(phase)))
      continue;
    if (!best || e.specificity() >= best->specificity())
      best = &e;
  }
  return best;
}

double CostModel::computeEfficiency(const ComputeUnit &unit, CostPhase phase,
                                    llvm::StringRef opName, llvm::StringRef scheme) const {
  if (const CostCalibrationEntry *e = match("compute", opName, scheme, &unit, phase))
    return *e->computeEfficiency;
  bool matrix = isMatrixUnit(unit);
  bool contraction = !scheme.empty() || opName == "slm.attention" || opName == "slm.matmul" ||
                     opName == "slm.linear" || opName == "slm.gemm" ||
                     opName == "slm.gated_mlp" || opName == "slm.einsum";
  if (matrix)
    return phase == CostPhase::Prefill ? 0.5 : 0.05;
  if (!contraction)
    return 0.25; // element-wise work: transcendentals, reductions, shuffles
  return phase == CostPhase::Prefill ? 0.7 : 0.5;
}

double CostModel::memoryEfficiency(const MemoryLevel &level, CostPhase phase,
                                   llvm::StringRef opName, llvm::StringRef scheme) const {
  if (const CostCalibrationEntry *e = match("memory", opName, scheme, nullptr, phase))
    return *e->memoryEfficiency;
  return 0.8;
}

double CostModel::overheadUs(const OpWork &op, CostPhase phase) const {
  if (op.kernels == 0)
    return 0;
  double perKernel;
  if (const CostCalibrationEntry *e = match("overhead", op.opName, "", nullptr, phase))
    perKernel = *e->overheadUs;
  else
    perKernel = (hw.arch == "x86-64" || hw.arch == "aarch64") ? 1.0 : 2.0;
  return perKernel * op.kernels;
}

double CostModel::timeFactor(llvm::StringRef opName, llvm::StringRef scheme,
                             CostPhase phase) const {
  if (const CostCalibrationEntry *e = match("time", opName, scheme, nullptr, phase))
    return *e->timeFactor;
  return 1;
}

double CostModel::dequantOps(llvm::StringRef scheme, CostPhase phase) const {
  if (const CostCalibrationEntry *e = match("dequant", "", scheme, nullptr, phase))
    return *e->dequantOps;
  return 0;
}

double CostModel::usableBytes(const MemoryLevel &level) const {
  if (level.kind == MemoryKind::Main || level.bytes == 0 || level.name == "PSUM")
    return 0;
  double bytes = double(level.bytes) * (level.scope == Scope::Core ? busy : 1);
  return bytes * (level.kind == MemoryKind::Cache ? 0.5 : 0.9);
}

Residency CostModel::residency(double bytes) const {
  Residency r;
  const MemoryLevel *largest = nullptr;
  for (const MemoryLevel &level : hw.memory) {
    double usable = usableBytes(level);
    if (usable <= 0)
      continue;
    if (bytes <= usable) {
      r.level = &level;
      r.fraction = 1;
      return r;
    }
    if (!largest || usable > usableBytes(*largest))
      largest = &level;
  }
  if (!largest)
    return r;
  double c = usableBytes(*largest);
  double f = std::clamp((2 * c - bytes) / c, 0.0, 1.0);
  if (f > 0) {
    r.level = largest;
    r.fraction = f;
  }
  return r;
}

std::vector<double> CostModel::residencySteps() const {
  std::vector<double> steps;
  double largest = 0;
  for (const MemoryLevel &level : hw.memory)
    if (double usable = usableBytes(level); usable > 0) {
      steps.push_back(usable);
      largest = std::max(largest, usable);
    }
  // The ramp from the largest level to the main memory, finely enough that
  // interpolating between steps stays close to the exact cost.
  for (int i = 1; largest > 0 && i <= 16; ++i)
    steps.push_back(largest * (1 + i / 16.0));
  std::sort(steps.begin(), steps.end());
  steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
  return steps;
}

double CostModel::readSeconds(double bytes, const Residency &r, CostPhase phase,
                              llvm::StringRef opName, llvm::StringRef scheme) const {
  if (bytes <= 0)
    return 0;
  const MemoryLevel &main = hw.mainMemory();
  double seconds = 0;
  if (r.level && r.fraction > 0)
    seconds += bytes * r.fraction /
               (levelGBps(*r.level) * 1e9 * memoryEfficiency(*r.level, phase, opName, scheme));
  if (!r.level || r.fraction < 1)
    seconds += bytes * (r.level ? 1 - r.fraction : 1) /
               (levelGBps(main) * 1e9 * memoryEfficiency(main, phase, opName, scheme));
  return seconds;
}

std::string Residency::describe(const HardwareSpec &spec) const {
  if (!level)
    return spec.mainMemory().name;
  if (fraction >= 1)
    return level->name;
  return llvm::formatv("{0} ({1:f0} %) + {2}", level->name, fraction * 100,
                       spec.mainMemory().name)
      .str();
}

const MemoryLevel &CostModel::levelFor(double bytes) const {
  for (const MemoryLevel &level : hw.memory)
    if (level.kind != MemoryKind::Main && bytes <= usableBytes(level))
      return level;
  return hw.mainMemory();
}

double CostModel::levelGBps(const MemoryLevel &level) const {
  if (calibration) {
    const CostCalibrationLevel *best = nullptr;
    for (const CostCalibrationLevel &l : calibration->memory)
      if (l.level == level.name && (l.target.empty() || l.target == hw.name) &&
          (!best || !l.target.empty() || best->target.empty()))
        best = &l;
    if (best) {
      MemoryLevel copy;
      copy.readGBpsPerCore = best->readGBpsPerCore;
      copy.readGBpsTotal = best->readGBpsTotal;
      return copy.readGBps(busy);
    }
  }
  if (double gbps = level.readGBps(busy); gbps > 0)
    return gbps;
  // On-chip levels without a figure: bytes per cycle per core from the
  // vector width (position among the caches; scratchpads stream at 1 vector).
  double perCycle = hw.vectorBits / 8.0;
  if (level.kind == MemoryKind::Cache) {
    unsigned position = 0;
    for (const MemoryLevel &l : hw.memory) {
      if (&l == &level)
        break;
      position += l.kind == MemoryKind::Cache;
    }
    perCycle *= position == 0 ? 2.0 : position == 1 ? 1.0 : 0.5;
  }
  return perCycle * hw.clockGHz * busy;
}

const ComputeUnit *CostModel::bestUnit(ComputeType type, llvm::ArrayRef<std::string> names,
                                       CostPhase phase, llvm::StringRef opName,
                                       llvm::StringRef scheme, bool vectorOnly,
                                       double &rate) const {
  const ComputeUnit *best = nullptr;
  rate = 0;
  for (const ComputeUnit &u : hw.units) {
    if (!names.empty() && !llvm::is_contained(names, u.name))
      continue;
    if (vectorOnly && isMatrixUnit(u))
      continue;
    double peak = hw.peakOpsPerSecond(u, type, busy);
    if (peak <= 0)
      continue;
    double r = peak * computeEfficiency(u, phase, opName, scheme);
    if (r > rate) {
      rate = r;
      best = &u;
    }
  }
  return best;
}

llvm::Expected<PartCost> CostModel::projectionCost(const ProjectionWork &p,
                                                   llvm::StringRef opName,
                                                   llvm::StringRef scheme, CostPhase phase,
                                                   const Residency &weights,
                                                   const MemoryLevel &activationLevel) const {
  llvm::StringRef specScheme = scheme == "none" ? llvm::StringRef("fp32") : scheme;
  const QuantSupport *q = hw.quantSupport(specScheme);
  if (!q)
    return makeError("target '" + hw.name + "' does not run scheme '" + specScheme + "'");
  PartCost c;
  c.compute = q->compute;
  c.extraCostFactor = q->emulated ? q->extraCostFactor : 1.0;
  double weightBytes = weightBytesOf(scheme, p.k, p.n);
  if (p.gather) {
    // m rows of the table: no multiply, a copy (widened to f32).
    double rowBytes = weightBytes / std::max<int64_t>(1, p.n);
    double read = rowBytes * p.m;
    double rate = 0;
    const ComputeUnit *u = bestUnit(ComputeType::F32, {}, phase, opName, specScheme, true, rate);
    c.unit = u ? u->name : "";
    c.flops = double(p.m) * p.k;
    c.bytes = read;
    c.level = hw.mainMemory().name;
    c.computeUs = rate > 0 ? c.flops / rate * 1e6 : 0;
    c.memoryUs = read / (levelGBps(hw.mainMemory()) * 1e9 *
                         memoryEfficiency(hw.mainMemory(), phase, opName, specScheme)) *
                 1e6;
    c.timeUs = std::max(c.computeUs, c.memoryUs) * c.extraCostFactor;
    return c;
  }
  double rate = 0;
  const ComputeUnit *u = bestUnit(q->compute, q->units, phase, opName, specScheme, false, rate);
  if (!u)
    return makeError("target '" + hw.name + "': no unit runs " + computeTypeName(q->compute) +
                     " for scheme '" + specScheme + "'");
  c.unit = u->name;
  c.level = weights.describe(hw);
  double macs = double(p.m) * p.k * p.n;
  c.flops = 2 * macs;
  double computeSeconds = c.flops / rate;
  // Emulated schemes whose spec says how they widen the weights: that work
  // on the vector units, once per weight (decode) or row block (prefill).
  double blocks = phase == CostPhase::Decode ? 1.0 : std::ceil(double(p.m) / 64.0);
  if (q->emulated && q->dequantOps > 0) {
    double vrate = 0;
    bestUnit(ComputeType::F32, {}, phase, opName, specScheme, true, vrate);
    double extra = q->dequantOps * double(p.k) * p.n * blocks;
    c.flops += extra;
    computeSeconds += vrate > 0 ? extra / vrate : 0;
  }
  // Weight-only schemes widen each weight once per row block (decode: once).
  if (double ops = dequantOps(scheme, phase); ops > 0) {
    double extra = ops * double(p.k) * p.n * blocks;
    c.flops += extra;
    computeSeconds += extra / rate;
  }
  double actBytes = 0;
  const QuantScheme *record = lookupQuantScheme(std::string_view(scheme.data(), scheme.size()));
  if (record && record->activations == ActivationQuant::Int8PerToken) {
    // Dynamic per-token quantization of x: max, scale, round, convert on
    // the vector unit; x read, int8 codes written and read.
    double vrate = 0;
    bestUnit(ComputeType::F32, {}, phase, opName, specScheme, true, vrate);
    double ops = 4.0 * p.m * p.k;
    c.flops += ops;
    computeSeconds += vrate > 0 ? ops / vrate : 0;
    actBytes = 6.0 * p.m * p.k;
  }
  c.bytes = weightBytes + actBytes;
  c.computeUs = computeSeconds * 1e6;
  c.memoryUs = (readSeconds(weightBytes, weights, phase, opName, specScheme) +
                actBytes / (levelGBps(activationLevel) * 1e9 *
                            memoryEfficiency(activationLevel, phase, opName, specScheme))) *
               1e6;
  c.timeUs = std::max(c.computeUs, c.memoryUs) * c.extraCostFactor *
             timeFactor(opName, specScheme, phase);
  return c;
}

PartCost CostModel::restCost(const OpWork &op, CostPhase phase,
                             const MemoryLevel &activationLevel, const Residency &kv,
                             llvm::StringRef scheme) const {
  PartCost c;
  c.level = activationLevel.name;
  double seconds = 0;
  if (op.vectorFlops > 0) {
    double rate = 0;
    const ComputeUnit *u = bestUnit(ComputeType::F32, {}, phase, op.opName, "", true, rate);
    if (u && rate > 0) {
      seconds += op.vectorFlops / rate;
      c.unit = u->name;
    }
  }
  if (op.matmulFlops > 0) {
    // Activation x activation products run where fp32 projections do.
    const QuantSupport *fp32 = hw.quantSupport("fp32");
    std::vector<std::string> units = fp32 ? fp32->units : std::vector<std::string>{};
    double rate = 0;
    const ComputeUnit *u =
        bestUnit(ComputeType::F32, units, phase, op.opName, "", false, rate);
    if (!u)
      u = bestUnit(ComputeType::F32, {}, phase, op.opName, "", false, rate);
    if (u && rate > 0) {
      seconds += op.matmulFlops / rate;
      c.unit = u->name;
    }
  }
  c.flops = op.vectorFlops + op.matmulFlops;
  c.bytes = op.activationBytes + op.kvBytes;
  c.computeUs = seconds * 1e6;
  c.memoryUs = (op.activationBytes / (levelGBps(activationLevel) * 1e9 *
                                      memoryEfficiency(activationLevel, phase, op.opName, "")) +
                readSeconds(op.kvBytes, kv, phase, op.opName, "")) *
               1e6;
  c.timeUs = std::max(c.computeUs, c.memoryUs) * timeFactor(op.opName, scheme, phase);
  return c;
}

llvm::Expected<GraphCost>
CostModel::costGraph(const GraphWork &work,
                     llvm::function_ref<std::string(const ProjectionWork &)> schemeOf) const {
  GraphCost g;
  CostPhase phase = work.shape.phase;
  auto scheme = [&](const ProjectionWork &p) { return schemeOf ? schemeOf(p) : p.scheme; };
  // The step's persistent working sets: each weight re-read every step
  // (embedding tables only by the rows looked up), and the KV cache.
  std::map<std::string, double> resident;
  for (const OpWork &op : work.ops) {
    for (const ProjectionWork &p : op.projections) {
      double bytes = weightBytesOf(scheme(p), p.k, p.n);
      if (!p.gather)
        resident[p.weight + "#" + scheme(p)] = bytes;
    }
    g.kvBytes += op.kvBytes;
  }
  std::set<std::string> counted;
  for (const OpWork &op : work.ops)
    for (const ProjectionWork &p : op.projections)
      if (counted.insert(p.weight + "#" + scheme(p)).second)
        g.weightBytes += weightBytesOf(scheme(p), p.k, p.n);
  for (auto &[name, bytes] : resident)
    g.residentWeightBytes += bytes;
  Residency weightLevel = residency(g.residentWeightBytes);
  Residency kvLevel = residency(g.kvBytes);
  g.weightLevel = weightLevel.describe(hw);
  g.kvLevel = kvLevel.describe(hw);
  for (const OpWork &op : work.ops) {
    OpCost c;
    c.work = &op;
    const MemoryLevel &actLevel = levelFor(op.activationBytes);
    for (const ProjectionWork &p : op.projections) {
      auto part = projectionCost(p, op.opName, scheme(p), phase, weightLevel, actLevel);
      if (!part)
        return part.takeError();
      c.projections.push_back(*part);
    }
    std::string opScheme;
    if (!op.projections.empty())
      opScheme = scheme(op.projections.front());
    c.rest = restCost(op, phase, actLevel, kvLevel, opScheme == "none" ? "fp32" : opScheme);
    c.overheadUs = overheadUs(op, phase);
    c.predictedUs = c.rest.timeUs + c.overheadUs;
    c.flops = c.rest.flops;
    c.bytes = c.rest.bytes;
    c.computeUs = c.rest.computeUs;
    c.memoryUs = c.rest.memoryUs;
    for (const PartCost &p : c.projections) {
      c.predictedUs += p.timeUs;
      c.flops += p.flops;
      c.bytes += p.bytes;
      c.computeUs += p.computeUs;
      c.memoryUs += p.memoryUs;
    }
    g.totalUs += c.predictedUs;
    g.ops.push_back(std::move(c));
  }
  return g;
}

llvm::json::Object graphCostToJson(const GraphCost &cost) {
  std::map<std::string, std::pair<int64_t, double>> byKind;
  for (const OpCost &c : cost.ops) {
    auto &[count, us] = byKind[c.work->opName];
    ++count;
    us += c.predictedUs;
  }
  llvm::json::Object kinds;
  for (auto &[name, v] : byKind)
    kinds[name] = llvm::json::Object{{"count", v.first},
                                     {"predicted_us", std::round(v.second * 1000) / 1000}};
  return llvm::json::Object{
      {"predicted_us", std::round(cost.totalUs * 1000) / 1000},
      {"weight_bytes", int64_t(std::llround(cost.weightBytes))},
      {"weights_read_from", cost.weightLevel},
      {"kv_bytes", int64_t(std::llround(cost.kvBytes))},
      {"kv_read_from", cost.kvLevel},
      {"ops", std::move(kinds)},
  };
}

std::string defaultCalibrationPath(const HardwareSpec &spec) {
  if (const char *env = std::getenv("SLMC_CALIBRATION"))
    return llvm::StringRef(env) == "none" ? std::string() : std::string(env);
  if (spec.name != "native")
    return "";
  std::string path = userCacheFile("calibration-native.json");
  return !path.empty() && llvm::sys::fs::exists(path) ? path : "";
}

llvm::json::Object predictionReport(ModuleOp module, const HardwareSpec &spec, unsigned threads,
                                    const CostCalibration *calibration, int64_t seq,
                                    int64_t past) {
  CostModel model(spec, threads, calibration);
  auto round3 = [](double v) { return std::round(v * 1000) / 1000; };
  llvm::json::Object out{{"target", spec.name},
                         {"threads", int64_t(model.threads())},
                         {"calibration", calibration ? llvm::json::Value(calibration->origin)
                                                     : llvm::json::Value(nullptr)}};
  for (CostShape shape : {CostShape::prefill(seq), CostShape::decode(past)}) {
    GraphWork work = analyzeGraph(module, shape);
    llvm::json::Object phase{{"seq", shape.seq}, {"past", shape.past}};
    auto cost = model.costGraph(work);
    if (!cost) {
      phase["error"] = llvm::toString(cost.takeError());
      out[costPhaseName(shape.phase)] = std::move(phase);
      continue;
    }
    llvm::json::Array ops;
    for (const OpCost &c : cost->ops) {
      if (c.predictedUs <= 0)
        continue; // views
      llvm::json::Array schemes;
      for (const ProjectionWork &p : c.work->projections)
        schemes.push_back(p.scheme);
      llvm::json::Object op{{"node", c.work->layer},
                            {"op", c.work->opName},
                            {"predicted_us", round3(c.predictedUs)},
                            {"projections_us", round3(c.predictedUs - c.rest.timeUs -
                                                      c.overheadUs)},
                            {"compute_us", round3(c.computeUs)},
                            {"memory_us", round3(c.memoryUs)},
                            {"overhead_us", round3(c.overheadUs)},
                            {"kernels", int64_t(c.work->kernels)}};
      if (!schemes.empty())
        op["schemes"] = std::move(schemes);
      ops.push_back(std::move(op));
    }
    phase["total_ms"] = std::round(cost->totalUs) / 1000;
    phase["weights_read_from"] = cost->weightLevel;
    phase["weight_bytes"] = int64_t(std::llround(cost->weightBytes));
    phase["ops"] = std::move(ops);
    out[costPhaseName(shape.phase)] = std::move(phase);
  }
  return out;
}

} // namespace slm
