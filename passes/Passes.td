//===- Passes.td - slmc passes -----------------------------*- tablegen -*-===//
#ifndef SLMC_PASSES_TD
#define SLMC_PASSES_TD

include "mlir/Pass/PassBase.td"

def VerifyShapesResolved : Pass<"slm-verify-shapes-resolved", "mlir::ModuleOp"> {
  let summary = "Fail if any shape computation survived canonicalization";
  let description = [{
    After import and canonicalization every dim must be static or symbolic
    in the types: no `slm.shape`, no `slm.dims` and no reshape, expand or
    constant_of_shape that still reads its shape from a tensor. Reports each
    offender with its location (the ONNX node name).
  }];
}

#endif // SLMC_PASSES_TD
