// slm.gather_nd (ONNX GatherND): slices and elements, a negative index,
// batch_dims = 1. Expected values: a numpy transcription of the ONNX reference.
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
func.func private @printMemref1dF32(tensor<2xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref2dF32(tensor<2x4xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref3dF32(tensor<2x1x4xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref4dF32(tensor<2x1x1x1xf32>) attributes {llvm.emit_c_interface}

func.func @main() {
  %data = slm.constant dense<[[[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0]], [[12.0, 13.0, 14.0, 15.0], [16.0, 17.0, 18.0, 19.0], [20.0, 21.0, 22.0, 23.0]]]> : tensor<2x3x4xf32>
  %i2 = slm.constant dense<[[0, 1], [1, 2]]> : tensor<2x2xi64>
  %n2 = slm.gather_nd %data, %i2 : (tensor<2x3x4xf32>, tensor<2x2xi64>) -> tensor<2x4xf32>
  func.call @printMemref2dF32(%n2) : (tensor<2x4xf32>) -> ()
  %i3 = slm.constant dense<[[1, 2, 3], [0, 0, -1]]> : tensor<2x3xi64>
  %n1 = slm.gather_nd %data, %i3 : (tensor<2x3x4xf32>, tensor<2x3xi64>) -> tensor<2xf32>
  func.call @printMemref1dF32(%n1) : (tensor<2xf32>) -> ()
  %ib = slm.constant dense<[[[1]], [[2]]]> : tensor<2x1x1xi64>
  %nb = slm.gather_nd %data, %ib {batch_dims = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x1x1xi64>) -> tensor<2x1x4xf32>
  func.call @printMemref3dF32(%nb) : (tensor<2x1x4xf32>) -> ()
  %ic = slm.constant dense<[[2, 1], [0, 3]]> : tensor<2x2xi64>
  %nc = slm.gather_nd %data, %ic {batch_dims = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x2xi64>) -> tensor<2xf32>
  %ncv = slm.reshape %nc : (tensor<2xf32>) -> tensor<2x1x1x1xf32>
  func.call @printMemref4dF32(%ncv) : (tensor<2x1x1x1xf32>) -> ()
  %i0 = slm.constant dense<[1, 2, -1]> : tensor<3xi64>
  %n0 = slm.gather_nd %data, %i0 : (tensor<2x3x4xf32>, tensor<3xi64>) -> tensor<f32>
  func.call @printMemref0dF32(%n0) : (tensor<f32>) -> ()
  return
}

// n2
// CHECK: rank = 2 offset = 0 sizes = [2, 4]
// CHECK-NEXT: {{\[\[}}4, 5, 6, 7],
// CHECK-NEXT: [20, 21, 22, 23]]
// n1
// CHECK: rank = 1 offset = 0 sizes = [2]
// CHECK-NEXT: [23, 3]
// nb
// CHECK: rank = 3 offset = 0 sizes = [2, 1, 4]
// CHECK-NEXT: {{\[\[}}[4, 5, 6, 7]],
// CHECK-NEXT: {{\[\[}}20, 21, 22, 23]]]
// batch_dims = 1, elements
// CHECK: rank = 4 offset = 0 sizes = [2, 1, 1, 1]
// CHECK-NEXT: {{\[\[}}{{\[\[}}9]]],
// CHECK-NEXT: {{\[\[}}[15]]]]
// n0
// CHECK: rank = 0 offset = 0 sizes = []
// CHECK-NEXT: [23]
