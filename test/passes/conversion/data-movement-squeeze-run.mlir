// slm.squeeze / slm.unsqueeze (tensor.collapse_shape / expand_shape), rank 0
// included. Expected values: numpy.squeeze / numpy.expand_dims.
//
// RUN: slmc-opt %s --convert-slm-to-linalg \
// RUN: | mlir-opt --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN:   --convert-linalg-to-loops --convert-scf-to-cf --convert-math-to-llvm --convert-math-to-libm \
// RUN:   --expand-strided-metadata --lower-affine --convert-arith-to-llvm --finalize-memref-to-llvm \
// RUN:   --convert-func-to-llvm --convert-cf-to-llvm --reconcile-unrealized-casts \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:   -shared-libs=/usr/lib/llvm-22/lib/libmlir_runner_utils.so,/usr/lib/llvm-22/lib/libmlir_c_runner_utils.so \
// RUN: | FileCheck %s

func.func private @printMemref0dF32(tensor<f32>) attributes {llvm.emit_c_interface}
func.func private @printMemref1dF32(tensor<1xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref2dF32(tensor<3x2xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref3dF32(tensor<2x1x3xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref4dF32(tensor<1x3x2x1xf32>) attributes {llvm.emit_c_interface}

func.func @main() {
  %x = slm.constant dense<[[[[0.0, 1.0]], [[2.0, 3.0]], [[4.0, 5.0]]]]> : tensor<1x3x1x2xf32>
  %sq = slm.squeeze %x {axes = array<i64: 0, 2>} : (tensor<1x3x1x2xf32>) -> tensor<3x2xf32>
  func.call @printMemref2dF32(%sq) : (tensor<3x2xf32>) -> ()
  %u = slm.constant dense<[[3.25]]> : tensor<1x1xf32>
  %sq0 = slm.squeeze %u {axes = array<i64: 0, 1>} : (tensor<1x1xf32>) -> tensor<f32>
  func.call @printMemref0dF32(%sq0) : (tensor<f32>) -> ()
  %z = slm.constant dense<[[-2.0, -1.0], [0.0, 1.0], [2.0, 3.0]]> : tensor<3x2xf32>
  %us = slm.unsqueeze %z {axes = array<i64: 0, 3>} : (tensor<3x2xf32>) -> tensor<1x3x2x1xf32>
  func.call @printMemref4dF32(%us) : (tensor<1x3x2x1xf32>) -> ()
  %w = slm.constant dense<[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]> : tensor<2x3xf32>
  %us1 = slm.unsqueeze %w {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2x1x3xf32>
  func.call @printMemref3dF32(%us1) : (tensor<2x1x3xf32>) -> ()
  %s = slm.constant dense<9.0> : tensor<f32>
  %us0 = slm.unsqueeze %s {axes = array<i64: 0>} : (tensor<f32>) -> tensor<1xf32>
  func.call @printMemref1dF32(%us0) : (tensor<1xf32>) -> ()
  return
}

// sq
// CHECK: rank = 2 offset = 0 sizes = [3, 2]
// CHECK-NEXT: {{\[\[}}0, 1],
// CHECK-NEXT: [2, 3],
// CHECK-NEXT: [4, 5]]
// sq0
// CHECK: rank = 0 offset = 0 sizes = []
// CHECK-NEXT: [3.25]
// us
// CHECK: rank = 4 offset = 0 sizes = [1, 3, 2, 1]
// CHECK-NEXT: {{\[\[}}{{\[\[}}-2],
// CHECK-NEXT: [-1]],
// CHECK-NEXT: {{\[\[}}0],
// CHECK-NEXT: [1]],
// CHECK-NEXT: {{\[\[}}2],
// CHECK-NEXT: [3]]]]
// us1
// CHECK: rank = 3 offset = 0 sizes = [2, 1, 3]
// CHECK-NEXT: {{\[\[}}[0, 1, 2]],
// CHECK-NEXT: {{\[\[}}3, 4, 5]]]
// us0
// CHECK: rank = 1 offset = 0 sizes = [1]
// CHECK-NEXT: [9]
