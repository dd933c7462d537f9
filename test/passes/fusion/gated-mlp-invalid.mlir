// RUN: slmc-opt %s -split-input-file -verify-diagnostics

func.func @bad_activation(%x: tensor<4x64xf32>, %wg: tensor<64x128xf32>, %wu: tensor<64x128xf32>, %wd: tensor<128x64xf32>) -> tensor<4x64xf32> {
  // expected-error @+1 {{unknown activation "relu"}}
  %y = slm.gated_mlp %x gate %wg up %wu down %wd {activation = "relu"} : (tensor<4x64xf32>, tensor<64x128xf32>, tensor<64x128xf32>, tensor<128x64xf32>) -> tensor<4x64xf32>
  return %y : tensor<4x64xf32>
}

// -----

func.func @no_up(%x: tensor<4x64xf32>, %wg: tensor<64x128xf32>, %wd: tensor<128x64xf32>) -> tensor<4x64xf32> {
  // expected-error @+1 {{needs either w_up or fused_gate_up}}
  %y = slm.gated_mlp %x gate %wg down %wd {activation = "silu"} : (tensor<4x64xf32>, tensor<64x128xf32>, tensor<128x64xf32>) -> tensor<4x64xf32>
  return %y : tensor<4x64xf32>
}

// -----

func.func @fused_bad_down(%x: tensor<4x64xf32>, %wg: tensor<64x256xf32>, %wd: tensor<256x64xf32>) -> tensor<4x64xf32> {
  // expected-error @+1 {{w_down has 256 rows, expected 128}}
  %y = slm.gated_mlp %x gate %wg down %wd {activation = "silu", fused_gate_up} : (tensor<4x64xf32>, tensor<64x256xf32>, tensor<256x64xf32>) -> tensor<4x64xf32>
  return %y : tensor<4x64xf32>
}

// -----

func.func @bad_k(%x: tensor<4x32xf32>, %wg: tensor<64x128xf32>, %wu: tensor<64x128xf32>, %wd: tensor<128x64xf32>) -> tensor<4x64xf32> {
  // expected-error @+1 {{x's last dim 32 differs from the weights' 64}}
  %y = slm.gated_mlp %x gate %wg up %wu down %wd {activation = "silu"} : (tensor<4x32xf32>, tensor<64x128xf32>, tensor<64x128xf32>, tensor<128x64xf32>) -> tensor<4x64xf32>
  return %y : tensor<4x64xf32>
}

// -----

// Weights of another element type than x (quantized later) are accepted.
func.func @weight_types(%x: tensor<4x64xf32>, %wg: tensor<64x128xf16>, %wu: tensor<64x128xf16>, %wd: tensor<128x64xbf16>) -> tensor<4x64xf32> {
  %y = slm.gated_mlp %x gate %wg up %wu down %wd {activation = "gelu_tanh"} : (tensor<4x64xf32>, tensor<64x128xf16>, tensor<64x128xf16>, tensor<128x64xbf16>) -> tensor<4x64xf32>
  return %y : tensor<4x64xf32>
}
