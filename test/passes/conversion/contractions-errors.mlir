// RUN: slmc-opt %s --convert-slm-to-linalg -split-input-file -verify-diagnostics

// Integer contractions are not lowered.

func.func @matmul_i32(%a: tensor<4x8xi32>, %b: tensor<8x2xi32>) -> tensor<4x2xi32> {
  // expected-error @+1 {{the linalg lowering supports floating-point matmul only (got 'i32')}}
  %0 = slm.matmul %a, %b : (tensor<4x8xi32>, tensor<8x2xi32>) -> tensor<4x2xi32>
  return %0 : tensor<4x2xi32>
}

// -----

func.func @gemm_i8(%a: tensor<4x8xi8>, %b: tensor<8x2xi8>) -> tensor<4x2xi8> {
  // expected-error @+1 {{the linalg lowering supports floating-point gemm only}}
  %0 = slm.gemm %a, %b : (tensor<4x8xi8>, tensor<8x2xi8>) -> tensor<4x2xi8>
  return %0 : tensor<4x2xi8>
}
