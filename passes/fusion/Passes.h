//===- Passes.h - slm fusion passes -----------------------------*- C++ -*-===//
#ifndef SLMC_PASSES_FUSION_PASSES_H
#define SLMC_PASSES_FUSION_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace slm {

#define GEN_PASS_DECL
#include "passes/fusion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/fusion/Passes.h.inc"

/// Registers every fusion pass (for slmc-opt).
void registerFusionPasses();

/// All fusion passes in order, then canonicalize + CSE.
void addFusionPasses(mlir::OpPassManager &pm);

} // namespace slm

#endif // SLMC_PASSES_FUSION_PASSES_H
