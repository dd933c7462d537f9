// slm.constant_of_shape (linalg.fill) for f32 and i64, rank 0 included.
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
func.func private @printMemref1dI64(tensor<3xi64>) attributes {llvm.emit_c_interface}
func.func private @printMemref2dF32(tensor<2x3xf32>) attributes {llvm.emit_c_interface}

func.func @main() {
  %cf = slm.constant_of_shape {value = 2.5 : f32} : () -> tensor<2x3xf32>
  func.call @printMemref2dF32(%cf) : (tensor<2x3xf32>) -> ()
  %ci = slm.constant_of_shape {value = -7 : i64} : () -> tensor<3xi64>
  func.call @printMemref1dI64(%ci) : (tensor<3xi64>) -> ()
  %c0 = slm.constant_of_shape {value = 1.0 : f32} : () -> tensor<f32>
  func.call @printMemref0dF32(%c0) : (tensor<f32>) -> ()
  return
}

// cf
// CHECK: rank = 2 offset = 0 sizes = [2, 3]
// CHECK-NEXT: {{\[\[}}2.5, 2.5, 2.5],
// CHECK-NEXT: [2.5, 2.5, 2.5]]
// ci
// CHECK: rank = 1 offset = 0 sizes = [3]
// CHECK-NEXT: [-7, -7, -7]
// c0
// CHECK: rank = 0 offset = 0 sizes = []
// CHECK-NEXT: [1]
