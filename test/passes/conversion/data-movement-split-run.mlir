// slm.split (tensor.extract_slice per result): equal parts along the last
// axis and unequal parts of a vector (reshaped to distinct ranks for the
// printers). Expected values: numpy.split.
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
func.func private @printMemref2dF32(tensor<4x3xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref3dF32(tensor<1x2x1xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref4dF32(tensor<1x3x1x1xf32>) attributes {llvm.emit_c_interface}

func.func @main() {
  %x = slm.constant dense<[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0], [6.0, 7.0, 8.0, 9.0, 10.0, 11.0], [12.0, 13.0, 14.0, 15.0, 16.0, 17.0], [18.0, 19.0, 20.0, 21.0, 22.0, 23.0]]> : tensor<4x6xf32>
  %h:2 = slm.split %x {axis = 1 : i64} : (tensor<4x6xf32>) -> (tensor<4x3xf32>, tensor<4x3xf32>)
  func.call @printMemref2dF32(%h#0) : (tensor<4x3xf32>) -> ()
  func.call @printMemref2dF32(%h#1) : (tensor<4x3xf32>) -> ()
  %v = slm.constant dense<[0.0, 2.0, 4.0, 6.0, 8.0, 10.0]> : tensor<6xf32>
  %p:3 = slm.split %v {axis = 0 : i64} : (tensor<6xf32>) -> (tensor<1xf32>, tensor<2xf32>, tensor<3xf32>)
  func.call @printMemref1dF32(%p#0) : (tensor<1xf32>) -> ()
  %p1 = slm.reshape %p#1 : (tensor<2xf32>) -> tensor<1x2x1xf32>
  %p2 = slm.reshape %p#2 : (tensor<3xf32>) -> tensor<1x3x1x1xf32>
  func.call @printMemref3dF32(%p1) : (tensor<1x2x1xf32>) -> ()
  func.call @printMemref4dF32(%p2) : (tensor<1x3x1x1xf32>) -> ()
  return
}

// left half
// CHECK: rank = 2 offset = 0 sizes = [4, 3]
// CHECK-NEXT: {{\[\[}}0, 1, 2],
// CHECK-NEXT: [6, 7, 8],
// CHECK-NEXT: [12, 13, 14],
// CHECK-NEXT: [18, 19, 20]]
// right half
// CHECK: rank = 2 offset = 0 sizes = [4, 3]
// CHECK-NEXT: {{\[\[}}3, 4, 5],
// CHECK-NEXT: [9, 10, 11],
// CHECK-NEXT: [15, 16, 17],
// CHECK-NEXT: [21, 22, 23]]
// first part
// CHECK: rank = 1 offset = 0 sizes = [1]
// CHECK-NEXT: [0]
// second part
// CHECK: rank = 3 offset = 0 sizes = [1, 2, 1]
// CHECK-NEXT: {{\[\[}}[2],
// CHECK-NEXT: [4]]]
// third part
// CHECK: rank = 4 offset = 0 sizes = [1, 3, 1, 1]
// CHECK-NEXT: {{\[\[}}{{\[\[}}6]],
// CHECK-NEXT: {{\[\[}}8]],
// CHECK-NEXT: {{\[\[}}10]]]]
