// RUN: slmc-opt %s --convert-slm-to-linalg \
// RUN: | mlir-opt --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN:   --convert-linalg-to-loops --convert-scf-to-cf --expand-strided-metadata --lower-affine \
// RUN:   --convert-math-to-llvm --convert-math-to-libm --convert-arith-to-llvm --finalize-memref-to-llvm \
// RUN:   --convert-func-to-llvm --convert-cf-to-llvm \
// RUN:   --reconcile-unrealized-casts \
// RUN: | mlir-runner -e entry -entry-point-result=void \
// RUN:   -shared-libs=/usr/lib/llvm-22/lib/libmlir_runner_utils.so,/usr/lib/llvm-22/lib/libmlir_c_runner_utils.so \
// RUN: | FileCheck %s

// Numerics of slm.argmax: ties (first and select_last_index), both axes,
// keepdims, -inf rows, i64 input.
// Expected values: numpy (float64 reference, printed to 6 digits).

func.func private @printMemref1dI64(tensor<4xi64>) attributes {llvm.emit_c_interface}
func.func private @printMemref2dF32(tensor<1x4xf32>) attributes {llvm.emit_c_interface}

func.func @entry() {
  %x = slm.constant dense<[[1.0, 3.0, 3.0, -2.0], [0xFF800000, 0xFF800000, 0xFF800000, 0xFF800000], [0.5, 0.25, 0.5, 0.0], [7.0, -1.0, 7.0, 7.0]]> : tensor<4x4xf32>
  %r0 = slm.argmax %x {axis = 1 : i64, keepdims = false} : (tensor<4x4xf32>) -> tensor<4xi64>
  call @printMemref1dI64(%r0) : (tensor<4xi64>) -> ()
  %r1 = slm.argmax %x {axis = 1 : i64, keepdims = false, select_last_index = true} : (tensor<4x4xf32>) -> tensor<4xi64>
  call @printMemref1dI64(%r1) : (tensor<4xi64>) -> ()
  %r2 = slm.argmax %x {axis = 0 : i64, keepdims = false} : (tensor<4x4xf32>) -> tensor<4xi64>
  call @printMemref1dI64(%r2) : (tensor<4xi64>) -> ()
  %r3 = slm.argmax %x {axis = 0 : i64, select_last_index = true} : (tensor<4x4xf32>) -> tensor<1x4xi64>
  %p4 = slm.cast %r3 : (tensor<1x4xi64>) -> tensor<1x4xf32>
  call @printMemref2dF32(%p4) : (tensor<1x4xf32>) -> ()
  %i = slm.constant dense<[[2, 9, -4], [9, 2, 9], [-8, -8, -9], [0, 1, 1]]> : tensor<4x3xi64>
  %r4 = slm.argmax %i {axis = 1 : i64, keepdims = false} : (tensor<4x3xi64>) -> tensor<4xi64>
  call @printMemref1dI64(%r4) : (tensor<4xi64>) -> ()
  return
}

// CHECK: rank = 1 offset = 0 sizes = [4]
// CHECK-NEXT{LITERAL}: [1, 0, 0, 0]
// CHECK: rank = 1 offset = 0 sizes = [4]
// CHECK-NEXT{LITERAL}: [2, 3, 2, 3]
// CHECK: rank = 1 offset = 0 sizes = [4]
// CHECK-NEXT{LITERAL}: [3, 0, 3, 3]
// CHECK: rank = 2 offset = 0 sizes = [1, 4]
// CHECK-NEXT{LITERAL}: [[3, 0, 3, 3]]
// CHECK: rank = 1 offset = 0 sizes = [4]
// CHECK-NEXT{LITERAL}: [1, 0, 0, 1]
