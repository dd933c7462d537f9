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
// Numerics of slm.matmul on the named-op paths: [B, M, K] x [K, N]
// (collapse + linalg.matmul + expand), 2-D x 2-D, [1, K, N] rhs, and equal
// batch dims (collapse + linalg.batch_matmul + expand).
// Expected values: numpy (float64 reference, printed to 6 digits).

func.func private @printMemref2dF32(tensor<3x5xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref3dF32(tensor<2x3x5xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref4dF32(tensor<2x2x3x2xf32>) attributes {llvm.emit_c_interface}

func.func @entry() {
  %a = slm.constant dense<[[[-1.5, -0.0, 0.5, -2.0], [-1.5, 1.75, -1.75, -1.5], [1.75, 0.5, -0.5, 0.0]], [[0.75, -1.0, -1.5, 1.25], [0.75, 0.0, 1.25, 0.25], [2.0, -1.25, 0.25, -0.0]]]> : tensor<2x3x4xf32>
  %w = slm.constant dense<[[-0.5, 0.25, -1.0, 1.25, 1.5], [-1.5, -0.25, -1.0, -1.75, 1.5], [-0.25, -1.5, 0.75, -1.25, 1.5], [-1.25, -1.75, -1.25, -0.5, -0.0]]> : tensor<4x5xf32>
  %r0 = slm.matmul %a, %w : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
  call @printMemref3dF32(%r0) : (tensor<2x3x5xf32>) -> ()
  %a2 = slm.constant dense<[[1.5, 0.75, -0.75, -2.0], [-1.25, 2.0, -0.25, 0.75], [-1.75, -1.75, 1.5, 0.25]]> : tensor<3x4xf32>
  %r1 = slm.matmul %a2, %w : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
  call @printMemref2dF32(%r1) : (tensor<3x5xf32>) -> ()
  %w1 = slm.constant dense<[[[-0.75, -0.75, -1.75, -1.25, -2.0], [1.25, -0.25, -1.5, 1.0, -1.25], [-1.75, 0.5, 1.5, -2.0, 1.25], [-1.25, -1.75, -2.0, -0.75, 1.0]]]> : tensor<1x4x5xf32>
  %r2 = slm.matmul %a, %w1 : (tensor<2x3x4xf32>, tensor<1x4x5xf32>) -> tensor<2x3x5xf32>
  call @printMemref3dF32(%r2) : (tensor<2x3x5xf32>) -> ()
  %q = slm.constant dense<[[[[-0.0, 1.5, -1.25, -0.75], [-1.0, 2.0, 1.75, -0.75], [-0.25, -0.75, 1.0, -1.75]], [[-1.75, -0.5, -1.0, 1.5], [1.0, 0.25, 0.75, 0.75], [1.0, 1.75, -1.5, 0.5]]], [[[-1.5, -0.25, 1.25, 1.5], [1.0, -1.75, -0.5, -1.25], [2.0, -1.5, -1.0, -0.5]], [[-1.75, 1.5, 0.5, -1.25], [-0.0, -1.75, 0.5, -1.0], [-1.75, -1.5, 0.25, 0.5]]]]> : tensor<2x2x3x4xf32>
  %k = slm.constant dense<[[[[-0.75, 0.5], [-0.5, -1.5], [-0.75, -0.5], [1.75, -1.5]], [[-1.75, 0.25], [1.75, 1.75], [0.75, -1.75], [1.25, 0.75]]], [[[-1.5, -0.25], [-1.75, 1.25], [0.75, 1.25], [1.0, -1.0]], [[1.25, -1.0], [-1.5, -0.5], [-0.0, -0.75], [0.5, 0.5]]]]> : tensor<2x2x4x2xf32>
  %r3 = slm.matmul %q, %k : (tensor<2x2x3x4xf32>, tensor<2x2x4x2xf32>) -> tensor<2x2x3x2xf32>
  call @printMemref4dF32(%r3) : (tensor<2x2x3x2xf32>) -> ()
  return
}

// CHECK: rank = 3 offset = 0 sizes = [2, 3, 5]
// CHECK-NEXT{LITERAL}: [[[3.125, 2.375, 4.375, -1.5, -1.5],
// CHECK-NEXT{LITERAL}: [0.4375, 4.4375, 0.3125, -2, -2.25],
// CHECK-NEXT{LITERAL}: [-1.5, 1.0625, -2.625, 1.9375, 2.625]],
// CHECK-NEXT{LITERAL}: [[-0.0625, 0.5, -2.4375, 3.9375, -2.625],
// CHECK-NEXT{LITERAL}: [-1, -2.125, -0.125, -0.75, 3],
// CHECK-NEXT{LITERAL}: [0.8125, 0.4375, -0.5625, 4.375, 1.5]]]
// CHECK: rank = 2 offset = 0 sizes = [3, 5]
// CHECK-NEXT{LITERAL}: [[0.8125, 4.8125, -0.3125, 2.5, 2.25],
// CHECK-NEXT{LITERAL}: [-3.25, -1.75, -1.875, -5.125, 0.75],
// CHECK-NEXT{LITERAL}: [2.8125, -2.6875, 4.3125, -1.125, -3]]
// CHECK: rank = 3 offset = 0 sizes = [2, 3, 5]
// CHECK-NEXT{LITERAL}: [[[2.75, 4.875, 7.375, 2.375, 1.625],
// CHECK-NEXT{LITERAL}: [8.25, 2.4375, 0.375, 8.25, -2.875],
// CHECK-NEXT{LITERAL}: [0.1875, -1.6875, -4.5625, -0.6875, -4.75]],
// CHECK-NEXT{LITERAL}: [[-0.75, -3.25, -4.5625, 0.125, -0.875],
// CHECK-NEXT{LITERAL}: [-3.0625, -0.375, 0.0625, -3.625, 0.3125],
// CHECK-NEXT{LITERAL}: [-3.5, -1.0625, -1.25, -4.25, -2.125]]]
// CHECK: rank = 4 offset = 0 sizes = [2, 2, 3, 2]
// CHECK-NEXT{LITERAL}: [[[[-1.125, -0.5],
// CHECK-NEXT{LITERAL}: [-2.875, -3.25],
// CHECK-NEXT{LITERAL}: [-3.25, 3.125]],
// CHECK-NEXT{LITERAL}: [[3.3125, 1.5625],
// CHECK-NEXT{LITERAL}: [0.1875, -0.0625],
// CHECK-NEXT{LITERAL}: [0.8125, 6.3125]]],
// CHECK-NEXT{LITERAL}: [[[5.125, 0.125],
// CHECK-NEXT{LITERAL}: [-0.0625, -1.8125],
// CHECK-NEXT{LITERAL}: [-1.625, -3.125]],
// CHECK-NEXT{LITERAL}: [[-5.0625, 0],
// CHECK-NEXT{LITERAL}: [2.125, 0],
// CHECK-NEXT{LITERAL}: [0.3125, 2.5625]]]]
