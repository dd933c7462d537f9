// RUN: slmc-opt %s --convert-slm-to-linalg \
// RUN: | mlir-opt --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN:   --convert-linalg-to-loops --convert-scf-to-cf --expand-strided-metadata --lower-affine \
// RUN:   --convert-math-to-llvm --convert-math-to-libm --convert-arith-to-llvm --finalize-memref-to-llvm \
// RUN:   --convert-func-to-llvm --convert-cf-to-llvm \
// RUN:   --reconcile-unrealized-casts \
// RUN: | mlir-runner -e entry -entry-point-result=void \
// RUN:   -shared-libs=/usr/lib/llvm-22/lib/libmlir_runner_utils.so,/usr/lib/llvm-22/lib/libmlir_c_runner_utils.so \
// RUN: | FileCheck %s

// Numerics of slm.reduce_{mean,sum,max,min} (f32): keepdims, several axes,
// all axes (0-d), and the expand_shape path (keepdims without a finalizing generic).
// Expected values: numpy (float64 reference, printed to 6 digits); a
// {{a|b|c}} pattern allows +-1 in the 6th digit (f32) or +-1 ulp (f16)
// where the float32 computation rounds differently.

func.func private @printMemref0dF32(tensor<f32>) attributes {llvm.emit_c_interface}
func.func private @printMemref1dF32(tensor<3xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref2dF32(tensor<2x4xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref3dF32(tensor<2x3x1xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref4dF32(tensor<2x1x2x1xf32>) attributes {llvm.emit_c_interface}

func.func @entry() {
  %x = slm.constant dense<[[[0.5, 1.59, 1.1, -1.1], [-0.8, 1.49, -1.98, 1.28], [1.19, -0.13, -0.79, -0.89]], [[-0.98, -0.22, 0.02, 0.21], [1.98, 1.17, 0.49, 1.96], [-1.14, -1.36, 0.45, -1.82]]]> : tensor<2x3x4xf32>
  %y = slm.constant dense<[[[[-1.86, 0.06, -0.14], [1.67, 0.52, 0.06]], [[-0.01, -1.01, -1.95], [-1.23, 0.77, -1.2]]], [[[-0.52, -1.99, 1.32], [-1.38, -0.93, 1.52]], [[0.04, 1.39, 0.56], [0.97, -1.63, 0.16]]]]> : tensor<2x2x2x3xf32>
  %r0 = slm.reduce_mean %x {axes = array<i64: 2>} : (tensor<2x3x4xf32>) -> tensor<2x3x1xf32>
  call @printMemref3dF32(%r0) : (tensor<2x3x1xf32>) -> ()
  %r1 = slm.reduce_sum %x {axes = array<i64: 0, 2>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<3xf32>
  call @printMemref1dF32(%r1) : (tensor<3xf32>) -> ()
  %r2 = slm.reduce_max %x {axes = array<i64: 1>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
  call @printMemref2dF32(%r2) : (tensor<2x4xf32>) -> ()
  %r3 = slm.reduce_min %x {axes = array<i64: 0, 1, 2>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<f32>
  call @printMemref0dF32(%r3) : (tensor<f32>) -> ()
  %r4 = slm.reduce_sum %y {axes = array<i64: 1, 3>} : (tensor<2x2x2x3xf32>) -> tensor<2x1x2x1xf32>
  call @printMemref4dF32(%r4) : (tensor<2x1x2x1xf32>) -> ()
  return
}

// CHECK: rank = 3 offset = 0 sizes = [2, 3, 1]
// CHECK-NEXT{LITERAL}: [[[0.5225],
// CHECK-NEXT: {{\[}}{{-0\.00250002|-0\.00250001|-0\.0025}}{{\]}},
// CHECK-NEXT{LITERAL}: [-0.155]],
// CHECK-NEXT{LITERAL}: [[-0.2425],
// CHECK-NEXT{LITERAL}: [1.4],
// CHECK-NEXT{LITERAL}: [-0.9675]]]
// CHECK: rank = 1 offset = 0 sizes = [3]
// CHECK-NEXT{LITERAL}: [1.12, 5.59, -4.49]
// CHECK: rank = 2 offset = 0 sizes = [2, 4]
// CHECK-NEXT{LITERAL}: [[1.19, 1.59, 1.1, 1.28],
// CHECK-NEXT{LITERAL}: [1.98, 1.17, 0.49, 1.96]]
// CHECK: rank = 0 offset = 0 sizes = []
// CHECK-NEXT{LITERAL}: [-1.98]
// CHECK: rank = 4 offset = 0 sizes = [2, 1, 2, 1]
// CHECK-NEXT{LITERAL}: [[[[-4.91],
// CHECK-NEXT{LITERAL}: [0.59]]],
// CHECK-NEXT{LITERAL}: [[[0.8],
// CHECK-NEXT{LITERAL}: [-1.29]]]]
