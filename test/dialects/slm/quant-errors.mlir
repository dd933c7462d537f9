// RUN: slmc-opt %s -split-input-file -verify-diagnostics

// expected-error @+1 {{unknown quantization scheme 'int3-g7'}}
func.func private @f(tensor<4x4xi4, #slm.quant<"int3-g7", axis = 0>>)

// -----

func.func @bad_weight(%a: tensor<4x8xf32>, %w: tensor<8x8xi8>, %c: tensor<4x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{a quantized weight must be a 1-D buffer of i8 (packed bytes)}}
  %y = slm.linear_kernel ins(%a, %w : tensor<4x8xf32>, tensor<8x8xi8>) outs(%c : tensor<4x16xf32>)
      {k = 8 : i64, n = 16 : i64, quant = #slm.quant<"int8-channel", axis = 0>} -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @bad_k(%a: tensor<4x8xf32>, %w: tensor<?xi8>, %c: tensor<4x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{input has 8 columns, k is 9}}
  %y = slm.linear_kernel ins(%a, %w : tensor<4x8xf32>, tensor<?xi8>) outs(%c : tensor<4x16xf32>)
      {k = 9 : i64, n = 16 : i64, quant = #slm.quant<"int8-channel", axis = 0>} -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @bad_f32_weight(%a: tensor<4x8xf32>, %w: tensor<16x8xf32>, %c: tensor<4x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{an unquantized weight must be f32 [8, 16], got 'tensor<16x8xf32>'}}
  %y = slm.linear_kernel ins(%a, %w : tensor<4x8xf32>, tensor<16x8xf32>) outs(%c : tensor<4x16xf32>)
      {k = 8 : i64, n = 16 : i64} -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @accumulate_with_activation(%a: tensor<4x8xf32>, %w: tensor<8x16xf32>, %c: tensor<4x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{accumulate goes only with activation "none"}}
  %y = slm.linear_kernel ins(%a, %w : tensor<4x8xf32>, tensor<8x16xf32>) outs(%c : tensor<4x16xf32>)
      {k = 8 : i64, n = 16 : i64, accumulate, activation = "silu"} -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @bad_bias(%a: tensor<4x8xf32>, %w: tensor<8x16xf32>, %b: tensor<8xf32>, %c: tensor<4x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{bias must be 16 f32 values}}
  %y = slm.linear_kernel ins(%a, %w : tensor<4x8xf32>, tensor<8x16xf32>) bias(%b : tensor<8xf32>) outs(%c : tensor<4x16xf32>)
      {k = 8 : i64, n = 16 : i64} -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

func.func @linear_residual_activation(%x: tensor<4x8xf32>, %w: tensor<8x8xf32>, %r: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{a residual goes only with activation "none"}}
  %y = slm.linear %x, %w residual %r {activation = "gelu"} : (tensor<4x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @linear_bad_activation(%x: tensor<4x8xf32>, %w: tensor<8x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{unknown activation "relu6" (expected none, silu, gelu or gelu_tanh)}}
  %y = slm.linear %x, %w {activation = "relu6"} : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

func.func @linear_bad_bias(%x: tensor<4x8xf32>, %w: tensor<8x8xf32>, %b: tensor<4xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{the bias must be tensor<8xf32>, got 'tensor<4xf32>'}}
  %y = slm.linear %x, %w bias %b : (tensor<4x8xf32>, tensor<8x8xf32>, tensor<4xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
