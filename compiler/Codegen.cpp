//===- Codegen.cpp - From slm IR to a kernel shared object ----------------===//

#include "compiler/Codegen.h"

#include "dialects/slm/IR/BufferizableOpInterfaceImpl.h"
#include "dialects/slm/IR/SlmDialect.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/Linker/Linker.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Passes/StandardInstrumentations.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"

#include <mutex>

using namespace mlir;

namespace slm {

void registerCodegenDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
  registry.insert<SlmDialect>();
  registerBufferizableOpInterfaceExternalModels(registry);
}

std::string getLoweringPipeline(const Target &target, bool profile) {
  std::string pipeline =
      // No CSE before bufferization: merged `linalg.fill`s of the same
      // shape would make every second consumer copy its accumulator.
      "convert-slm-to-linalg{attention-kernel=" + std::to_string(target.hasAttentionKernel()) +
      " linear-kernel=" + std::to_string(target.hasLinearKernel()) + "}," +
      "canonicalize,"
      "func.func(linalg-fuse-elementwise-ops), canonicalize,"
      "slm-results-to-destinations, eliminate-empty-tensors,"
      "one-shot-bufferize{bufferize-function-boundaries "
      "function-boundary-type-conversion=fully-dynamic-layout-map},"
      "func.func(buffer-hoisting, buffer-loop-hoisting),"
      "ownership-based-buffer-deallocation, canonicalize,"
      "buffer-deallocation-simplification, bufferization-lower-deallocations,"
      "cse, canonicalize, slm-shrink-buffer-lifetimes,";
  std::string targetPasses = target.bufferPipeline();
  if (!targetPasses.empty())
    pipeline += targetPasses + ",";
  pipeline += "slm-elide-self-copies, slm-strided-copy-to-linalg,";
  pipeline += profile ? "slm-outline-kernels{profile}," : "slm-outline-kernels,";
  pipeline += 
              "func.func(convert-linalg-to-loops), slm-approximate-math,"
              "convert-scf-to-cf, slm-expand-shape-to-reinterpret-cast,"
              "expand-strided-metadata, lower-affine,"
              "convert-math-to-llvm, convert-math-to-libm, convert-arith-to-llvm,"
              "finalize-memref-to-llvm{use-generic-functions}, convert-func-to-llvm, convert-cf-to-llvm,"
              "reconcile-unrealized-casts, slm-generate-packed-entry";
  return pipeline;
}

static void registerPassesOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    registerAllPasses();
    registerSlmPasses();
  });
}

LogicalResult lowerToLLVMDialect(ModuleOp module, const Target &target, bool profile) {
  registerPassesOnce();
  auto main = module.lookupSymbol<func::FuncOp>("main");
  if (!main)
    return module.emitError("no @main function to compile");
  // The pipeline text is the list of passes nested in this module pass manager.
  auto pm = PassManager::on<ModuleOp>(module.getContext());
  std::string pipeline = getLoweringPipeline(target, profile);
  std::string error;
  llvm::raw_string_ostream errorStream(error);
  if (failed(parsePassPipeline(pipeline, pm, errorStream)))
    return module.emitError("bad lowering pipeline: ") << error;
  return pm.run(module);
}

static llvm::Error makeError(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

llvm::Expected<std::vector<uint8_t>> buildKernelLibrary(ModuleOp module,
                                                        const Target &target) {
  const TargetSpec &spec = target.spec();
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
    // Micro-kernels may hold inline asm (AMX tile config): the object
    // streamer parses it.
    llvm::InitializeAllAsmParsers();
  });
  llvm::LLVMContext llvmContext;
  auto llvmModule = translateModuleToLLVMIR(module, llvmContext, "slm_model");
  if (!llvmModule)
    return makeError("translation to LLVM IR failed");

  std::string error;
  llvm::Triple triple(spec.triple);
  const llvm::Target *llvmTarget = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!llvmTarget)
    return makeError("LLVM has no target for " + spec.triple + ": " + error);
  llvm::TargetOptions options;
  std::unique_ptr<llvm::TargetMachine> machine(llvmTarget->createTargetMachine(
      triple, spec.cpu, spec.features, options, llvm::Reloc::PIC_, std::nullopt,
      llvm::CodeGenOptLevel::Aggressive));
  if (!machine)
    return makeError("cannot create a target machine for " + spec.name);
  llvmModule->setDataLayout(machine->createDataLayout());
  llvmModule->setTargetTriple(triple);
  // Only the entry is exported: everything else may be inlined and dropped.
  auto internalize = [](llvm::Module &m) {
    for (llvm::Function &f : m)
      if (!f.isDeclaration() && f.getName() != "slm_main")
        f.setLinkage(llvm::GlobalValue::InternalLinkage);
  };
  auto setTargetAttributes = [&](llvm::Module &m) {
    for (llvm::Function &f : m) {
      if (f.isDeclaration())
        continue;
      f.addFnAttr("target-cpu", spec.cpu);
      if (!spec.features.empty())
        f.addFnAttr("target-features", spec.features);
    }
  };
  // The entry holds only allocations, views and calls after kernel
  // outlining, but one straight-line block for every layer: O3 and its
  // register allocator spend most of a real model's compile time on it (10x
  // on SmolLM2-135M) for no measurable speed. Kernels stay at O3.
  if (llvm::Function *entry = llvmModule->getFunction("main")) {
    entry->removeFnAttr(llvm::Attribute::AlwaysInline);
    entry->addFnAttr(llvm::Attribute::NoInline);
    entry->addFnAttr(llvm::Attribute::OptimizeNone);
  }
  internalize(*llvmModule);
  setTargetAttributes(*llvmModule);

  {
    // The standard instrumentations make the pipeline skip optnone functions
    // (declared first: the analysis managers may refer to them until the end).
    llvm::PassInstrumentationCallbacks instrumentation;
    llvm::StandardInstrumentations standard(llvmContext, /*DebugLogging=*/false);
    llvm::LoopAnalysisManager lam;
    llvm::FunctionAnalysisManager fam;
    llvm::CGSCCAnalysisManager cgam;
    llvm::ModuleAnalysisManager mam;
    standard.registerCallbacks(instrumentation, &mam);
    llvm::PassBuilder pb(machine.get(), llvm::PipelineTuningOptions(), std::nullopt,
                         &instrumentation);
    pb.registerModuleAnalyses(mam);
    pb.registerCGSCCAnalyses(cgam);
    pb.registerFunctionAnalyses(fam);
    pb.registerLoopAnalyses(lam);
    pb.crossRegisterProxies(lam, fam, cgam, mam);
    llvm::ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3);
    mpm.run(*llvmModule, mam);
  }

  // The micro-kernels are bitcode clang already optimized at O3: linked after
  // the model's optimization, so that compiling a model does not optimize
  // them again (they are called from the optnone entry, never inlined).
  auto ukernels = target.loadMicroKernels(llvmContext);
  if (!ukernels)
    return ukernels.takeError();
  if (*ukernels) {
    (*ukernels)->setDataLayout(llvmModule->getDataLayout());
    (*ukernels)->setTargetTriple(triple);
    setTargetAttributes(**ukernels);
    if (llvm::Linker::linkModules(*llvmModule, std::move(*ukernels),
                                  llvm::Linker::LinkOnlyNeeded))
      return makeError("linking the micro-kernels failed");
    internalize(*llvmModule);
  }

  llvm::SmallString<128> dir;
  if (auto ec = llvm::sys::fs::createUniqueDirectory("slmc-codegen", dir))
    return makeError("cannot create a temporary folder: " + ec.message());
  auto cleanup = llvm::make_scope_exit([&] { llvm::sys::fs::remove_directories(dir); });
  llvm::SmallString<128> objPath(dir), soPath(dir);
  llvm::sys::path::append(objPath, "model.o");
  llvm::sys::path::append(soPath, "model.so");
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(objPath, ec);
    if (ec)
      return makeError("cannot write " + objPath + ": " + ec.message());
    llvm::legacy::PassManager codegen;
    if (machine->addPassesToEmitFile(codegen, os, nullptr, llvm::CodeGenFileType::ObjectFile))
      return makeError("the target machine cannot emit object files");
    codegen.run(*llvmModule);
  }
  auto lld = llvm::sys::findProgramByName("ld.lld-22");
  if (!lld)
    lld = llvm::sys::findProgramByName("ld.lld", {"/usr/lib/llvm-22/bin"});
  if (!lld)
    return makeError("ld.lld-22 not found (install lld-22)");
  std::string errMsg;
  llvm::SmallString<128> logPath(dir);
  llvm::sys::path::append(logPath, "ld.log");
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, logPath.str(), logPath.str()};
  llvm::StringRef args[] = {*lld, "-shared", "--build-id=none", "-O1", "-o", soPath,
                            objPath};
  int rc = llvm::sys::ExecuteAndWait(*lld, args, std::nullopt, redirects, 0, 0, &errMsg);
  if (rc != 0) {
    auto log = llvm::MemoryBuffer::getFile(logPath);
    return makeError("linking the kernel library failed: " +
                     (log ? (*log)->getBuffer().str() : errMsg));
  }
  auto so = llvm::MemoryBuffer::getFile(soPath, /*IsText=*/false);
  if (!so)
    return makeError("cannot read the linked kernel library");
  return std::vector<uint8_t>((*so)->getBufferStart(), (*so)->getBufferEnd());
}

} // namespace slm
