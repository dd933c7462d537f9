//===- slmc.cpp - The slmc compiler driver --------------------------------===//
//
//   slmc import model.onnx -o model.mlir
//   slmc compile model.onnx --target T [--target-spec FILE] -o model.slmpkg
//   slmc targets [--show NAME [--json]] [--target-spec FILE]
//
//===----------------------------------------------------------------------===//

#include "compiler/Codegen.h"
#include "compiler/Compile.h"
#include "compiler/OnnxImporter.h"
#include "compiler/Pipeline.h"
#include "compiler/PruneGraph.h"
#include "dialects/slm/IR/SlmOps.h"

#include "passes/Passes.h"
#include "targets/HardwareSpec.h"
#include "targets/Target.h"

#include "mlir/IR/AsmState.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <optional>

using namespace llvm;

static cl::SubCommand importCmd("import",
                                "Import an ONNX model into the slm dialect and print it");

static cl::opt<std::string> importInput(cl::Positional, cl::desc("<model.onnx>"),
                                        cl::Required, cl::sub(importCmd));
static cl::opt<std::string> importOutput("o", cl::desc("Output .mlir file (default: stdout)"),
                                         cl::value_desc("file"), cl::init("-"),
                                         cl::sub(importCmd));
static cl::opt<bool> noCanonicalize(
    "no-canonicalize",
    cl::desc("Print the IR as imported, before canonicalization"), cl::sub(importCmd));
static cl::opt<bool> printStats(
    "stats", cl::desc("Print op counts and weight totals to stderr"), cl::sub(importCmd));
static cl::SubCommand compileCmd(
    "compile", "Compile an ONNX model for a target into a package");
static cl::opt<std::string> compileInput(cl::Positional, cl::desc("<model.onnx>"),
                                         cl::sub(compileCmd));
static cl::opt<std::string> compileOutput("o", cl::desc("Output file"),
                                          cl::value_desc("file"), cl::sub(compileCmd));
static cl::opt<std::string> targetName(
    "target", cl::desc("Target variant (see 'slmc targets'; default: native)"),
    cl::init("native"), cl::sub(compileCmd));
static cl::opt<bool> listTargetsFlag("list-targets",
                                     cl::desc("List the targets and exit (as 'slmc targets')"),
                                     cl::sub(compileCmd));
static cl::SubCommand targetsCmd(
    "targets", "List the target variants, or show one's hardware spec (--show NAME)");
static cl::opt<std::string> showTarget(
    "show", cl::desc("Print the validated hardware spec of a target variant"),
    cl::value_desc("name"), cl::sub(targetsCmd));
static cl::opt<bool> showJson("json", cl::desc("With --show or --target-spec: print JSON"),
                              cl::sub(targetsCmd));
static cl::opt<std::string> targetSpecPath(
    "target-spec",
    cl::desc("A hardware spec file (JSON, docs/targets.md), validated: 'compile' plans for "
             "it (its \"codegen\" variant unless --target is given), 'targets' shows it"),
    cl::value_desc("file.json"), cl::sub(compileCmd), cl::sub(targetsCmd));
enum class EmitKind { Slm, Linalg, Llvm, Library, Package };
static cl::opt<EmitKind> emitKind(
    "emit", cl::desc("What to write (default: the package)"),
    cl::values(clEnumValN(EmitKind::Slm, "slm", "slm IR after import"),
               clEnumValN(EmitKind::Linalg, "linalg", "IR after convert-slm-to-linalg"),
               clEnumValN(EmitKind::Llvm, "llvm", "IR in the LLVM dialect"),
               clEnumValN(EmitKind::Library, "library", "the kernel shared object"),
               clEnumValN(EmitKind::Package, "package", "the .slmpkg package")),
    cl::init(EmitKind::Package), cl::sub(compileCmd));
static cl::opt<unsigned> contextLimit(
    "context-limit",
    cl::desc("Largest total sequence length sessions may reach (0: unlimited)"),
    cl::init(0), cl::sub(compileCmd));
static cl::opt<bool> profileKernels(
    "profile", cl::desc("Time every kernel call (slmc-run --bench prints the profile)"),
    cl::sub(compileCmd));
static cl::opt<bool> printPipeline("print-pipeline",
                                   cl::desc("Print the lowering pass pipeline"),
                                   cl::sub(compileCmd));
static cl::opt<std::string> quantScheme(
    "quant",
    cl::desc("Quantization scheme of the matmul weights: none (default), auto (a scheme per "
             "weight chosen by the target's cost model within --accuracy-budget) or a scheme "
             "of --list-schemes"),
    cl::value_desc("scheme"), cl::init("none"), cl::sub(compileCmd));
static cl::opt<std::string> accuracyBudget(
    "accuracy-budget",
    cl::desc("--quant auto: the most the plan may add to bits per byte, in percent "
             "(default 1%)"),
    cl::value_desc("percent"), cl::init("1%"), cl::sub(compileCmd));
static cl::opt<std::string> planObjective(
    "objective",
    cl::desc("--quant auto: what to minimise: decode (a decode step's time, default), "
             "prefill (a prefill's time) or size (the weights' bytes)"),
    cl::value_desc("decode|prefill|size"), cl::init("decode"), cl::sub(compileCmd));
static cl::opt<std::string> calibrationPath(
    "calibration",
    cl::desc("A cost-model calibration database (JSON, docs/cost-model.md; slmc-tune "
             "calibrate) for --quant auto and the report's predicted times (default: "
             "$SLMC_CALIBRATION, else for native the one slmc-tune wrote, if any; none: "
             "the default factors)"),
    cl::value_desc("file.json|none"), cl::sub(compileCmd));
static cl::opt<std::string> sensitivityPath(
    "sensitivity",
    cl::desc("--quant auto: measured per-weight sensitivities (tools/slmc-sensitivity.py); "
             "weights it lacks are estimated"),
    cl::value_desc("file.json"), cl::sub(compileCmd));
static cl::opt<std::string> sensitivityCache(
    "sensitivity-cache",
    cl::desc("--quant auto: the cache of quantization errors (default "
             "$XDG_CACHE_HOME/slmc/quant-sensitivity.json; none: no cache)"),
    cl::value_desc("file.json|none"), cl::sub(compileCmd));
static cl::opt<unsigned> planSeq(
    "plan-seq",
    cl::desc("--quant auto and the report's predicted times: tokens of the prefill the cost "
             "model times (default 128)"),
    cl::init(128), cl::sub(compileCmd));
static cl::opt<unsigned> planPast(
    "plan-past",
    cl::desc("--quant auto and the report's predicted times: cached tokens before the "
             "decode step the cost model times (default 128)"),
    cl::init(128), cl::sub(compileCmd));
static cl::opt<unsigned> planThreads(
    "plan-threads",
    cl::desc("--quant auto and the report's predicted times: cores the cost model assumes "
             "busy (default: all of the target's)"),
    cl::init(0), cl::sub(compileCmd));
static cl::opt<std::string> reportTextPath(
    "report-text",
    cl::desc("--quant auto: write the plan's table to this file (default: stderr unless "
             "--quiet)"),
    cl::value_desc("file"), cl::sub(compileCmd));
static cl::list<std::string> quantOverrides(
    "quant-override",
    cl::desc("Per-layer scheme, pattern=scheme (glob on the ONNX node name, the weight name, "
             "or lm_head; scheme none keeps fp32); repeatable, the last match wins"),
    cl::value_desc("pattern=scheme"), cl::CommaSeparated, cl::sub(compileCmd));
static cl::opt<slm::ScaleSearch> quantSearch(
    "quant-search", cl::desc("How quantization scales are chosen"),
    cl::values(clEnumValN(slm::ScaleSearch::Mse, "mse",
                          "clip search minimising the squared error per group (default)"),
               clEnumValN(slm::ScaleSearch::MinMax, "minmax", "the group's full range")),
    cl::init(slm::ScaleSearch::Mse), cl::sub(compileCmd));
static cl::opt<bool> quantSimulate(
    "quant-simulate",
    cl::desc("Store fp32 weights holding the quantized weights' dequantized values (a "
             "reference for the quantized kernels; accuracy studies)"),
    cl::sub(compileCmd));
static cl::opt<std::string> pruneSpec(
    "prune",
    cl::desc("Prune the projection weights before quantization: unstructured:S (the "
             "fraction S of each weight's lowest scores) or N:M along the reduction dim "
             "(2:4, 4:8), or mlp:F (the fraction F of each gated MLP's intermediate "
             "channels, smaller dense shapes); the embedding and lm_head stay dense "
             "(docs/pruning.md)"),
    cl::value_desc("unstructured:S|N:M|mlp:F"), cl::init("none"), cl::sub(compileCmd));
static cl::opt<std::string> pruneScore(
    "prune-score",
    cl::desc("--prune: how weights are scored: magnitude (|w|, default) or activation "
             "(|w| x the input channel's norm over calibration text, from --prune-norms)"),
    cl::value_desc("magnitude|activation"), cl::init("magnitude"), cl::sub(compileCmd));
static cl::opt<std::string> pruneNormsPath(
    "prune-norms",
    cl::desc("--prune-score activation: the input-channel norms of each projection "
             "(JSON from tools/slmc-prune-calibrate.py)"),
    cl::value_desc("file.json"), cl::sub(compileCmd));
static cl::opt<bool> pruneCapture(
    "prune-capture",
    cl::desc("Calibration for --prune-score activation: add an output per projection "
             "holding its input activations (use with --no-fusion)"),
    cl::Hidden, cl::sub(compileCmd));
static cl::opt<bool> listSchemesFlag("list-schemes",
                                     cl::desc("List the quantization schemes and exit"),
                                     cl::sub(compileCmd));
static cl::opt<std::string> reportPath(
    "report",
    cl::desc("Write a JSON report: op_counts of the final slm graph and the layers with "
             "their schemes"),
    cl::value_desc("file.json"), cl::sub(compileCmd));
static cl::opt<bool> quiet("quiet", cl::desc("No progress messages"),
                           cl::sub(cl::SubCommand::getAll()));
static cl::opt<bool> noFusion("no-fusion",
                              cl::desc("Keep the graph as imported: no operator fusion"),
                              cl::sub(importCmd), cl::sub(compileCmd));

static void progress(const Twine &msg) {
  if (!quiet)
    errs() << "slmc: " << msg << "\n";
}

/// Writes through a temporary file in the same folder, renamed into place at
/// the end: a failed run never leaves a half-written output.
static bool writeAtomically(StringRef path, function_ref<void(raw_ostream &)> write) {
  if (path == "-") {
    write(outs());
    return true;
  }
  SmallString<128> temp;
  int fd;
  SmallString<128> model(path);
  model += ".tmp-%%%%%%";
  if (auto ec = sys::fs::createUniqueFile(model, fd, temp)) {
    errs() << "slmc: error: cannot create a file next to " << path << ": " << ec.message()
           << "\n";
    return false;
  }
  {
    raw_fd_ostream os(fd, /*shouldClose=*/true);
    write(os);
    os.close();
    if (os.has_error()) {
      errs() << "slmc: error: writing " << temp << ": " << os.error().message() << "\n";
      sys::fs::remove(temp);
      return false;
    }
  }
  if (auto ec = sys::fs::rename(temp, path)) {
    errs() << "slmc: error: cannot rename " << temp << " to " << path << ": "
           << ec.message() << "\n";
    sys::fs::remove(temp);
    return false;
  }
  return true;
}

/// Imports `path` (and canonicalizes unless told not to); null after
/// printing the error.
static mlir::OwningOpRef<mlir::ModuleOp> loadModel(mlir::MLIRContext &context,
                                                   slm::WeightStore &weights,
                                                   const std::string &path,
                                                   bool canonicalize = true) {
  progress("importing " + path);
  auto module = slm::importOnnxModel(context, path, weights);
  if (!module) {
    errs() << "slmc: error: " << toString(module.takeError()) << "\n";
    return nullptr;
  }
  if (canonicalize) {
    progress("canonicalizing");
    if (failed(slm::runImportCleanup(**module, /*fusion=*/!noFusion))) {
      errs() << "slmc: error: " << path << ": canonicalization failed\n";
      return nullptr;
    }
  }
  return std::move(*module);
}

static int runImport() {
  mlir::DialectRegistry registry;
  slm::registerImporterDialects(registry);
  mlir::MLIRContext context(registry);
  context.disableMultithreading();
  slm::WeightStore weights;
  auto start = std::chrono::steady_clock::now();
  auto module = loadModel(context, weights, importInput, !noCanonicalize);
  if (!module)
    return 1;
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (printStats) {
    auto stats = slm::collectStats(*module);
    errs() << "ops: " << stats.numOps << "\n";
    for (auto &[name, count] : stats.opCounts)
      errs() << "  " << name << ": " << count << "\n";
    errs() << "weight handles: " << stats.numWeights << " (" << stats.weightBytes
           << " bytes)\n";
    errs() << "inline constants: " << stats.numConstants << " (" << stats.constantBytes
           << " bytes)\n";
    errs() << "weight store: " << weights.size() << " tensors (" << weights.totalBytes()
           << " bytes)\n";
    errs() << "import seconds: " << format("%.3f", seconds) << "\n";
  }
  mlir::OpPrintingFlags flags;
  flags.enableDebugInfo(false);
  if (!writeAtomically(importOutput, [&](raw_ostream &os) { module->print(os, flags); }))
    return 1;
  progress("wrote " + importOutput + " (" + std::to_string(seconds) + " s)");
  return 0;
}

/// `slmc targets`: one line per variant; --show NAME / --target-spec FILE:
/// the validated spec as a table or (--json) as JSON.
static int printTargets() {
  std::vector<slm::TargetVariant> variants = slm::listTargetVariants();
  size_t width = 4;
  for (const auto &v : variants)
    width = std::max(width, v.name.size());
  outs() << left_justify("NAME", width) << "  CODEGEN  DESCRIPTION\n";
  for (const auto &v : variants)
    outs() << left_justify(v.name, width) << "  " << left_justify(v.hasCodegen ? "yes" : "no", 7)
           << "  " << v.description << "\n";
  return 0;
}

static int runTargets() {
  slm::registerAllTargets();
  if (showTarget.empty() && targetSpecPath.empty()) {
    if (showJson) {
      errs() << "slmc: error: --json needs --show NAME or --target-spec FILE\n";
      return 1;
    }
    return printTargets();
  }
  if (!showTarget.empty() && !targetSpecPath.empty()) {
    errs() << "slmc: error: give --show NAME or --target-spec FILE, not both\n";
    return 1;
  }
  auto spec = targetSpecPath.empty() ? slm::lookupHardwareSpec(showTarget)
                                     : slm::loadHardwareSpecFile(targetSpecPath);
  if (!spec) {
    errs() << "slmc: error: " << toString(spec.takeError()) << "\n";
    return 1;
  }
  if (showJson) {
    slm::writeHardwareSpecJson(*spec, outs());
    return 0;
  }
  StringRef codegen = spec->codegen.empty() ? StringRef(spec->name) : StringRef(spec->codegen);
  slm::printHardwareSpec(*spec, outs(), llvm::is_contained(slm::listTargets(), codegen));
  return 0;
}

static int runCompile() {
  slm::registerAllTargets();
  if (listTargetsFlag)
    return printTargets();
  if (listSchemesFlag) {
    for (const slm::QuantScheme &s : slm::allQuantSchemes())
      outs() << s.name << "\t" << s.summary << "\n";
    return 0;
  }
  if (compileInput.empty() || compileOutput.empty()) {
    errs() << "slmc: error: usage: slmc compile <model.onnx> -o <file> [--target T]\n";
    return 1;
  }
  // --target-spec: the hardware to plan for; its "codegen" variant compiles
  // unless --target names one.
  std::optional<slm::HardwareSpec> userSpec;
  std::string codegenName = targetName;
  if (!targetSpecPath.empty()) {
    auto spec = slm::loadHardwareSpecFile(targetSpecPath);
    if (!spec) {
      errs() << "slmc: error: " << toString(spec.takeError()) << "\n";
      return 1;
    }
    if (targetName.getNumOccurrences() == 0)
      codegenName = spec->codegen.empty() ? spec->name : spec->codegen;
    userSpec = std::move(*spec);
  }
  // --quant and the planner's options, checked before the model is read.
  bool autoQuant = quantScheme == "auto";
  if (quantScheme != "none" && !autoQuant &&
      !slm::lookupQuantScheme(std::string_view(quantScheme.getValue()))) {
    errs() << "slmc: error: unknown quantization scheme '" << quantScheme
           << "' (known: none, auto, " << slm::quantSchemeNames() << ")\n";
    return 1;
  }
  for (cl::Option *o : std::initializer_list<cl::Option *>{
           &accuracyBudget, &planObjective, &sensitivityPath, &sensitivityCache,
           &reportTextPath})
    if (o->getNumOccurrences() && !autoQuant) {
      errs() << "slmc: error: --" << o->ArgStr << " needs --quant auto\n";
      return 1;
    }
  slm::CompileOptions options;
  if (planSeq == 0) {
    errs() << "slmc: error: --plan-seq must be at least 1\n";
    return 1;
  }
  options.plan.prefillSeq = planSeq;
  options.plan.decodePast = planPast;
  options.plan.threads = planThreads;
  std::optional<slm::CostCalibration> calibration;
  std::optional<slm::SensitivityDatabase> measured;
  if (autoQuant) {
    auto budget = slm::parseAccuracyBudget(accuracyBudget);
    auto objective = slm::parsePlanObjective(planObjective);
    if (!budget) {
      errs() << "slmc: error: --accuracy-budget: " << toString(budget.takeError()) << "\n";
      return 1;
    }
    if (!objective) {
      errs() << "slmc: error: --objective: " << toString(objective.takeError()) << "\n";
      return 1;
    }
    options.plan.budgetPercent = *budget;
    options.plan.objective = *objective;
    if (!sensitivityPath.empty()) {
      auto db = slm::loadSensitivityDatabase(sensitivityPath);
      if (!db) {
        errs() << "slmc: error: " << toString(db.takeError()) << "\n";
        return 1;
      }
      measured = std::move(*db);
      options.plan.sensitivity.measured = &*measured;
    }
    options.plan.sensitivity.cachePath = sensitivityCache;
    options.reportTextPath = reportTextPath;
    options.planTable = [](const std::string &table) {
      if (!quiet)
        errs() << table;
    };
  }

  auto target = slm::lookupTarget(codegenName);
  // A target with a hardware spec but no code generator (arm64-*, hexagon-*,
  // trn*): --emit=slm plans and reports for it (predicted), nothing else.
  std::optional<slm::HardwareSpec> specOnly;
  if (!target && emitKind == EmitKind::Slm) {
    auto spec = userSpec ? Expected<slm::HardwareSpec>(std::move(*userSpec))
                         : slm::lookupHardwareSpec(codegenName);
    if (spec) {
      consumeError(target.takeError());
      specOnly = std::move(*spec);
      userSpec.reset();
    } else {
      consumeError(spec.takeError());
    }
  }
  if (!target && !specOnly) {
    bool fromSpec = userSpec && targetName.getNumOccurrences() == 0;
    std::string message = toString(target.takeError());
    errs() << "slmc: error: " << (fromSpec ? targetSpecPath + ": " : std::string()) << message
           << "\n";
    if (StringRef(message).contains("no code generator"))
      errs() << "slmc: note: --emit=slm (with --report, --quant auto) works for it: the plan "
                "and report are predicted from its hardware spec\n";
    return 1;
  }
  if (userSpec)
    if (auto err = (*target)->setHardware(std::move(*userSpec))) {
      errs() << "slmc: error: " << targetSpecPath << ": " << toString(std::move(err)) << "\n";
      return 1;
    }
  const slm::HardwareSpec &hardware = specOnly ? *specOnly : (*target)->hardware();
  const slm::Target *codegen = specOnly ? nullptr : target->get();
  // The cost model's calibration: --calibration, else the default database.
  std::string calibrationFile = calibrationPath.getNumOccurrences()
                                    ? (calibrationPath == "none" ? std::string() : calibrationPath.getValue())
                                    : slm::defaultCalibrationPath(hardware);
  if (!calibrationFile.empty()) {
    auto c = slm::loadCostCalibration(calibrationFile);
    if (!c) {
      errs() << "slmc: error: " << toString(c.takeError()) << "\n";
      return 1;
    }
    calibration = std::move(*c);
    options.plan.calibration = &*calibration;
  }
  if (printPipeline && codegen)
    errs() << slm::getLoweringPipeline(*codegen, profileKernels) << "\n";
  mlir::DialectRegistry registry;
  slm::registerCodegenDialects(registry);
  mlir::MLIRContext context(registry);
  context.disableMultithreading();
  slm::WeightStore weights;
  auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  auto module = loadModel(context, weights, compileInput);
  if (!module)
    return 1;
  mlir::OpPrintingFlags flags;
  flags.enableDebugInfo(false);
  auto printModule = [&] {
    return writeAtomically(compileOutput,
                           [&](raw_ostream &os) { module->print(os, flags); })
               ? 0
               : 1;
  };
  options.contextLimit = contextLimit;
  options.profile = profileKernels;
  options.quant = quantScheme;
  options.quantOverrides.assign(quantOverrides.begin(), quantOverrides.end());
  options.scaleSearch = quantSearch;
  options.quantSimulate = quantSimulate;
  options.prune = pruneSpec;
  options.pruneScore = pruneScore;
  std::optional<slm::PruneNorms> pruneNorms;
  if (!pruneNormsPath.empty()) {
    auto n = slm::loadPruneNorms(pruneNormsPath);
    if (!n) {
      errs() << "slmc: error: " << toString(n.takeError()) << "\n";
      return 1;
    }
    pruneNorms = std::move(*n);
    options.pruneNorms = &*pruneNorms;
  }
  if (pruneCapture)
    if (auto err = slm::addPruneCaptureOutputs(*module)) {
      errs() << "slmc: error: " << compileInput << ": " << toString(std::move(err)) << "\n";
      return 1;
    }
  options.reportPath = reportPath;
  options.progress = [](const std::string &msg) { progress(msg); };
  if (!reportPath.empty() && emitKind != EmitKind::Package && emitKind != EmitKind::Slm) {
    errs() << "slmc: error: --report needs --emit=package or --emit=slm\n";
    return 1;
  }
  if (emitKind == EmitKind::Package) {
    if (auto err = slm::compileToPackage(*module, weights, **target, compileOutput, options)) {
      errs() << "slmc: error: " << compileInput << ": " << toString(std::move(err)) << "\n";
      return 1;
    }
    progress("wrote " + compileOutput + " (" + std::to_string(elapsed()) + " s)");
    return 0;
  }
  std::vector<slm::PruneRecord> pruned;
  if (auto err = slm::applyPruning(*module, weights, pruneSpec, pruneScore, pruned,
                                      options.pruneNorms)) {
    errs() << "slmc: error: " << compileInput << ": " << toString(std::move(err)) << "\n";
    return 1;
  }
  slm::QuantPlan plan;
  if (auto err = slm::applyQuantization(*module, weights, hardware, codegen, options, &plan)) {
    errs() << "slmc: error: " << compileInput << ": " << toString(std::move(err)) << "\n";
    return 1;
  }
  if (emitKind == EmitKind::Slm) {
    if (!reportPath.empty()) {
      llvm::json::Object report = slm::describeGraph(*module, autoQuant ? &plan : nullptr);
      slm::addPruneReport(report, pruned);
      report["target"] = hardware.name;
      report["predicted"] =
          slm::predictionReport(*module, hardware, options.plan.threads,
                                options.plan.calibration, planSeq, planPast);
      if (!codegen)
        report["codegen"] = false;
      if (auto err = slm::writeJson(reportPath, std::move(report))) {
        errs() << "slmc: error: " << toString(std::move(err)) << "\n";
        return 1;
      }
    }
    return printModule();
  }
  progress("lowering for " + (*target)->spec().name);
  if (emitKind == EmitKind::Linalg) {
    mlir::PassManager pm(&context);
    pm.addPass(slm::createConvertSlmToLinalg());
    if (failed(pm.run(*module)))
      return 1;
    return printModule();
  }
  if (failed(slm::lowerToLLVMDialect(*module, **target, profileKernels))) {
    errs() << "slmc: error: " << compileInput << ": lowering for " << (*target)->spec().name
           << " failed\n";
    return 1;
  }
  if (emitKind == EmitKind::Llvm)
    return printModule();
  progress("generating code");
  auto library = slm::buildKernelLibrary(*module, **target);
  if (!library) {
    errs() << "slmc: error: " << toString(library.takeError()) << "\n";
    return 1;
  }
  if (!writeAtomically(compileOutput, [&](raw_ostream &os) {
        os.write(reinterpret_cast<const char *>(library->data()), library->size());
      }))
    return 1;
  progress("wrote " + compileOutput + " (" + std::to_string(library->size()) + " bytes, " +
           std::to_string(elapsed()) + " s)");
  return 0;
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::SetVersionPrinter([](raw_ostream &os) { os << "slmc 0.1 (LLVM/MLIR 22)\n"; });
  cl::ParseCommandLineOptions(
      argc, argv,
      "slmc: compiler for small language models\n\n"
      "  slmc import model.onnx -o model.mlir   import ONNX into the slm dialect\n"
      "  slmc compile model.onnx --target T -o out   compile for a target\n"
      "  slmc targets [--show T [--json]]   list the targets / show one's hardware spec\n"
      "      (--target-spec FILE on compile and targets: a hardware spec of your own,\n"
      "      docs/targets.md)\n\n"
      "Run 'slmc <subcommand> --help' for the options of a subcommand.\n");
  if (importCmd)
    return runImport();
  if (compileCmd)
    return runCompile();
  if (targetsCmd)
    return runTargets();
  errs() << "slmc: error: no subcommand given; see 'slmc --help'\n";
  return 1;
}
