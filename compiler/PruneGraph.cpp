//===- PruneGraph.cpp - Prune the projections of an slm module ------------===//

#include "compiler/PruneGraph.h"

#include "compiler/Compile.h"
#include "dialects/slm/IR/SlmOps.h"
#include "passes/Passes.h"

#include "mlir/IR/Builders.h"

#include <cmath>
#include <cstring>
#include <map>

#include <onnx/onnx_pb.h>

using namespace mlir;

namespace slm {

static llvm::Error makeError(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

llvm::Error applyPruning(ModuleOp module, WeightStore &weights, llvm::StringRef specText,
                         llvm::StringRef scoreText, std::vector<PruneRecord> &records) {
  if (specText.empty() || specText == "none")
    return llvm::Error::success();
  auto spec = parsePruneSpec(specText);
  if (!spec)
    return spec.takeError();
  auto score = parsePruneScore(scoreText.empty() ? "magnitude" : scoreText);
  if (!score)
    return score.takeError();
  if (*score == PruneScore::Activation)
    return makeError("--prune-score activation needs calibration activations, which slmc "
                     "cannot capture yet (docs/pruning.md); use magnitude");
  // Merged projections (slm-merge-projections) read one concatenated weight.
  if (auto err = materializeWeightConcats(module, weights))
    return err;

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
        auto stats = pruneWeight(values, type.getShape(), site.axis, *spec);
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
    zeros += r.stats.zeros;
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
      // A quantized or concatenated weight keeps the pruned name as is.
      auto it = byName.find(weight->str());
      if (it == byName.end())
        continue;
      const PruneRecord &r = *it->second;
      (*layer)["pruned"] = llvm::json::Object{{"method", r.method},
                                              {"score", r.score},
                                              {"dense_weight", r.weight},
                                              {"sparsity", round6(r.stats.sparsity())},
                                              {"removed", r.stats.removed},
                                              {"total", r.stats.total}};
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
