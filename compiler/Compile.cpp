//===- Compile.cpp - ONNX model to .slmpkg --------------------------------===//

#include "compiler/Compile.h"

#include "compiler/Codegen.h"
#include "compiler/PackageWriter.h"
#include "dialects/slm/IR/SlmOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

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
      pkg.weights.push_back({e->name, e->onnxDataType, e->dims, e->bytes});
    }
  }

  progress("generating code for " + spec.name + " (" + spec.cpu + ")");
  auto library = buildKernelLibrary(module, target);
  if (!library)
    return library.takeError();
  pkg.kernelLibrary = *library;
  progress("writing " + outputPath.str());
  return writePackage(pkg, outputPath);
}

} // namespace slm
