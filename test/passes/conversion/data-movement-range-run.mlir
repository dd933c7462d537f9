// slm.range: start + i * delta for i64, i32 and f32, negative deltas.
// Expected values: numpy.arange.
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
func.func private @printMemref1dI32(tensor<5xi32>) attributes {llvm.emit_c_interface}
func.func private @printMemref1dI64(tensor<4xi64>) attributes {llvm.emit_c_interface}

func.func @main() {
  %ri = slm.range #slm.dims<"3"> {delta = 2 : i64} : tensor<4xi64>
  func.call @printMemref1dI64(%ri) : (tensor<4xi64>) -> ()
  %rj = slm.range #slm.dims<"-2"> {delta = -3 : i64} : tensor<5xi32>
  func.call @printMemref1dI32(%rj) : (tensor<5xi32>) -> ()
  %rf = slm.range #slm.dims<"5"> {delta = -2 : i64} : tensor<4xf32>
  func.call @printMemref1dF32(%rf) : (tensor<4xf32>) -> ()
  return
}

// ri
// CHECK: rank = 1 offset = 0 sizes = [4]
// CHECK-NEXT: [3, 5, 7, 9]
// rj
// CHECK: rank = 1 offset = 0 sizes = [5]
// CHECK-NEXT: [-2, -5, -8, -11, -14]
// rf
// CHECK: rank = 1 offset = 0 sizes = [4]
// CHECK-NEXT: [5, 3, 1, -1]
