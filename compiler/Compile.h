//===- Compile.h - ONNX model to .slmpkg ------------------------*- C++ -*-===//
#ifndef SLMC_COMPILER_COMPILE_H
#define SLMC_COMPILER_COMPILE_H

#include "compiler/WeightStore.h"
#include "targets/Target.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/FunctionExtras.h"
#include "llvm/Support/Error.h"

namespace slm {

struct CompileOptions {
  /// Largest total sequence length a session may reach (0: unlimited).
  uint32_t contextLimit = 0;
  /// Time every kernel call (for `slmc-run --bench`'s per-kernel profile).
  bool profile = false;
  /// Called with a line of progress for each long step.
  std::function<void(const std::string &)> progress;
};

/// Lowers an imported, canonicalized module for `target`, builds its kernel
/// library and writes the package to `outputPath` (temp file + rename).
/// Weights come from `weights` (the store the module was imported with).
llvm::Error compileToPackage(mlir::ModuleOp module, WeightStore &weights,
                             const Target &target, llvm::StringRef outputPath,
                             const CompileOptions &options = {});

} // namespace slm

#endif // SLMC_COMPILER_COMPILE_H
