//===- OnnxImporter.h - ONNX ModelProto to the slm dialect ------*- C++ -*-===//
#ifndef SLMC_COMPILER_ONNXIMPORTER_H
#define SLMC_COMPILER_ONNXIMPORTER_H

#include "compiler/WeightStore.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"

namespace slm {

struct ImportOptions {
  /// Initializers and Constant values up to this size become inline
  /// `slm.constant` attributes; larger ones stay in the WeightStore.
  size_t maxInlineConstantBytes = 1024;
};

/// Opsets of the default ONNX domain the importer supports.
constexpr int64_t kMinOpset = 13;
constexpr int64_t kMaxOpset = 21;

/// Imports the ONNX model at `path` into a module holding `func.func @main`.
/// Its initializers are registered in `weights`. Shape arithmetic is folded
/// during import so that every dim is static or symbolic. Errors name the
/// file and node; all unsupported ops are reported together.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
importOnnxModel(mlir::MLIRContext &context, llvm::StringRef path, WeightStore &weights,
                const ImportOptions &options = {});

/// Registers the dialects the importer produces.
void registerImporterDialects(mlir::DialectRegistry &registry);

} // namespace slm

#endif // SLMC_COMPILER_ONNXIMPORTER_H
