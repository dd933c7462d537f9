//===- PruneGraph.cpp - Prune the projections of an slm module ------------===//

#include "compiler/PruneGraph.h"

#include "compiler/Compile.h"
#include "dialects/slm/IR/SlmOps.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cmath>
#include <cstring>
#include <map>

#include <onnx/onnx_pb.h>

using namespace mlir;

namespace slm {

static llvm::Error makeError(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

llvm::Expected<PruneNorms> loadPruneNorms(llvm::StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return makeError("cannot read '" + path + "': " + buffer.getError().message());
  auto json = llvm::json::parse((*buffer)->getBuffer());
  if (!json)
    return makeError("'" + path + "': " + llvm::toString(json.takeError()));
  const llvm::json::Object *root = json->getAsObject();
  const llvm::json::Object *map = root ? root->getObject("weights") : nullptr;
  if (!map)
    return makeError("'" + path + "' has no \"weights\" object");
  PruneNorms norms;
  for (const auto &[name, value] : *map) {
    const llvm::json::Array *list = value.getAsArray();
    if (!list)
      return makeError("'" + path + "': weights." + name.str() + " is not an array");
    std::vector<float> &out = norms[name.str()];
    for (const llvm::json::Value &v : *list) {
      auto d = v.getAsNumber();
      if (!d)
        return makeError("'" + path + "': weights." + name.str() + " holds a non-number");
      out.push_back(float(*d));
    }
  }
  return norms;
}

/// The activation the projection of `op` reads, for weight operand `operand`.
static Value projectionInput(Operation *op, OpOperand *operand) {
  if (auto matmul = dyn_cast<MatMulOp>(op))
    return matmul.getLhs();
  if (auto linear = dyn_cast<LinearOp>(op))
    return linear.getX();
  if (auto gemm = dyn_cast<GemmOp>(op))
    return gemm.getA();
  if (auto mlp = dyn_cast<GatedMlpOp>(op))
    if (operand != &mlp.getWDownMutable())
      return mlp.getX();
  return {};
}

llvm::Error addPruneCaptureOutputs(ModuleOp module) {
  auto main = module.lookupSymbol<func::FuncOp>("main");
  if (!main)
    return makeError("the module has no @main");
  SmallVector<Value> values;
  SmallVector<std::string> names;
  std::map<std::string, bool> seen;
  main.walk([&](Operation *op) {
    if (isa<GatherOp>(op))
      return;
    SmallVector<QuantizableWeight> found = quantizableWeights(op);
    if (found.empty() || layerNameOf(op) == "lm_head")
      return;
    for (QuantizableWeight &w : found) {
      Value input = projectionInput(op, w.operand);
      auto weight = w.operand->get().getDefiningOp<WeightOp>();
      if (!input || !weight || seen[weight.getName().str()])
        continue;
      seen[weight.getName().str()] = true;
      values.push_back(input);
      names.push_back(("capture." + weight.getName()).str());
    }
  });
  if (values.empty())
    return makeError("--prune-capture: the model has no projection to capture");
  auto ret = cast<func::ReturnOp>(main.getBody().back().getTerminator());
  SmallVector<DictionaryAttr> attrs;
  for (unsigned i = 0; i < main.getNumResults(); ++i)
    attrs.push_back(main.getResultAttrDict(i) ? main.getResultAttrDict(i)
                                              : DictionaryAttr::get(main.getContext()));
  // Each output is the per-channel sum of squares over all tokens: x * x
  // summed over every axis but the last (a new value: returning the
  // activation itself would alias buffers the kernels update in place).
  OpBuilder b(ret);
  for (Value &value : values) {
    auto type = cast<RankedTensorType>(value.getType());
    SmallVector<int64_t> axes;
    for (int64_t i = 0; i + 1 < type.getRank(); ++i)
      axes.push_back(i);
    Value square = MulOp::create(b, ret.getLoc(), value, value);
    value = ReduceSumOp::create(b, ret.getLoc(), square, b.getDenseI64ArrayAttr(axes),
                                b.getBoolAttr(false));
  }
  SmallVector<Type> results(main.getResultTypes());
  for (auto [value, name] : llvm::zip(values, names)) {
    results.push_back(value.getType());
    attrs.push_back(b.getDictionaryAttr(b.getNamedAttr("slm.name", b.getStringAttr(name))));
  }
  ret->insertOperands(ret->getNumOperands(), values);
  main.setFunctionType(b.getFunctionType(main.getArgumentTypes(), results));
  main.setAllResultAttrs(attrs);
  return llvm::Error::success();
}

/// The fp32 values of weight `name`.
static llvm::Expected<std::vector<float>> fp32Values(WeightStore &weights, StringRef name) {
  const WeightEntry *entry = weights.lookup(name);
  if (!entry)
    return makeError("weight '" + name + "' is not in the weight store");
  if (entry->onnxDataType != onnx::TensorProto::FLOAT)
    return makeError("weight '" + entry->name + "' is not fp32: only fp32 weights are pruned");
  std::vector<float> values(entry->bytes.size() / 4);
  std::memcpy(values.data(), entry->bytes.data(), values.size() * 4);
  return values;
}

/// Adds `values` (shape `dims`) to the store as owned weight `name` and
/// returns a new slm.weight op for it right after `source`.
static llvm::Expected<WeightOp> addPrunedWeight(WeightStore &weights, WeightOp source,
                                                const std::string &name,
                                                const std::vector<float> &values,
                                                ArrayRef<int64_t> dims) {
  if (!weights.lookup(name)) {
    std::vector<uint8_t> bytes(values.size() * 4);
    std::memcpy(bytes.data(), values.data(), bytes.size());
    auto added = weights.addOwned(name, onnx::TensorProto::FLOAT,
                                  std::vector<int64_t>(dims.begin(), dims.end()),
                                  std::move(bytes));
    if (!added)
      return added.takeError();
  }
  OpBuilder b(source);
  b.setInsertionPointAfter(source);
  auto type = RankedTensorType::get(dims, b.getF32Type());
  return WeightOp::create(b, source.getLoc(), type, FlatSymbolRefAttr::get(b.getContext(), name));
}

/// mlp:F (see applyPruning): every slm.gated_mlp gets smaller weights.
static llvm::Error pruneMlpChannels(ModuleOp module, WeightStore &weights, const PruneSpec &spec,
                                   PruneScore score, const PruneNorms *norms,
                                   std::vector<PruneRecord> &records) {
  SmallVector<GatedMlpOp> mlps;
  module.walk([&](GatedMlpOp op) { mlps.push_back(op); });
  if (mlps.empty())
    return makeError("--prune " + spec.str() + ": the model has no gated MLP (slm.gated_mlp) "
                     "to prune; mlp:F needs the fused graph (not --no-fusion)");
  std::string suffix = "#prune-" + spec.str();
  for (GatedMlpOp op : mlps) {
    auto gateOp = op.getWGate().getDefiningOp<WeightOp>();
    auto upOp = op.getWUp() ? op.getWUp().getDefiningOp<WeightOp>() : WeightOp();
    auto downOp = op.getWDown().getDefiningOp<WeightOp>();
    if (!gateOp || !downOp || (op.getWUp() && !upOp))
      return makeError("--prune " + spec.str() + ": a gated MLP's weights are not stored "
                       "weights (" + layerNameOf(op) + ")");
    auto gate = fp32Values(weights, gateOp.getName());
    if (!gate)
      return gate.takeError();
    auto down = fp32Values(weights, downOp.getName());
    if (!down)
      return down.takeError();
    std::vector<float> upValues;
    if (upOp) {
      auto up = fp32Values(weights, upOp.getName());
      if (!up)
        return up.takeError();
      upValues = std::move(*up);
    }
    auto gateType = cast<RankedTensorType>(gateOp.getType());
    auto downType = cast<RankedTensorType>(downOp.getType());
    int64_t k = gateType.getDimSize(0), gateCols = gateType.getDimSize(1);
    int64_t inter = downType.getDimSize(0), h = downType.getDimSize(1);
    bool fused = op.getFusedGateUp();
    // The up projection's column c: up's own, or the fused weight's c + inter.
    const float *upBase = fused ? gate->data() + inter : upValues.data();
    int64_t upStride = fused ? gateCols : inter;

    std::vector<float> scores(inter);
    for (int64_t c = 0; c < inter; ++c) {
      double d = 0, g = 0, u = 0;
      for (int64_t j = 0; j < h; ++j)
        d += double((*down)[c * h + j]) * (*down)[c * h + j];
      scores[c] = float(std::sqrt(d));
      if (score == PruneScore::Activation)
        continue; // times ||h_c|| below
      for (int64_t r = 0; r < k; ++r) {
        double gv = (*gate)[r * gateCols + c], uv = upBase[r * upStride + c];
        g += gv * gv;
        u += uv * uv;
      }
      scores[c] = float(std::sqrt(d * g * u));
    }
    if (score == PruneScore::Activation) {
      // The down projection's input norms are those of h_c.
      auto it = norms->find(downOp.getName().str());
      if (it == norms->end())
        return makeError("--prune-norms has no norms for weight '" + downOp.getName() + "'");
      if (int64_t(it->second.size()) != inter)
        return makeError(llvm::formatv("weight '{0}': {1} input norms for a reduction dim of "
                                       "{2}",
                                       downOp.getName(), it->second.size(), inter)
                             .str());
      for (int64_t c = 0; c < inter; ++c) {
        float n = it->second[c];
        if (!(n >= 0) || !std::isfinite(n))
          return makeError("weight '" + downOp.getName() + "': input norms must be finite "
                           "and non-negative");
        scores[c] *= n;
      }
    }
    // Keep a multiple of 8 channels where the model has one (SIMD widths,
    // quantization groups and 2:4 groups along the down's reduction).
    std::vector<int64_t> kept = keptChannels(scores, spec.sparsity, inter % 8 ? 1 : 8);
    int64_t keep = kept.size();

    // gate (and up) columns, down rows.
    auto columns = [&](const float *base, int64_t stride, std::vector<float> &out) {
      for (int64_t r = 0; r < k; ++r)
        for (int64_t c : kept)
          out.push_back(base[r * stride + c]);
    };
    std::vector<float> newGate, newUp, newDown;
    if (fused) {
      // [K, 2I'] row by row: the kept gate columns, then the kept up columns.
      for (int64_t r = 0; r < k; ++r) {
        for (int64_t c : kept)
          newGate.push_back((*gate)[r * gateCols + c]);
        for (int64_t c : kept)
          newGate.push_back((*gate)[r * gateCols + inter + c]);
      }
    } else {
      columns(gate->data(), gateCols, newGate);
      columns(upValues.data(), inter, newUp);
    }
    for (int64_t c : kept)
      newDown.insert(newDown.end(), down->begin() + c * h, down->begin() + (c + 1) * h);

    std::string layer = layerNameOf(op);
    auto replace = [&](WeightOp source, OpOperand &operand, const std::vector<float> &values,
                       SmallVector<int64_t, 2> dims) -> llvm::Error {
      std::string name = (source.getName() + suffix).str();
      int64_t total = cast<RankedTensorType>(source.getType()).getNumElements();
      auto made = addPrunedWeight(weights, source, name, values, dims);
      if (!made)
        return made.takeError();
      operand.set(made->getResult());
      PruneRecord record{layer, source.getName().str(), name, spec.str(),
                         pruneScoreName(score).str(), {}};
      record.stats.total = total;
      record.stats.removed = total - int64_t(values.size());
      record.channels = inter;
      record.channelsRemoved = inter - keep;
      records.push_back(record);
      return llvm::Error::success();
    };
    if (auto err = replace(gateOp, op.getWGateMutable(), newGate, {k, fused ? 2 * keep : keep}))
      return err;
    if (upOp)
      if (auto err = replace(upOp, op.getWUpMutable()[0], newUp, {k, keep}))
        return err;
    if (auto err = replace(downOp, op.getWDownMutable(), newDown, {keep, h}))
      return err;
  }
  module.walk([](WeightOp w) {
    if (w->use_empty())
      w->erase();
  });
  return llvm::Error::success();
}

llvm::Error applyPruning(ModuleOp module, WeightStore &weights, llvm::StringRef specText,
                         llvm::StringRef scoreText, std::vector<PruneRecord> &records,
                         const PruneNorms *norms) {
  if (specText.empty() || specText == "none")
    return llvm::Error::success();
  auto spec = parsePruneSpec(specText);
  if (!spec)
    return spec.takeError();
  auto score = parsePruneScore(scoreText.empty() ? "magnitude" : scoreText);
  if (!score)
    return score.takeError();
  if (*score == PruneScore::Activation && !norms)
    return makeError("--prune-score activation needs --prune-norms (input-channel norms "
                     "from tools/slmc-prune-calibrate.py, docs/pruning.md)");
  // Merged projections (slm-merge-projections) read one concatenated weight.
  if (auto err = materializeWeightConcats(module, weights))
    return err;
  if (spec->structured())
    return pruneMlpChannels(module, weights, *spec, *score, norms, records);

  struct Site {
    OpOperand *operand;
    int64_t axis;
    std::string layer;
  };
  SmallVector<Site> sites;
  module.walk([&](Operation *op) {
    if (isa<GatherOp>(op)) // the embedding table
      return;
    SmallVector<QuantizableWeight> found = quantizableWeights(op);
    if (found.empty())
      return;
    std::string layer = layerNameOf(op);
    if (layer == "lm_head")
      return;
    for (QuantizableWeight &w : found)
      sites.push_back({w.operand, w.axis, layer});
  });

  std::string suffix = "#prune-" + spec->str();
  // One pruned weight op per (weight, axis).
  std::map<std::pair<std::string, int64_t>, WeightOp> made;
  for (Site &site : sites) {
    auto source = site.operand->get().getDefiningOp<WeightOp>();
    auto type = cast<RankedTensorType>(source.getType());
    std::string name = (source.getName() + suffix).str();
    if (site.axis == 1)
      name += "#axis1";
    WeightOp &pruned = made[{source.getName().str(), site.axis}];
    if (!pruned) {
      if (!weights.lookup(name)) {
        const WeightEntry *entry = weights.lookup(source.getName());
        if (!entry)
          return makeError("weight '" + source.getName() + "' is not in the weight store");
        if (entry->onnxDataType != onnx::TensorProto::FLOAT)
          return makeError("weight '" + entry->name + "' is not fp32: only fp32 weights are "
                           "pruned");
        size_t count = entry->bytes.size() / 4;
        std::vector<float> values(count);
        std::memcpy(values.data(), entry->bytes.data(), count * 4);
        llvm::ArrayRef<float> inputNorms;
        if (*score == PruneScore::Activation) {
          // A merged weight "a+b+c": the parts read the same input.
          std::string part = source.getName().split('+').first.str();
          auto it = norms->find(part);
          if (it == norms->end())
            return makeError("--prune-norms has no norms for weight '" + part + "'");
          inputNorms = it->second;
        }
        auto stats = pruneWeight(values, type.getShape(), site.axis, *spec, inputNorms);
        if (!stats)
          return makeError("weight '" + entry->name + "': " + llvm::toString(stats.takeError()));
        std::vector<uint8_t> bytes(count * 4);
        std::memcpy(bytes.data(), values.data(), count * 4);
        auto added = weights.addOwned(name, onnx::TensorProto::FLOAT, entry->dims,
                                      std::move(bytes));
        if (!added)
          return added.takeError();
        records.push_back({site.layer, source.getName().str(), name, spec->str(),
                           pruneScoreName(*score).str(), *stats});
      }
      OpBuilder b(source);
      b.setInsertionPointAfter(source);
      pruned = WeightOp::create(b, source.getLoc(), type,
                                FlatSymbolRefAttr::get(b.getContext(), name));
    }
    site.operand->set(pruned.getResult());
  }
  module.walk([](WeightOp w) {
    if (w->use_empty())
      w->erase();
  });
  return llvm::Error::success();
}

static double round6(double v) { return std::round(v * 1e6) / 1e6; }

void addPruneReport(llvm::json::Object &report, const std::vector<PruneRecord> &records) {
  if (records.empty())
    return;
  std::map<std::string, const PruneRecord *> byName;
  int64_t total = 0, zeros = 0, removed = 0;
  for (const PruneRecord &r : records) {
    byName[r.pruned] = &r;
    total += r.stats.total;
    zeros += r.channels ? r.stats.removed : r.stats.zeros;
    removed += r.stats.removed;
  }
  if (llvm::json::Array *layers = report.getArray("layers"))
    for (llvm::json::Value &value : *layers) {
      llvm::json::Object *layer = value.getAsObject();
      if (!layer)
        continue;
      auto weight = layer->getString("weight");
      if (!weight)
        continue;
      // A quantized weight keeps the pruned name as is; --quant-simulate's
      // is "<pruned>#<scheme>#simulated".
      auto it = byName.find(weight->str());
      if (it == byName.end())
        it = byName.find(weight->split("#simulated").first.rsplit('#').first.str());
      if (it == byName.end())
        continue;
      const PruneRecord &r = *it->second;
      llvm::json::Object entry{{"method", r.method},
                               {"score", r.score},
                               {"dense_weight", r.weight},
                               {"sparsity", round6(r.sparsity())},
                               {"removed", r.stats.removed},
                               {"total", r.stats.total}};
      if (r.channels) {
        entry["channels"] = r.channels;
        entry["channels_removed"] = r.channelsRemoved;
      }
      (*layer)["pruned"] = std::move(entry);
    }
  report["pruning"] = llvm::json::Object{
      {"method", records.front().method},
      {"score", records.front().score},
      {"weights", int64_t(records.size())},
      {"removed", removed},
      {"total", total},
      {"sparsity", round6(total ? double(zeros) / double(total) : 0)}};
}

} // namespace slm
