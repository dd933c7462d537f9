// RUN: slmc-opt %s -split-input-file -verify-diagnostics

// expected-error @+1 {{unknown quantization scheme 'int3-g7'}}
func.func private @f(tensor<4x4xi4, #slm.quant<"int3-g7", axis = 0>>)

// -----

func.func @bad_weight(%a: tensor<4x8xf32>, %w: tensor<8x8xi8>, %c: tensor<4x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{weight must be a 1-D buffer of i8 (packed bytes)}}
  %y = slm.quantized_matmul ins(%a, %w : tensor<4x8xf32>, tensor<8x8xi8>) outs(%c : tensor<4x16xf32>)
      {k = 8 : i64, n = 16 : i64, quant = #slm.quant<"int8-channel", axis = 0>} -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @bad_k(%a: tensor<4x8xf32>, %w: tensor<?xi8>, %c: tensor<4x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{input has 8 columns, k is 9}}
  %y = slm.quantized_matmul ins(%a, %w : tensor<4x8xf32>, tensor<?xi8>) outs(%c : tensor<4x16xf32>)
      {k = 9 : i64, n = 16 : i64, quant = #slm.quant<"int8-channel", axis = 0>} -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}
