//===- Codegen.h - From slm IR to a kernel shared object --------*- C++ -*-===//
#ifndef SLMC_COMPILER_CODEGEN_H
#define SLMC_COMPILER_CODEGEN_H

#include "targets/Target.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace slm {

/// The textual pass pipeline from imported slm IR to the LLVM dialect for
/// `target`, as the passes of a `builtin.module(...)` pipeline (what
/// `slmc compile --print-pipeline` shows).
std::string getLoweringPipeline(const Target &target, bool profile = false);

/// Lowers an imported (canonicalized) slm module to the LLVM dialect with a
/// `slm_main(void **)` entry. On failure the diagnostics were emitted.
/// With `profile`, kernel calls are timed through the runtime's hooks
/// (`slmc-run --bench` prints the per-kernel table).
mlir::LogicalResult lowerToLLVMDialect(mlir::ModuleOp module, const Target &target,
                                       bool profile = false);

/// Translates an LLVM-dialect module to LLVM IR, optimizes it (O3) for the
/// target's CPU and features, emits an object file and links it into a
/// shared object with ld.lld. The target's micro-kernels are linked in
/// first. Only `slm_main` is exported. Returns the .so bytes.
llvm::Expected<std::vector<uint8_t>> buildKernelLibrary(mlir::ModuleOp module,
                                                        const Target &target);

/// Registers every dialect, interface and translation the pipeline uses.
void registerCodegenDialects(mlir::DialectRegistry &registry);

} // namespace slm

#endif // SLMC_COMPILER_CODEGEN_H
