//===- SlmDialect.td - The slm dialect ---------------------*- tablegen -*-===//
#ifndef SLM_DIALECT_TD
#define SLM_DIALECT_TD

include "mlir/IR/OpBase.td"

def Slm_Dialect : Dialect {
  let name = "slm";
  let summary = "Tensor-level ops for small language models";
  let description = [{
    The `slm` dialect holds decoder-only language models at the tensor level.
    Core ops follow ONNX semantics (broadcasting, attribute/input forms of
    every opset resolved at import). Dynamic dimensions are symbolic: a
    tensor type with `?` dims carries a `#slm.dims<...>` encoding that names
    each dynamic dim by an expression over symbols bound at run time
    (`batch_size`, `sequence_length`, `past_sequence_length + sequence_length`).
    Weights are handles (`slm.weight @name`) into the WeightStore, never
    attributes.
  }];
  let cppNamespace = "::slm";
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
  let extraClassDeclaration = [{
    void registerAttributes();
  }];
}

#endif // SLM_DIALECT_TD
