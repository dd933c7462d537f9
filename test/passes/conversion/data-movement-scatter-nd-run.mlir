// slm.scatter_nd (ONNX ScatterND): row updates with every reduction (duplicate
// indices accumulate), element updates (indices reach the data rank), a
// negative index and a single update without loops. Expected values: a numpy
// transcription of the ONNX reference.
//
// RUN: slmc-opt %s --convert-slm-to-linalg \
// RUN: | mlir-opt --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN:   --convert-linalg-to-loops --convert-scf-to-cf --convert-math-to-llvm --convert-math-to-libm \
// RUN:   --expand-strided-metadata --lower-affine --convert-arith-to-llvm --finalize-memref-to-llvm \
// RUN:   --convert-func-to-llvm --convert-cf-to-llvm --reconcile-unrealized-casts \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:   -shared-libs=/usr/lib/llvm-22/lib/libmlir_runner_utils.so,/usr/lib/llvm-22/lib/libmlir_c_runner_utils.so \
// RUN: | FileCheck %s

func.func private @printMemref2dF32(tensor<4x3xf32>) attributes {llvm.emit_c_interface}

func.func @main() {
  %data = slm.constant dense<[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0], [9.0, 10.0, 11.0]]> : tensor<4x3xf32>
  %rows = slm.constant dense<[[1], [3], [1]]> : tensor<3x1xi64>
  %upd = slm.constant dense<[[10.0, 20.0, 30.0], [-1.0, -2.0, -3.0], [2.0, 2.0, 2.0]]> : tensor<3x3xf32>
  %add = slm.scatter_nd %data, %rows, %upd {reduction = "add"} : (tensor<4x3xf32>, tensor<3x1xi64>, tensor<3x3xf32>) -> tensor<4x3xf32>
  func.call @printMemref2dF32(%add) : (tensor<4x3xf32>) -> ()
  %mul = slm.scatter_nd %data, %rows, %upd {reduction = "mul"} : (tensor<4x3xf32>, tensor<3x1xi64>, tensor<3x3xf32>) -> tensor<4x3xf32>
  func.call @printMemref2dF32(%mul) : (tensor<4x3xf32>) -> ()
  %max = slm.scatter_nd %data, %rows, %upd {reduction = "max"} : (tensor<4x3xf32>, tensor<3x1xi64>, tensor<3x3xf32>) -> tensor<4x3xf32>
  func.call @printMemref2dF32(%max) : (tensor<4x3xf32>) -> ()
  %min = slm.scatter_nd %data, %rows, %upd {reduction = "min"} : (tensor<4x3xf32>, tensor<3x1xi64>, tensor<3x3xf32>) -> tensor<4x3xf32>
  func.call @printMemref2dF32(%min) : (tensor<4x3xf32>) -> ()
  %rows2 = slm.constant dense<[[2], [-4]]> : tensor<2x1xi64>
  %upd2 = slm.constant dense<[[7.0, 8.0, 9.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %none = slm.scatter_nd %data, %rows2, %upd2 : (tensor<4x3xf32>, tensor<2x1xi64>, tensor<2x3xf32>) -> tensor<4x3xf32>
  func.call @printMemref2dF32(%none) : (tensor<4x3xf32>) -> ()
  %el = slm.constant dense<[[[0, 0], [2, 1]], [[-1, -1], [0, 0]]]> : tensor<2x2x2xi64>
  %eu = slm.constant dense<[[100.0, 200.0], [300.0, 400.0]]> : tensor<2x2xf32>
  %elem = slm.scatter_nd %data, %el, %eu {reduction = "add"} : (tensor<4x3xf32>, tensor<2x2x2xi64>, tensor<2x2xf32>) -> tensor<4x3xf32>
  func.call @printMemref2dF32(%elem) : (tensor<4x3xf32>) -> ()
  %el2 = slm.constant dense<[[[0, 0], [2, 1]], [[-1, -1], [1, 2]]]> : tensor<2x2x2xi64>
  %elemn = slm.scatter_nd %data, %el2, %eu : (tensor<4x3xf32>, tensor<2x2x2xi64>, tensor<2x2xf32>) -> tensor<4x3xf32>
  func.call @printMemref2dF32(%elemn) : (tensor<4x3xf32>) -> ()
  %one = slm.constant dense<[2]> : tensor<1xi64>
  %ou = slm.constant dense<[-5.0, -6.0, -7.0]> : tensor<3xf32>
  %single = slm.scatter_nd %data, %one, %ou : (tensor<4x3xf32>, tensor<1xi64>, tensor<3xf32>) -> tensor<4x3xf32>
  func.call @printMemref2dF32(%single) : (tensor<4x3xf32>) -> ()
  return
}

// rows, add
// CHECK: rank = 2 offset = 0 sizes = [4, 3]
// CHECK-NEXT: {{\[\[}}0, 1, 2],
// CHECK-NEXT: [15, 26, 37],
// CHECK-NEXT: [6, 7, 8],
// CHECK-NEXT: [8, 8, 8]]
// rows, mul
// CHECK: rank = 2 offset = 0 sizes = [4, 3]
// CHECK-NEXT: {{\[\[}}0, 1, 2],
// CHECK-NEXT: [60, 160, 300],
// CHECK-NEXT: [6, 7, 8],
// CHECK-NEXT: [-9, -20, -33]]
// rows, max
// CHECK: rank = 2 offset = 0 sizes = [4, 3]
// CHECK-NEXT: {{\[\[}}0, 1, 2],
// CHECK-NEXT: [10, 20, 30],
// CHECK-NEXT: [6, 7, 8],
// CHECK-NEXT: [9, 10, 11]]
// rows, min
// CHECK: rank = 2 offset = 0 sizes = [4, 3]
// CHECK-NEXT: {{\[\[}}0, 1, 2],
// CHECK-NEXT: [2, 2, 2],
// CHECK-NEXT: [6, 7, 8],
// CHECK-NEXT: [-1, -2, -3]]
// rows, none, negative index
// CHECK: rank = 2 offset = 0 sizes = [4, 3]
// CHECK-NEXT: {{\[\[}}4, 5, 6],
// CHECK-NEXT: [3, 4, 5],
// CHECK-NEXT: [7, 8, 9],
// CHECK-NEXT: [9, 10, 11]]
// elements, add
// CHECK: rank = 2 offset = 0 sizes = [4, 3]
// CHECK-NEXT: {{\[\[}}500, 1, 2],
// CHECK-NEXT: [3, 4, 5],
// CHECK-NEXT: [6, 207, 8],
// CHECK-NEXT: [9, 10, 311]]
// elements, none
// CHECK: rank = 2 offset = 0 sizes = [4, 3]
// CHECK-NEXT: {{\[\[}}100, 1, 2],
// CHECK-NEXT: [3, 4, 400],
// CHECK-NEXT: [6, 200, 8],
// CHECK-NEXT: [9, 10, 300]]
// a single row
// CHECK: rank = 2 offset = 0 sizes = [4, 3]
// CHECK-NEXT: {{\[\[}}0, 1, 2],
// CHECK-NEXT: [3, 4, 5],
// CHECK-NEXT: [-5, -6, -7],
// CHECK-NEXT: [9, 10, 11]]
