// slm.transpose (linalg.transpose): result dim i is input dim perm[i].
// Expected values: numpy.transpose.
//
// RUN: slmc-opt %s --convert-slm-to-linalg \
// RUN: | mlir-opt --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN:   --convert-linalg-to-loops --convert-scf-to-cf --convert-math-to-llvm --convert-math-to-libm \
// RUN:   --expand-strided-metadata --lower-affine --convert-arith-to-llvm --finalize-memref-to-llvm \
// RUN:   --convert-func-to-llvm --convert-cf-to-llvm --reconcile-unrealized-casts \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:   -shared-libs=/usr/lib/llvm-22/lib/libmlir_runner_utils.so,/usr/lib/llvm-22/lib/libmlir_c_runner_utils.so \
// RUN: | FileCheck %s

func.func private @printMemref2dF32(tensor<3x2xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref3dF32(tensor<4x2x3xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref4dF32(tensor<4x2x1x3xf32>) attributes {llvm.emit_c_interface}

func.func @main() {
  %x = slm.constant dense<[[[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0]], [[12.0, 13.0, 14.0, 15.0], [16.0, 17.0, 18.0, 19.0], [20.0, 21.0, 22.0, 23.0]]]> : tensor<2x3x4xf32>
  %p3 = slm.transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  func.call @printMemref3dF32(%p3) : (tensor<4x2x3xf32>) -> ()
  %m = slm.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %p2 = slm.transpose %m {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  func.call @printMemref2dF32(%p2) : (tensor<3x2xf32>) -> ()
  %w = slm.constant dense<[[[[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0]], [[12.0, 13.0, 14.0, 15.0], [16.0, 17.0, 18.0, 19.0], [20.0, 21.0, 22.0, 23.0]]]]> : tensor<1x2x3x4xf32>
  %p4 = slm.transpose %w {perm = array<i64: 3, 1, 0, 2>} : (tensor<1x2x3x4xf32>) -> tensor<4x2x1x3xf32>
  func.call @printMemref4dF32(%p4) : (tensor<4x2x1x3xf32>) -> ()
  return
}

// p3
// CHECK: rank = 3 offset = 0 sizes = [4, 2, 3]
// CHECK-NEXT: {{\[\[}}[0, 4, 8],
// CHECK-NEXT: [12, 16, 20]],
// CHECK-NEXT: {{\[\[}}1, 5, 9],
// CHECK-NEXT: [13, 17, 21]],
// CHECK-NEXT: {{\[\[}}2, 6, 10],
// CHECK-NEXT: [14, 18, 22]],
// CHECK-NEXT: {{\[\[}}3, 7, 11],
// CHECK-NEXT: [15, 19, 23]]]
// p2
// CHECK: rank = 2 offset = 0 sizes = [3, 2]
// CHECK-NEXT: {{\[\[}}1, 4],
// CHECK-NEXT: [2, 5],
// CHECK-NEXT: [3, 6]]
// p4
// CHECK: rank = 4 offset = 0 sizes = [4, 2, 1, 3]
// CHECK-NEXT: {{\[\[}}{{\[\[}}0, 4, 8]],
// CHECK-NEXT: {{\[\[}}12, 16, 20]]],
// CHECK-NEXT: {{\[\[}}[1, 5, 9]],
// CHECK-NEXT: {{\[\[}}13, 17, 21]]],
// CHECK-NEXT: {{\[\[}}[2, 6, 10]],
// CHECK-NEXT: {{\[\[}}14, 18, 22]]],
// CHECK-NEXT: {{\[\[}}[3, 7, 11]],
// CHECK-NEXT: {{\[\[}}15, 19, 23]]]]
