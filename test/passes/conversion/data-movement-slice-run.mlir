// slm.slice: positive steps (tensor.extract_slice), negative steps (a generic
// reading input[start + i * step]) and a mix. Bounds as the importer leaves
// them (clamped; -1 ends for negative steps). Expected values: numpy slicing.
//
// RUN: slmc-opt %s --convert-slm-to-linalg \
// RUN: | mlir-opt --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN:   --convert-linalg-to-loops --convert-scf-to-cf --convert-math-to-llvm --convert-math-to-libm \
// RUN:   --expand-strided-metadata --lower-affine --convert-arith-to-llvm --finalize-memref-to-llvm \
// RUN:   --convert-func-to-llvm --convert-cf-to-llvm --reconcile-unrealized-casts \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:   -shared-libs=/usr/lib/llvm-22/lib/libmlir_runner_utils.so,/usr/lib/llvm-22/lib/libmlir_c_runner_utils.so \
// RUN: | FileCheck %s

func.func private @printMemref1dF32(tensor<3xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref2dF32(tensor<2x3xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref3dF32(tensor<2x3x2xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref4dF32(tensor<1x1x2x2xf32>) attributes {llvm.emit_c_interface}

func.func @main() {
  %x = slm.constant dense<[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0], [6.0, 7.0, 8.0, 9.0, 10.0, 11.0], [12.0, 13.0, 14.0, 15.0, 16.0, 17.0], [18.0, 19.0, 20.0, 21.0, 22.0, 23.0]]> : tensor<4x6xf32>
  %s2 = slm.slice %x {starts = #slm.dims<"1", "0">, ends = #slm.dims<"4", "6">, steps = array<i64: 2, 2>} : (tensor<4x6xf32>) -> tensor<2x3xf32>
  func.call @printMemref2dF32(%s2) : (tensor<2x3xf32>) -> ()
  %y = slm.constant dense<[[[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0]], [[12.0, 13.0, 14.0, 15.0], [16.0, 17.0, 18.0, 19.0], [20.0, 21.0, 22.0, 23.0]]]> : tensor<2x3x4xf32>
  %s3 = slm.slice %y {starts = #slm.dims<"0", "2", "3">, ends = #slm.dims<"2", "-1", "-1">, steps = array<i64: 1, -1, -2>} : (tensor<2x3x4xf32>) -> tensor<2x3x2xf32>
  func.call @printMemref3dF32(%s3) : (tensor<2x3x2xf32>) -> ()
  %z = slm.constant dense<[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]> : tensor<8xf32>
  %s1 = slm.slice %z {starts = #slm.dims<"6">, ends = #slm.dims<"0">, steps = array<i64: -2>} : (tensor<8xf32>) -> tensor<3xf32>
  func.call @printMemref1dF32(%s1) : (tensor<3xf32>) -> ()
  %w = slm.constant dense<[[[[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0]], [[12.0, 13.0, 14.0, 15.0], [16.0, 17.0, 18.0, 19.0], [20.0, 21.0, 22.0, 23.0]]]]> : tensor<1x2x3x4xf32>
  %s4 = slm.slice %w {starts = #slm.dims<"0", "1", "0", "3">, ends = #slm.dims<"1", "2", "3", "-1">, steps = array<i64: 1, 1, 2, -2>} : (tensor<1x2x3x4xf32>) -> tensor<1x1x2x2xf32>
  func.call @printMemref4dF32(%s4) : (tensor<1x1x2x2xf32>) -> ()
  return
}

// s2
// CHECK: rank = 2 offset = 0 sizes = [2, 3]
// CHECK-NEXT: {{\[\[}}6, 8, 10],
// CHECK-NEXT: [18, 20, 22]]
// s3
// CHECK: rank = 3 offset = 0 sizes = [2, 3, 2]
// CHECK-NEXT: {{\[\[}}[11, 9],
// CHECK-NEXT: [7, 5],
// CHECK-NEXT: [3, 1]],
// CHECK-NEXT: {{\[\[}}23, 21],
// CHECK-NEXT: [19, 17],
// CHECK-NEXT: [15, 13]]]
// s1
// CHECK: rank = 1 offset = 0 sizes = [3]
// CHECK-NEXT: [6, 4, 2]
// s4
// CHECK: rank = 4 offset = 0 sizes = [1, 1, 2, 2]
// CHECK-NEXT: {{\[\[}}{{\[\[}}15, 13],
// CHECK-NEXT: [23, 21]]]]
