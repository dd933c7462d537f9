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

def Slm_QuantAttr : AttrDef<Slm_Dialect, "Quant"> {
  let mnemonic = "quant";
  let summary = "How a weight tensor is quantized: a scheme and its group axis";
  let description = [{
    The encoding of a quantized weight's tensor type:
    `tensor<576x1536xi4, #slm.quant<"int4-g32", axis = 0>>` is a [K, N]
    matmul weight whose groups of 32 run along dim 0 (the reduction).
    `scheme` names a record of the scheme table (QuantSchemes.h); the
    element type is the stored dtype (i8, i4, f16, bf16). The bytes behind
    it are made by the quantizer and laid out by the target when the package
    is written; ops that take such a tensor compute in the float type of
    their other operands.
  }];
  let parameters = (ins StringRefParameter<"scheme name">:$scheme, "int64_t":$axis);
  let assemblyFormat = "`<` $scheme `,` `axis` `=` $axis `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The scheme record (verified to exist).
    const ::slm::QuantScheme &getRecord() const;
  }];
}

#endif // SLM_ATTRS_TD
