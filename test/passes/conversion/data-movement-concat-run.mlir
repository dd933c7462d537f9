// slm.concat (tensor.empty + tensor.insert_slice chain) along the middle, first
// and only axis. Expected values: numpy.concatenate.
//
// RUN: slmc-opt %s --convert-slm-to-linalg \
// RUN: | mlir-opt --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN:   --convert-linalg-to-loops --convert-scf-to-cf --convert-math-to-llvm --convert-math-to-libm \
// RUN:   --expand-strided-metadata --lower-affine --convert-arith-to-llvm --finalize-memref-to-llvm \
// RUN:   --convert-func-to-llvm --convert-cf-to-llvm --reconcile-unrealized-casts \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:   -shared-libs=/usr/lib/llvm-22/lib/libmlir_runner_utils.so,/usr/lib/llvm-22/lib/libmlir_c_runner_utils.so \
// RUN: | FileCheck %s

func.func private @printMemref1dF32(tensor<6xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref2dF32(tensor<5x2xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref3dF32(tensor<2x3x2xf32>) attributes {llvm.emit_c_interface}

func.func @main() {
  %a = slm.constant dense<[[[0.0, 1.0]], [[2.0, 3.0]]]> : tensor<2x1x2xf32>
  %b = slm.constant dense<[[[10.0, 11.0], [12.0, 13.0]], [[14.0, 15.0], [16.0, 17.0]]]> : tensor<2x2x2xf32>
  %c3 = slm.concat %a, %b {axis = 1 : i64} : (tensor<2x1x2xf32>, tensor<2x2x2xf32>) -> tensor<2x3x2xf32>
  func.call @printMemref3dF32(%c3) : (tensor<2x3x2xf32>) -> ()
  %p = slm.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %q = slm.constant dense<[[5.0, 6.0]]> : tensor<1x2xf32>
  %c2 = slm.concat %p, %q, %p {axis = 0 : i64} : (tensor<2x2xf32>, tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<5x2xf32>
  func.call @printMemref2dF32(%c2) : (tensor<5x2xf32>) -> ()
  %u = slm.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %v = slm.constant dense<[3.0]> : tensor<1xf32>
  %w = slm.constant dense<[4.0, 5.0, 6.0]> : tensor<3xf32>
  %c1 = slm.concat %u, %v, %w {axis = 0 : i64} : (tensor<2xf32>, tensor<1xf32>, tensor<3xf32>) -> tensor<6xf32>
  func.call @printMemref1dF32(%c1) : (tensor<6xf32>) -> ()
  return
}

// c3
// CHECK: rank = 3 offset = 0 sizes = [2, 3, 2]
// CHECK-NEXT: {{\[\[}}[0, 1],
// CHECK-NEXT: [10, 11],
// CHECK-NEXT: [12, 13]],
// CHECK-NEXT: {{\[\[}}2, 3],
// CHECK-NEXT: [14, 15],
// CHECK-NEXT: [16, 17]]]
// c2
// CHECK: rank = 2 offset = 0 sizes = [5, 2]
// CHECK-NEXT: {{\[\[}}1, 2],
// CHECK-NEXT: [3, 4],
// CHECK-NEXT: [5, 6],
// CHECK-NEXT: [1, 2],
// CHECK-NEXT: [3, 4]]
// c1
// CHECK: rank = 1 offset = 0 sizes = [6]
// CHECK-NEXT: [1, 2, 3, 4, 5, 6]
