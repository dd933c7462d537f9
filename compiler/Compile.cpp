//===- Compile.cpp - ONNX model to .slmpkg --------------------------------===//

#include "compiler/Compile.h"

#include "compiler/Codegen.h"
#include "compiler/PackageWriter.h"
#include "compiler/PruneGraph.h"
#include "dialects/slm/IR/SlmOps.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstring>
#include <deque>
#include <map>

#include <onnx/onnx_pb.h>

using namespace mlir;

namespace slm {

static llvm::Error makeError(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

/// ONNX TensorProto data type of an MLIR element type (0 if none).
static int32_t onnxDataType(Type t) {
  if (t.isF32()) return onnx::TensorProto::FLOAT;
  if (t.isF16()) return onnx::TensorProto::FLOAT16;
  if (t.isBF16()) return onnx::TensorProto::BFLOAT16;
  if (t.isF64()) return onnx::TensorProto::DOUBLE;
  if (auto i = dyn_cast<IntegerType>(t)) {
    bool u = i.isUnsigned();
    switch (i.getWidth()) {
    case 1: return onnx::TensorProto::BOOL;
    case 8: return u ? onnx::TensorProto::UINT8 : onnx::TensorProto::INT8;
    case 16: return u ? onnx::TensorProto::UINT16 : onnx::TensorProto::INT16;
    case 32: return u ? onnx::TensorProto::UINT32 : onnx::TensorProto::INT32;
    case 64: return u ? onnx::TensorProto::UINT64 : onnx::TensorProto::INT64;
    }
  }
  return 0;
}

static llvm::Expected<PackageTensor> describe(Type type, Attribute nameAttr, size_t index,
                                              const char *what) {
  PackageTensor t;
  t.name = nameAttr ? cast<StringAttr>(nameAttr).str()
                    : std::string(what) + "_" + std::to_string(index);
  auto shape = getSymbolicShape(type);
  if (!shape)
    return makeError(llvm::Twine(what) + " '" + t.name + "' has unnamed dynamic dims");
  for (auto &d : *shape)
    t.dims.push_back(d.str());
  t.dtype = onnxDataType(cast<ShapedType>(type).getElementType());
  if (!t.dtype)
    return makeError(llvm::Twine(what) + " '" + t.name + "' has an unsupported type");
  return t;
}

/// "past_key_values.3.key" -> "3.key"; "present.3.key" -> "3.key".
static std::string cacheSuffix(llvm::StringRef name, llvm::StringRef prefix) {
  if (!name.starts_with(prefix))
    return "";
  size_t dot = name.find('.');
  return dot == llvm::StringRef::npos ? "" : name.substr(dot + 1).str();
}

static llvm::Error simulateQuantization(ModuleOp module, WeightStore &weights,
                                        ScaleSearch search);

llvm::Error materializeWeightConcats(ModuleOp module, WeightStore &weights) {
  SmallVector<ConcatOp> concats;
  module.walk([&](ConcatOp concat) {
    if (llvm::all_of(concat.getInputs(), [](Value v) { return v.getDefiningOp<WeightOp>(); }))
      concats.push_back(concat);
  });
  for (ConcatOp concat : concats) {
    auto type = cast<RankedTensorType>(concat.getType());
    SmallVector<const WeightEntry *> parts;
    std::string name;
    for (Value input : concat.getInputs()) {
      StringRef part = input.getDefiningOp<WeightOp>().getName();
      const WeightEntry *entry = weights.lookup(part);
      if (!entry)
        return makeError("weight '" + part + "' is not in the weight store");
      parts.push_back(entry);
      name += (name.empty() ? "" : "+") + part.str();
    }
    if (!weights.lookup(name)) {
      // Row-major concat along `axis`: each part contributes a run of
      // prod(dims[axis:]) elements per index of the leading dims.
      int64_t axis = concat.getAxis();
      int64_t outer = 1;
      for (int64_t d : type.getShape().take_front(axis))
        outer *= d;
      size_t total = 0;
      for (const WeightEntry *p : parts)
        total += p->bytes.size();
      std::vector<uint8_t> bytes(total);
      uint8_t *out = bytes.data();
      for (int64_t o = 0; o < outer; ++o)
        for (const WeightEntry *p : parts) {
          size_t run = p->bytes.size() / outer;
          std::memcpy(out, p->bytes.data() + o * run, run);
          out += run;
        }
      auto added = weights.addOwned(name, parts.front()->onnxDataType,
                                    std::vector<int64_t>(type.getShape().begin(),
                                                         type.getShape().end()),
                                    std::move(bytes));
      if (!added)
        return added.takeError();
    }
    OpBuilder b(concat);
    auto weight = WeightOp::create(b, concat.getLoc(), type,
                                   FlatSymbolRefAttr::get(b.getContext(), name));
    concat.getResult().replaceAllUsesWith(weight.getResult());
    concat.erase();
  }
  module.walk([](WeightOp w) {
    if (w->use_empty())
      w->erase();
  });
  return llvm::Error::success();
}

llvm::Error applyQuantization(ModuleOp module, WeightStore &weights, const Target &target,
                              const CompileOptions &options, QuantPlan *plan) {
  return applyQuantization(module, weights, target.hardware(), &target, options, plan);
}

/// --quant auto: plans the schemes (QuantPlanner.h), prints the table.
static llvm::Expected<QuantPlan> planAuto(ModuleOp module, WeightStore &weights,
                                          const HardwareSpec &hardware, const Target *target,
                                          const CompileOptions &options) {
  QuantPlanOptions planOptions = options.plan;
  planOptions.userOverrides = options.quantOverrides;
  planOptions.hasCodegen = target != nullptr;
  if (target)
    planOptions.kernelSchemes = target->quantSchemes();
  planOptions.sensitivity.search = options.scaleSearch;
  if (options.progress)
    options.progress("planning quantization for " + hardware.name + " (objective " +
                     planObjectiveName(planOptions.objective).str() + ", budget " +
                     llvm::formatv("{0}", planOptions.budgetPercent).str() + " %)");
  auto plan = planQuantization(module, weights, hardware, planOptions);
  if (!plan)
    return plan.takeError();
  std::string table;
  llvm::raw_string_ostream os(table);
  printPlanTable(*plan, os);
  if (!options.reportTextPath.empty()) {
    std::error_code ec;
    llvm::raw_fd_ostream file(options.reportTextPath, ec);
    if (ec)
      return makeError("cannot write '" + options.reportTextPath + "': " + ec.message());
    file << table;
  } else if (options.planTable) {
    options.planTable(table);
  }
  return plan;
}

llvm::Error applyQuantization(ModuleOp module, WeightStore &weights,
                              const HardwareSpec &hardware, const Target *target,
                              const CompileOptions &options, QuantPlan *planOut) {
  if (auto err = materializeWeightConcats(module, weights))
    return err;
  if (options.quant == "none" && options.quantOverrides.empty())
    return llvm::Error::success();
  PassManager pm(module.getContext());
  QuantizeOptions quantizeOptions;
  quantizeOptions.scheme = options.quant;
  quantizeOptions.overrides.assign(options.quantOverrides.begin(), options.quantOverrides.end());
  if (options.quant == "auto") {
    auto plan = planAuto(module, weights, hardware, target, options);
    if (!plan)
      return plan.takeError();
    quantizeOptions.scheme = "none";
    std::vector<std::string> overrides = plan->overrides(options.quantOverrides);
    quantizeOptions.overrides.assign(overrides.begin(), overrides.end());
    if (planOut)
      *planOut = std::move(*plan);
  }
  pm.addPass(createQuantize(quantizeOptions));
  if (failed(pm.run(module)))
    return makeError("quantization failed");
  if (options.quantSimulate)
    return simulateQuantization(module, weights, options.scaleSearch);
  llvm::Error error = llvm::Error::success();
  module.walk([&](WeightOp w) {
    QuantAttr quant = getQuantEncoding(w.getType());
    if (!quant || error)
      return;
    if (target && !target->runsQuantScheme(quant.getScheme()))
      error = makeError("target '" + target->spec().name + "' has no kernels for scheme '" +
                        quant.getScheme() + "'");
    else if (!target && !hardware.quantSupport(quant.getScheme()))
      error = makeError("target '" + hardware.name + "' does not run scheme '" +
                        quant.getScheme() + "' (its spec lists neither native nor emulated "
                        "support)");
  });
  return error;
}

llvm::json::Object describeGraph(ModuleOp module, const QuantPlan *plan) {
  std::map<std::string, int64_t> counts;
  llvm::json::Array layers;
  module.walk([&](Operation *op) {
    if (!isa_and_nonnull<SlmDialect>(op->getDialect()))
      return;
    ++counts[op->getName().getStringRef().str()];
    // Projections: quantized weights, and the fp32 ones slm-quantize could take.
    SmallVector<QuantizableWeight> fp32 = quantizableWeights(op);
    for (OpOperand &operand : op->getOpOperands()) {
      auto weight = operand.get().getDefiningOp<WeightOp>();
      if (!weight)
        continue;
      QuantAttr quant = getQuantEncoding(weight.getType());
      if (!quant && llvm::none_of(fp32, [&](const QuantizableWeight &w) {
            return w.operand == &operand;
          }))
        continue;
      auto type = cast<RankedTensorType>(weight.getType());
      llvm::json::Array shape;
      for (int64_t d : type.getShape())
        shape.push_back(d);
      llvm::json::Object layer{
          {"name", layerNameOf(op)},
          {"op", op->getName().getStringRef()},
          {"weight", weight.getName()},
          {"shape", std::move(shape)},
          {"scheme", quant ? quant.getScheme().str() : std::string("none")},
      };
      if (const PlanLayer *planned = plan ? plan->find(weight.getName()) : nullptr) {
        layer["weight_hash"] = planned->hash;
        layer["candidates"] = candidatesToJson(*planned);
        layer["sensitivity"] = std::round(planned->winner().sensitivity * 1e6) / 1e6;
        layer["predicted_us"] = std::round(planned->winner().predictedUs * 1e3) / 1e3;
        layer["reason"] = planned->reason;
      }
      layers.push_back(std::move(layer));
    }
  });
  llvm::json::Object opCounts;
  for (auto &[name, count] : counts)
    opCounts[name] = count;
  llvm::json::Object report{{"op_counts", std::move(opCounts)}, {"layers", std::move(layers)}};
  if (plan)
    report["plan"] = planToJson(*plan);
  return report;
}

llvm::Error writeJson(llvm::StringRef path, llvm::json::Value json) {
  std::string temp = (path + ".tmp").str();
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(temp, ec);
    if (ec)
      return makeError("cannot write '" + temp + "': " + ec.message());
    os << llvm::formatv("{0:2}", json) << "\n";
    os.close();
    if (os.has_error()) {
      llvm::sys::fs::remove(temp);
      return makeError("cannot write '" + temp + "'");
    }
  }
  if (std::error_code ec = llvm::sys::fs::rename(temp, path)) {
    llvm::sys::fs::remove(temp);
    return makeError("cannot rename '" + temp + "' to '" + path + "': " + ec.message());
  }
  return llvm::Error::success();
}

/// Weight `entry` (fp32) quantized as `type` (its `#slm.quant` encoding) says.
static llvm::Expected<QuantizedWeight> quantizeEntry(const WeightEntry &entry,
                                                     RankedTensorType type, ScaleSearch search) {
  QuantAttr quant = getQuantEncoding(type);
  if (entry.onnxDataType != onnx::TensorProto::FLOAT)
    return makeError("weight '" + entry.name + "' is not fp32: only fp32 weights are quantized");
  size_t count = entry.bytes.size() / 4;
  // mmapped raw_data need not be 4-byte aligned.
  std::vector<float> copy;
  const float *values = reinterpret_cast<const float *>(entry.bytes.data());
  if (reinterpret_cast<uintptr_t>(values) % alignof(float)) {
    copy.resize(count);
    std::memcpy(copy.data(), entry.bytes.data(), count * 4);
    values = copy.data();
  }
  auto q = quantizeWeight(llvm::ArrayRef<float>(values, count), type.getShape(),
                          quant.getAxis(), quant.getRecord(), search);
  if (!q)
    return makeError("weight '" + entry.name + "': " + llvm::toString(q.takeError()));
  return q;
}

/// --quant-simulate: each quantized weight becomes an fp32 weight holding
/// its dequantized values (same codes and scales as the package would
/// store), so fp32 kernels compute what the quantized ones should.
static llvm::Error simulateQuantization(ModuleOp module, WeightStore &weights,
                                        ScaleSearch search) {
  SmallVector<WeightOp> quantized;
  module.walk([&](WeightOp w) {
    if (getQuantEncoding(w.getType()))
      quantized.push_back(w);
  });
  for (WeightOp w : quantized) {
    auto type = cast<RankedTensorType>(w.getType());
    QuantAttr quant = getQuantEncoding(type);
    std::string name = (w.getName() + "#" + quant.getScheme() + "#simulated").str();
    if (!weights.lookup(name)) {
      const WeightEntry *source = weights.lookup(w.getName());
      if (!source)
        return makeError("weight '" + w.getName() + "' is not in the weight store");
      auto q = quantizeEntry(*source, type, search);
      if (!q)
        return q.takeError();
      std::vector<uint8_t> bytes(source->bytes.size());
      float *out = reinterpret_cast<float *>(bytes.data());
      int64_t cols = type.getDimSize(1);
      for (int64_t row = 0; row < q->n; ++row)
        for (int64_t k = 0; k < q->k; ++k) {
          float v = q->dequantize(row, k);
          // Back to the logical layout: [K, N] (axis 0) or [N, K].
          int64_t at = quant.getAxis() == 0 ? k * cols + row : row * cols + k;
          std::memcpy(out + at, &v, 4);
        }
      auto added = weights.addOwned(name, onnx::TensorProto::FLOAT, source->dims,
                                    std::move(bytes));
      if (!added)
        return added.takeError();
    }
    OpBuilder b(w);
    auto fp32 = WeightOp::create(b, w.getLoc(),
                                 RankedTensorType::get(type.getShape(), b.getF32Type()),
                                 FlatSymbolRefAttr::get(b.getContext(), name));
    w.getResult().replaceAllUsesWith(fp32.getResult());
    for (Operation *user : fp32->getUsers())
      if (auto transpose = dyn_cast<TransposeOp>(user))
        reinferTransposeType(transpose);
    w.erase();
  }
  return llvm::Error::success();
}

llvm::Error compileToPackage(ModuleOp module, WeightStore &weights, const Target &target,
                             llvm::StringRef outputPath, const CompileOptions &options) {
  auto progress = [&](const std::string &msg) {
    if (options.progress)
      options.progress(msg);
  };
  auto main = module.lookupSymbol<func::FuncOp>("main");
  if (!main)
    return makeError("the module has no @main");

  PackageContents pkg;
  std::deque<std::vector<uint8_t>> packed; // quantized weights, alive until written
  pkg.producer = "slmc 0.1";
  const TargetSpec &spec = target.spec();
  pkg.target = spec.name;
  pkg.targetTriple = spec.triple;
  pkg.targetCpu = spec.cpu;
  pkg.targetFeatures = spec.features;
  pkg.requiredCpuFeatures = spec.requiredHostFeatures;
  pkg.contextLimit = options.contextLimit;
  for (auto [i, type] : llvm::enumerate(main.getArgumentTypes())) {
    auto t = describe(type, main.getArgAttr(i, "slm.name"), i, "input");
    if (!t)
      return t.takeError();
    pkg.inputs.push_back(*t);
  }
  for (auto [i, type] : llvm::enumerate(main.getResultTypes())) {
    auto t = describe(type, main.getResultAttr(i, "slm.name"), i, "output");
    if (!t)
      return t.takeError();
    pkg.outputs.push_back(*t);
  }
  // Decode graphs: each present.* output feeds the past.* input of the same
  // layer and kind in the next step.
  for (auto [o, out] : llvm::enumerate(pkg.outputs)) {
    std::string suffix = cacheSuffix(out.name, "present");
    if (suffix.empty())
      continue;
    for (auto [i, in] : llvm::enumerate(pkg.inputs))
      if (cacheSuffix(in.name, "past") == suffix) {
        pkg.kvCache.push_back({uint32_t(i), uint32_t(o)});
        if (pkg.contextLength.empty() && out.dims.size() >= 2)
          pkg.contextLength = out.dims[out.dims.size() - 2];
      }
  }

  std::vector<PruneRecord> pruned;
  if (auto err = applyPruning(module, weights, options.prune, options.pruneScore, pruned,
                                options.pruneNorms))
    return err;
  QuantPlan plan;
  if (auto err = applyQuantization(module, weights, target, options, &plan))
    return err;
  llvm::json::Object report =
      describeGraph(module, options.quant == "auto" ? &plan : nullptr);
  addPruneReport(report, pruned);
  if (!options.reportPath.empty())
    report["predicted"] =
        predictionReport(module, target.hardware(), options.plan.threads,
                         options.plan.calibration, options.plan.prefillSeq,
                         options.plan.decodePast);

  progress("lowering for " + spec.name);
  if (failed(lowerToLLVMDialect(module, target, options.profile)))
    return makeError("lowering for " + spec.name + " failed");
  auto entry = module.lookupSymbol<LLVM::LLVMFuncOp>("_mlir_ciface_main");
  if (!entry)
    return makeError("lowering produced no _mlir_ciface_main");
  // The kernel's argument order names the symbols and weights.
  for (unsigned i = 0; i < entry.getNumArguments(); ++i) {
    if (auto s = entry.getArgAttrOfType<StringAttr>(i, "slm.symbol"))
      pkg.symbols.push_back(s.str());
    if (auto w = entry.getArgAttrOfType<StringAttr>(i, "slm.weight")) {
      const WeightEntry *e = weights.lookup(w.getValue());
      if (!e)
        return makeError("weight '" + w.getValue() + "' is not in the weight store");
      auto quantized = entry.getArgAttrOfType<TypeAttr>(i, "slm.quantized_type");
      if (!quantized) {
        pkg.weights.push_back({e->name, e->onnxDataType, e->dims, e->bytes});
        continue;
      }
      auto type = cast<RankedTensorType>(quantized.getValue());
      QuantAttr quant = getQuantEncoding(type);
      if (packed.empty() || packed.size() % 16 == 0)
        progress("quantizing weight " + std::to_string(pkg.weights.size() + 1) + " ('" +
                 e->name + "', " + quant.getScheme().str() + ")");
      auto q = quantizeEntry(*e, type, options.scaleSearch);
      if (!q)
        return q.takeError();
      auto bytes = target.packQuantizedWeight(*q);
      if (!bytes)
        return bytes.takeError();
      packed.push_back(std::move(*bytes));
      pkg.weights.push_back({e->name + "#" + quant.getScheme().str(), onnx::TensorProto::INT8,
                             {int64_t(packed.back().size())}, packed.back()});
    }
  }

  progress("generating code for " + spec.name + " (" + spec.cpu + ")");
  auto library = buildKernelLibrary(module, target);
  if (!library)
    return library.takeError();
  pkg.kernelLibrary = *library;
  progress("writing " + outputPath.str());
  if (auto err = writePackage(pkg, outputPath))
    return err;
  if (options.reportPath.empty())
    return llvm::Error::success();
  report["target"] = spec.name;
  report["package"] = outputPath.str();
  return writeJson(options.reportPath, std::move(report));
}

} // namespace slm
