// RUN: slmc-opt %s --convert-slm-to-linalg -split-input-file -verify-diagnostics

// Normalizations need floating-point inputs.

func.func @softmax_i32(%x: tensor<4x8xi32>) -> tensor<4x8xi32> {
  // expected-error @+1 {{the linalg lowering of 'slm.softmax' does not support this element type}}
  %0 = slm.softmax %x {axis = 1 : i64} : (tensor<4x8xi32>) -> tensor<4x8xi32>
  return %0 : tensor<4x8xi32>
}

// -----

func.func @rms_norm_i32(%x: tensor<4x8xi32>, %s: tensor<8xi32>) -> tensor<4x8xi32> {
  // expected-error @+1 {{the linalg lowering of 'slm.rms_norm' does not support this element type}}
  %0 = slm.rms_norm %x, %s {axis = 1 : i64, epsilon = 1.0e-06 : f64} : (tensor<4x8xi32>, tensor<8xi32>) -> tensor<4x8xi32>
  return %0 : tensor<4x8xi32>
}
