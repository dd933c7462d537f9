//===- SlmAttrs.td - slm attributes ------------------------*- tablegen -*-===//
#ifndef SLM_ATTRS_TD
#define SLM_ATTRS_TD

include "dialects/slm/IR/SlmDialect.td"
include "mlir/IR/AttrTypeBase.td"

def Slm_DimsAttr : AttrDef<Slm_Dialect, "Dims"> {
  let mnemonic = "dims";
  let summary = "A list of symbolic integers (dimension expressions)";
  let description = [{
    Each entry is a polynomial over named symbols, in canonical text form:
    `#slm.dims<"batch_size", "past_sequence_length + sequence_length", "64">`.
    As the encoding of a ranked tensor type it lists the dynamic (`?`) dims
    in order. As an op attribute it holds integers that may be symbolic
    (slice bounds, a range start, the values of an `slm.dims` op).
  }];
  let parameters = (ins ArrayRefParameter<"::mlir::StringAttr">:$exprs);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let builders = [
    AttrBuilder<(ins "::llvm::ArrayRef<::slm::DimExpr>":$dims)>
  ];
  let extraClassDeclaration = [{
    /// The entries as expressions (they were verified to parse).
    ::slm::SymbolicShape getDims() const;
    size_t size() const { return getExprs().size(); }
  }];
}

#endif // SLM_ATTRS_TD
