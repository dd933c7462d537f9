// slm.trilu: upper and lower triangles for several k, over the last two dims
// of a batch. Expected values: numpy.triu / numpy.tril.
//
// RUN: slmc-opt %s --convert-slm-to-linalg \
// RUN: | mlir-opt --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN:   --convert-linalg-to-loops --convert-scf-to-cf --convert-math-to-llvm --convert-math-to-libm \
// RUN:   --expand-strided-metadata --lower-affine --convert-arith-to-llvm --finalize-memref-to-llvm \
// RUN:   --convert-func-to-llvm --convert-cf-to-llvm --reconcile-unrealized-casts \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:   -shared-libs=/usr/lib/llvm-22/lib/libmlir_runner_utils.so,/usr/lib/llvm-22/lib/libmlir_c_runner_utils.so \
// RUN: | FileCheck %s

func.func private @printMemref2dF32(tensor<3x4xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref3dF32(tensor<2x3x3xf32>) attributes {llvm.emit_c_interface}

func.func @main() {
  %x = slm.constant dense<[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [9.0, 10.0, 11.0, 12.0]]> : tensor<3x4xf32>
  %u0 = slm.trilu %x {k = #slm.dims<"0">, upper = true} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  func.call @printMemref2dF32(%u0) : (tensor<3x4xf32>) -> ()
  %u1 = slm.trilu %x {k = #slm.dims<"1">, upper = true} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  func.call @printMemref2dF32(%u1) : (tensor<3x4xf32>) -> ()
  %um1 = slm.trilu %x {k = #slm.dims<"-1">, upper = true} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  func.call @printMemref2dF32(%um1) : (tensor<3x4xf32>) -> ()
  %l0 = slm.trilu %x {k = #slm.dims<"0">, upper = false} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  func.call @printMemref2dF32(%l0) : (tensor<3x4xf32>) -> ()
  %lm1 = slm.trilu %x {k = #slm.dims<"-1">, upper = false} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  func.call @printMemref2dF32(%lm1) : (tensor<3x4xf32>) -> ()
  %l2 = slm.trilu %x {k = #slm.dims<"2">, upper = false} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  func.call @printMemref2dF32(%l2) : (tensor<3x4xf32>) -> ()
  %b = slm.constant dense<[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]], [[10.0, 11.0, 12.0], [13.0, 14.0, 15.0], [16.0, 17.0, 18.0]]]> : tensor<2x3x3xf32>
  %bu = slm.trilu %b {k = #slm.dims<"0">, upper = true} : (tensor<2x3x3xf32>) -> tensor<2x3x3xf32>
  func.call @printMemref3dF32(%bu) : (tensor<2x3x3xf32>) -> ()
  return
}

// upper k=0
// CHECK: rank = 2 offset = 0 sizes = [3, 4]
// CHECK-NEXT: {{\[\[}}1, 2, 3, 4],
// CHECK-NEXT: [0, 6, 7, 8],
// CHECK-NEXT: [0, 0, 11, 12]]
// upper k=1
// CHECK: rank = 2 offset = 0 sizes = [3, 4]
// CHECK-NEXT: {{\[\[}}0, 2, 3, 4],
// CHECK-NEXT: [0, 0, 7, 8],
// CHECK-NEXT: [0, 0, 0, 12]]
// upper k=-1
// CHECK: rank = 2 offset = 0 sizes = [3, 4]
// CHECK-NEXT: {{\[\[}}1, 2, 3, 4],
// CHECK-NEXT: [5, 6, 7, 8],
// CHECK-NEXT: [0, 10, 11, 12]]
// lower k=0
// CHECK: rank = 2 offset = 0 sizes = [3, 4]
// CHECK-NEXT: {{\[\[}}1, 0, 0, 0],
// CHECK-NEXT: [5, 6, 0, 0],
// CHECK-NEXT: [9, 10, 11, 0]]
// lower k=-1
// CHECK: rank = 2 offset = 0 sizes = [3, 4]
// CHECK-NEXT: {{\[\[}}0, 0, 0, 0],
// CHECK-NEXT: [5, 0, 0, 0],
// CHECK-NEXT: [9, 10, 0, 0]]
// lower k=2
// CHECK: rank = 2 offset = 0 sizes = [3, 4]
// CHECK-NEXT: {{\[\[}}1, 2, 3, 0],
// CHECK-NEXT: [5, 6, 7, 8],
// CHECK-NEXT: [9, 10, 11, 12]]
// batched upper k=0
// CHECK: rank = 3 offset = 0 sizes = [2, 3, 3]
// CHECK-NEXT: {{\[\[}}[1, 2, 3],
// CHECK-NEXT: [0, 5, 6],
// CHECK-NEXT: [0, 0, 9]],
// CHECK-NEXT: {{\[\[}}10, 11, 12],
// CHECK-NEXT: [0, 14, 15],
// CHECK-NEXT: [0, 0, 18]]]
