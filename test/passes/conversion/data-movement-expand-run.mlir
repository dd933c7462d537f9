// slm.expand (ONNX Expand): new leading dims only (linalg.broadcast) and unit
// dims that broadcast (linalg.generic). Expected values: numpy.broadcast_to.
//
// RUN: slmc-opt %s --convert-slm-to-linalg \
// RUN: | mlir-opt --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN:   --convert-linalg-to-loops --convert-scf-to-cf --convert-math-to-llvm --convert-math-to-libm \
// RUN:   --expand-strided-metadata --lower-affine --convert-arith-to-llvm --finalize-memref-to-llvm \
// RUN:   --convert-func-to-llvm --convert-cf-to-llvm --reconcile-unrealized-casts \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:   -shared-libs=/usr/lib/llvm-22/lib/libmlir_runner_utils.so,/usr/lib/llvm-22/lib/libmlir_c_runner_utils.so \
// RUN: | FileCheck %s

func.func private @printMemref1dF32(tensor<4xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref2dF32(tensor<2x3xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref3dF32(tensor<4x2x3xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref4dF32(tensor<2x2x3x2xf32>) attributes {llvm.emit_c_interface}

func.func @main() {
  %a = slm.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %a_x = slm.expand %a : (tensor<3xf32>) -> tensor<2x3xf32>
  func.call @printMemref2dF32(%a_x) : (tensor<2x3xf32>) -> ()
  %b = slm.constant dense<[[1.0], [2.0]]> : tensor<2x1xf32>
  %b_x = slm.expand %b : (tensor<2x1xf32>) -> tensor<4x2x3xf32>
  func.call @printMemref3dF32(%b_x) : (tensor<4x2x3xf32>) -> ()
  %c = slm.constant dense<[[[1.0], [2.0], [3.0]]]> : tensor<1x3x1xf32>
  %c_x = slm.expand %c : (tensor<1x3x1xf32>) -> tensor<2x2x3x2xf32>
  func.call @printMemref4dF32(%c_x) : (tensor<2x2x3x2xf32>) -> ()
  %d = slm.constant dense<[4.5]> : tensor<1xf32>
  %d_x = slm.expand %d : (tensor<1xf32>) -> tensor<4xf32>
  func.call @printMemref1dF32(%d_x) : (tensor<4xf32>) -> ()
  return
}

// a_x
// CHECK: rank = 2 offset = 0 sizes = [2, 3]
// CHECK-NEXT: {{\[\[}}1, 2, 3],
// CHECK-NEXT: [1, 2, 3]]
// b_x
// CHECK: rank = 3 offset = 0 sizes = [4, 2, 3]
// CHECK-NEXT: {{\[\[}}[1, 1, 1],
// CHECK-NEXT: [2, 2, 2]],
// CHECK-NEXT: {{\[\[}}1, 1, 1],
// CHECK-NEXT: [2, 2, 2]],
// CHECK-NEXT: {{\[\[}}1, 1, 1],
// CHECK-NEXT: [2, 2, 2]],
// CHECK-NEXT: {{\[\[}}1, 1, 1],
// CHECK-NEXT: [2, 2, 2]]]
// c_x
// CHECK: rank = 4 offset = 0 sizes = [2, 2, 3, 2]
// CHECK-NEXT: {{\[\[}}{{\[\[}}1, 1],
// CHECK-NEXT: [2, 2],
// CHECK-NEXT: [3, 3]],
// CHECK-NEXT: {{\[\[}}1, 1],
// CHECK-NEXT: [2, 2],
// CHECK-NEXT: [3, 3]]],
// CHECK-NEXT: {{\[\[}}[1, 1],
// CHECK-NEXT: [2, 2],
// CHECK-NEXT: [3, 3]],
// CHECK-NEXT: {{\[\[}}1, 1],
// CHECK-NEXT: [2, 2],
// CHECK-NEXT: [3, 3]]]]
// d_x
// CHECK: rank = 1 offset = 0 sizes = [4]
// CHECK-NEXT: [4.5, 4.5, 4.5, 4.5]
