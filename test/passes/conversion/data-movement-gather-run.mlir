// slm.gather (ONNX Gather): i64 and i32 indices, negative indices wrapping,
// rank-0 indices. Expected values: numpy.take.
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
func.func private @printMemref1dF32(tensor<3xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref2dF32(tensor<5x2xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref3dF32(tensor<2x2x3xf32>) attributes {llvm.emit_c_interface}

func.func @main() {
  %data = slm.constant dense<[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0], [9.0, 10.0, 11.0], [12.0, 13.0, 14.0]]> : tensor<5x3xf32>
  %i = slm.constant dense<[[0, -1], [2, 4]]> : tensor<2x2xi64>
  %g3 = slm.gather %data, %i {axis = 0 : i64} : (tensor<5x3xf32>, tensor<2x2xi64>) -> tensor<2x2x3xf32>
  func.call @printMemref3dF32(%g3) : (tensor<2x2x3xf32>) -> ()
  %j = slm.constant dense<[2, -3]> : tensor<2xi32>
  %g2 = slm.gather %data, %j {axis = 1 : i64} : (tensor<5x3xf32>, tensor<2xi32>) -> tensor<5x2xf32>
  func.call @printMemref2dF32(%g2) : (tensor<5x2xf32>) -> ()
  %k = slm.constant dense<-2> : tensor<i64>
  %g1 = slm.gather %data, %k {axis = 0 : i64} : (tensor<5x3xf32>, tensor<i64>) -> tensor<3xf32>
  func.call @printMemref1dF32(%g1) : (tensor<3xf32>) -> ()
  %vec = slm.constant dense<[10.0, 20.0, 30.0, 40.0, 50.0]> : tensor<5xf32>
  %g0 = slm.gather %vec, %k {axis = 0 : i64} : (tensor<5xf32>, tensor<i64>) -> tensor<f32>
  func.call @printMemref0dF32(%g0) : (tensor<f32>) -> ()
  return
}

// g3
// CHECK: rank = 3 offset = 0 sizes = [2, 2, 3]
// CHECK-NEXT: {{\[\[}}[0, 1, 2],
// CHECK-NEXT: [12, 13, 14]],
// CHECK-NEXT: {{\[\[}}6, 7, 8],
// CHECK-NEXT: [12, 13, 14]]]
// g2
// CHECK: rank = 2 offset = 0 sizes = [5, 2]
// CHECK-NEXT: {{\[\[}}2, 0],
// CHECK-NEXT: [5, 3],
// CHECK-NEXT: [8, 6],
// CHECK-NEXT: [11, 9],
// CHECK-NEXT: [14, 12]]
// g1
// CHECK: rank = 1 offset = 0 sizes = [3]
// CHECK-NEXT: [9, 10, 11]
// g0
// CHECK: rank = 0 offset = 0 sizes = []
// CHECK-NEXT: [40]
