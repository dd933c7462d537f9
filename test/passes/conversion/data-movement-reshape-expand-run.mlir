// slm.reshape that only splits dims (tensor.expand_shape): 24 -> 2x3x4, 24 -> 4x6,
// 24 -> 2x3x2x2, and a scalar to tensor<1xf32>. Expected values: numpy.reshape.
//
// RUN: slmc-opt %s --convert-slm-to-linalg \
// RUN: | mlir-opt --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN:   --convert-linalg-to-loops --convert-scf-to-cf --convert-math-to-llvm --convert-math-to-libm \
// RUN:   --expand-strided-metadata --lower-affine --convert-arith-to-llvm --finalize-memref-to-llvm \
// RUN:   --convert-func-to-llvm --convert-cf-to-llvm --reconcile-unrealized-casts \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:   -shared-libs=/usr/lib/llvm-22/lib/libmlir_runner_utils.so,/usr/lib/llvm-22/lib/libmlir_c_runner_utils.so \
// RUN: | FileCheck %s

func.func private @printMemref1dF32(tensor<1xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref2dF32(tensor<4x6xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref3dF32(tensor<2x3x4xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref4dF32(tensor<2x3x2x2xf32>) attributes {llvm.emit_c_interface}

func.func @main() {
  %y = slm.constant dense<[0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0, 6.5, 7.0, 7.5, 8.0, 8.5, 9.0, 9.5, 10.0, 10.5, 11.0, 11.5]> : tensor<24xf32>
  %e3 = slm.reshape %y : (tensor<24xf32>) -> tensor<2x3x4xf32>
  func.call @printMemref3dF32(%e3) : (tensor<2x3x4xf32>) -> ()
  %e2 = slm.reshape %y : (tensor<24xf32>) -> tensor<4x6xf32>
  func.call @printMemref2dF32(%e2) : (tensor<4x6xf32>) -> ()
  %e4 = slm.reshape %y : (tensor<24xf32>) -> tensor<2x3x2x2xf32>
  func.call @printMemref4dF32(%e4) : (tensor<2x3x2x2xf32>) -> ()
  %s = slm.constant dense<-2.0> : tensor<f32>
  %one = slm.reshape %s : (tensor<f32>) -> tensor<1xf32>
  func.call @printMemref1dF32(%one) : (tensor<1xf32>) -> ()
  return
}

// e3
// CHECK: rank = 3 offset = 0 sizes = [2, 3, 4]
// CHECK-NEXT: {{\[\[}}[0, 0.5, 1, 1.5],
// CHECK-NEXT: [2, 2.5, 3, 3.5],
// CHECK-NEXT: [4, 4.5, 5, 5.5]],
// CHECK-NEXT: {{\[\[}}6, 6.5, 7, 7.5],
// CHECK-NEXT: [8, 8.5, 9, 9.5],
// CHECK-NEXT: [10, 10.5, 11, 11.5]]]
// e2
// CHECK: rank = 2 offset = 0 sizes = [4, 6]
// CHECK-NEXT: {{\[\[}}0, 0.5, 1, 1.5, 2, 2.5],
// CHECK-NEXT: [3, 3.5, 4, 4.5, 5, 5.5],
// CHECK-NEXT: [6, 6.5, 7, 7.5, 8, 8.5],
// CHECK-NEXT: [9, 9.5, 10, 10.5, 11, 11.5]]
// e4
// CHECK: rank = 4 offset = 0 sizes = [2, 3, 2, 2]
// CHECK-NEXT: {{\[\[}}{{\[\[}}0, 0.5],
// CHECK-NEXT: [1, 1.5]],
// CHECK-NEXT: {{\[\[}}2, 2.5],
// CHECK-NEXT: [3, 3.5]],
// CHECK-NEXT: {{\[\[}}4, 4.5],
// CHECK-NEXT: [5, 5.5]]],
// CHECK-NEXT: {{\[\[}}[6, 6.5],
// CHECK-NEXT: [7, 7.5]],
// CHECK-NEXT: {{\[\[}}8, 8.5],
// CHECK-NEXT: [9, 9.5]],
// CHECK-NEXT: {{\[\[}}10, 10.5],
// CHECK-NEXT: [11, 11.5]]]]
// one
// CHECK: rank = 1 offset = 0 sizes = [1]
// CHECK-NEXT: [-2]
