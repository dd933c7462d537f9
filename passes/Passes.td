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

def ConvertSlmToLinalg : Pass<"convert-slm-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lower slm ops to linalg, tensor, arith and math on plain tensors";
  let description = [{
    Rebuilds each function with encoding-free tensor types. Symbolic dims
    become leading `index` arguments (`slm.symbol` names them; the function's
    `slm.symbols` lists them in order); weights become tensor arguments after
    the inputs (`slm.weight` names them). Elementwise ops become broadcasting
    `linalg.generic`s, reductions and normalizations reduction generics,
    contractions batched generics, data movement tensor ops.
  }];
  let dependentDialects = [
    "mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect",
    "mlir::arith::ArithDialect", "mlir::math::MathDialect",
    "mlir::scf::SCFDialect"
  ];
}

#endif // SLMC_PASSES_TD
