// RUN: slmc-opt %s --convert-slm-to-linalg \
// RUN: | mlir-opt --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN:   --convert-linalg-to-loops --convert-scf-to-cf --expand-strided-metadata --lower-affine \
// RUN:   --convert-math-to-llvm --convert-math-to-libm --convert-arith-to-llvm --finalize-memref-to-llvm \
// RUN:   --convert-func-to-llvm --convert-cf-to-llvm \
// RUN:   --reconcile-unrealized-casts \
// RUN: | mlir-runner -e entry -entry-point-result=void \
// RUN:   -shared-libs=/usr/lib/llvm-22/lib/libmlir_runner_utils.so,/usr/lib/llvm-22/lib/libmlir_c_runner_utils.so \
// RUN: | FileCheck %s

// Inputs are multiples of 1/4, so the results are exact.
// Numerics of slm.gemm: plain, transA/transB with alpha/beta and a [N] C,
// a [M, 1] C, beta = 0, f16.
// Expected values: numpy (float64 reference, printed to 6 digits).

func.func private @printMemref2dF32(tensor<3x5xf32>) attributes {llvm.emit_c_interface}

func.func @entry() {
  %a = slm.constant dense<[[1.5, 1.75, 1.75, 1.25], [-0.0, 0.0, -0.5, -0.5], [-1.75, 1.25, -1.0, -2.0]]> : tensor<3x4xf32>
  %b = slm.constant dense<[[-0.25, 0.75, -0.25, -0.5, 0.75], [-1.25, -2.0, 0.25, 0.0, 1.5], [-0.25, 1.25, -2.0, -2.0, 0.5], [-1.0, -1.75, -1.5, -0.5, -0.75]]> : tensor<4x5xf32>
  %at = slm.constant dense<[[0.25, 1.5, -0.5], [-1.25, 0.25, -2.0], [-0.5, -0.75, -0.5], [-1.75, 0.25, 0.5]]> : tensor<4x3xf32>
  %bt = slm.constant dense<[[1.0, 1.75, -0.5, 0.75], [-0.25, -1.25, 1.5, 1.0], [1.75, 1.25, 1.75, -1.5], [-2.0, -1.25, -0.25, 0.75], [-0.25, 0.0, 1.0, -1.75]]> : tensor<5x4xf32>
  %c5 = slm.constant dense<[0.75, -1.75, -1.0, 1.0, 0.75]> : tensor<5xf32>
  %c31 = slm.constant dense<[[-0.5], [-0.75], [1.25]]> : tensor<3x1xf32>
  %c35 = slm.constant dense<[[-1.0, -2.0, -1.0, -2.0, 1.25], [-1.5, 2.0, -1.25, -0.75, 0.25], [-0.75, -0.5, -1.5, -0.5, -2.0]]> : tensor<3x5xf32>
  %r0 = slm.gemm %a, %b : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
  call @printMemref2dF32(%r0) : (tensor<3x5xf32>) -> ()
  %r1 = slm.gemm %at, %bt, %c5 {transA = true, transB = true, alpha = 0.5 : f64, beta = 2.0 : f64} : (tensor<4x3xf32>, tensor<5x4xf32>, tensor<5xf32>) -> tensor<3x5xf32>
  call @printMemref2dF32(%r1) : (tensor<3x5xf32>) -> ()
  %r2 = slm.gemm %a, %bt, %c31 {transB = true} : (tensor<3x4xf32>, tensor<5x4xf32>, tensor<3x1xf32>) -> tensor<3x5xf32>
  call @printMemref2dF32(%r2) : (tensor<3x5xf32>) -> ()
  %r3 = slm.gemm %at, %b, %c35 {transA = true, alpha = -1.5 : f64, beta = 0.0 : f64} : (tensor<4x3xf32>, tensor<4x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
  call @printMemref2dF32(%r3) : (tensor<3x5xf32>) -> ()
  %ha = slm.constant dense<[[-1.0, 1.75, -1.0, -1.0], [0.75, 1.5, -0.75, -0.5], [0.75, 1.25, 0.5, -1.25]]> : tensor<3x4xf16>
  %hb = slm.constant dense<[[-1.25, 1.0, 0.75, 1.5, 1.0], [-0.25, -1.5, 1.5, 0.75, 0.25], [0.75, -0.5, -0.75, 0.25, -0.0], [0.75, 1.75, 1.5, -0.5, -0.5]]> : tensor<4x5xf16>
  %hc = slm.constant dense<[[1.75, -0.5, 1.25, -1.75, -0.25], [0.0, 1.25, 1.5, -1.5, 0.5], [0.5, -1.5, 1.25, 0.25, 1.75]]> : tensor<3x5xf16>
  %r4 = slm.gemm %ha, %hb, %hc {beta = 0.5 : f64} : (tensor<3x4xf16>, tensor<4x5xf16>, tensor<3x5xf16>) -> tensor<3x5xf16>
  %p5 = slm.cast %r4 : (tensor<3x5xf16>) -> tensor<3x5xf32>
  call @printMemref2dF32(%p5) : (tensor<3x5xf32>) -> ()
  return
}

// CHECK: rank = 2 offset = 0 sizes = [3, 5]
// CHECK-NEXT{LITERAL}: [[-4.25, -2.375, -5.3125, -4.875, 3.6875],
// CHECK-NEXT{LITERAL}: [0.625, 0.25, 1.75, 1.25, 0.125],
// CHECK-NEXT{LITERAL}: [1.125, -1.5625, 5.75, 3.875, 1.5625]]
// CHECK: rank = 2 offset = 0 sizes = [3, 5]
// CHECK-NEXT{LITERAL}: [[0, -4, -1.6875, 1.9375, 2.75],
// CHECK-NEXT{LITERAL}: [2.75, -4.28125, -1.375, 0.53125, 0.71875],
// CHECK-NEXT{LITERAL}: [-0.1875, -2.3125, -4.5, 4, 0.875]]
// CHECK: rank = 2 offset = 0 sizes = [3, 5]
// CHECK-NEXT{LITERAL}: [[4.125, 0.8125, 5.5, -5.1875, -1.3125],
// CHECK-NEXT{LITERAL}: [-0.875, -2, -0.875, -1, -0.375],
// CHECK-NEXT{LITERAL}: [0.6875, -3.375, 1, 1.9375, 4.1875]]
// CHECK: rank = 2 offset = 0 sizes = [3, 5]
// CHECK-NEXT{LITERAL}: [[-5.0625, -7.6875, -4.875, -2.625, 0.9375],
// CHECK-NEXT{LITERAL}: [1.125, 1.125, -1.21875, -0.9375, -1.40625],
// CHECK-NEXT{LITERAL}: [-3.375, -3.1875, 0.1875, -1.5, 6]]
// CHECK: rank = 2 offset = 0 sizes = [3, 5]
// CHECK-NEXT{LITERAL}: [[0.1875, -5.125, 1.75, -0.8125, -0.1875],
// CHECK-NEXT{LITERAL}: [-2.25, -1.375, 3.375, 1.5625, 1.625],
// CHECK-NEXT{LITERAL}: [-1.5625, -4.3125, 0.8125, 2.9375, 2.5625]]
