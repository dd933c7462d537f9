// slm.reshape, numerically: collapse only (6x4, 24), collapse + expand (6x1x2x2),
// dims that do not group (tensor.reshape, 3x2x4) and rank 0 (1x1 -> scalar).
// The expected values come from numpy.reshape (row-major).
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
func.func private @printMemref1dF32(tensor<24xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref2dF32(tensor<6x4xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref3dF32(tensor<3x2x4xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref4dF32(tensor<6x1x2x2xf32>) attributes {llvm.emit_c_interface}

func.func @main() {
  %x = slm.constant dense<[[[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0]], [[12.0, 13.0, 14.0, 15.0], [16.0, 17.0, 18.0, 19.0], [20.0, 21.0, 22.0, 23.0]]]> : tensor<2x3x4xf32>
  %collapse = slm.reshape %x : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  func.call @printMemref2dF32(%collapse) : (tensor<6x4xf32>) -> ()
  %general = slm.reshape %x : (tensor<2x3x4xf32>) -> tensor<3x2x4xf32>
  func.call @printMemref3dF32(%general) : (tensor<3x2x4xf32>) -> ()
  %mixed = slm.reshape %x : (tensor<2x3x4xf32>) -> tensor<6x1x2x2xf32>
  func.call @printMemref4dF32(%mixed) : (tensor<6x1x2x2xf32>) -> ()
  %flat = slm.reshape %x : (tensor<2x3x4xf32>) -> tensor<24xf32>
  func.call @printMemref1dF32(%flat) : (tensor<24xf32>) -> ()
  %one = slm.constant dense<[[7.5]]> : tensor<1x1xf32>
  %scalar = slm.reshape %one : (tensor<1x1xf32>) -> tensor<f32>
  func.call @printMemref0dF32(%scalar) : (tensor<f32>) -> ()
  return
}

// collapse
// CHECK: rank = 2 offset = 0 sizes = [6, 4]
// CHECK-NEXT: {{\[\[}}0, 1, 2, 3],
// CHECK-NEXT: [4, 5, 6, 7],
// CHECK-NEXT: [8, 9, 10, 11],
// CHECK-NEXT: [12, 13, 14, 15],
// CHECK-NEXT: [16, 17, 18, 19],
// CHECK-NEXT: [20, 21, 22, 23]]
// general
// CHECK: rank = 3 offset = 0 sizes = [3, 2, 4]
// CHECK-NEXT: {{\[\[}}[0, 1, 2, 3],
// CHECK-NEXT: [4, 5, 6, 7]],
// CHECK-NEXT: {{\[\[}}8, 9, 10, 11],
// CHECK-NEXT: [12, 13, 14, 15]],
// CHECK-NEXT: {{\[\[}}16, 17, 18, 19],
// CHECK-NEXT: [20, 21, 22, 23]]]
// mixed
// CHECK: rank = 4 offset = 0 sizes = [6, 1, 2, 2]
// CHECK-NEXT: {{\[\[}}{{\[\[}}0, 1],
// CHECK-NEXT: [2, 3]]],
// CHECK-NEXT: {{\[\[}}[4, 5],
// CHECK-NEXT: [6, 7]]],
// CHECK-NEXT: {{\[\[}}[8, 9],
// CHECK-NEXT: [10, 11]]],
// CHECK-NEXT: {{\[\[}}[12, 13],
// CHECK-NEXT: [14, 15]]],
// CHECK-NEXT: {{\[\[}}[16, 17],
// CHECK-NEXT: [18, 19]]],
// CHECK-NEXT: {{\[\[}}[20, 21],
// CHECK-NEXT: [22, 23]]]]
// flat
// CHECK: rank = 1 offset = 0 sizes = [24]
// CHECK-NEXT: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23]
// scalar
// CHECK: rank = 0 offset = 0 sizes = []
// CHECK-NEXT: [7.5]
