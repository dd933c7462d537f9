// RUN: slmc-opt %s --convert-slm-to-linalg \
// RUN: | mlir-opt --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN:   --convert-linalg-to-loops --convert-scf-to-cf --expand-strided-metadata --lower-affine \
// RUN:   --convert-math-to-llvm --convert-math-to-libm --convert-arith-to-llvm --finalize-memref-to-llvm \
// RUN:   --convert-func-to-llvm --convert-cf-to-llvm \
// RUN:   --reconcile-unrealized-casts \
// RUN: | mlir-runner -e entry -entry-point-result=void \
// RUN:   -shared-libs=/usr/lib/llvm-22/lib/libmlir_runner_utils.so,/usr/lib/llvm-22/lib/libmlir_c_runner_utils.so \
// RUN: | FileCheck %s

// Numerics of slm.cumsum: all four exclusive/reverse combinations, the outer
// axis, f16 and i64.
// Expected values: numpy (float64 reference, printed to 6 digits).

func.func private @printMemref1dF32(tensor<5xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref1dI64(tensor<6xi64>) attributes {llvm.emit_c_interface}
func.func private @printMemref2dF32(tensor<3x4xf32>) attributes {llvm.emit_c_interface}

func.func @entry() {
  %x = slm.constant dense<[[-1.14, -1.01, -0.68, -0.17], [-1.67, 1.01, 0.32, -0.8], [-1.69, 1.05, -1.48, -1.47]]> : tensor<3x4xf32>
  %r0 = slm.cumsum %x {axis = 1 : i64} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  call @printMemref2dF32(%r0) : (tensor<3x4xf32>) -> ()
  %r1 = slm.cumsum %x {axis = 1 : i64, exclusive = true} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  call @printMemref2dF32(%r1) : (tensor<3x4xf32>) -> ()
  %r2 = slm.cumsum %x {axis = 1 : i64, reverse = true} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  call @printMemref2dF32(%r2) : (tensor<3x4xf32>) -> ()
  %r3 = slm.cumsum %x {axis = 1 : i64, exclusive = true, reverse = true} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  call @printMemref2dF32(%r3) : (tensor<3x4xf32>) -> ()
  %r4 = slm.cumsum %x {axis = 0 : i64} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  call @printMemref2dF32(%r4) : (tensor<3x4xf32>) -> ()
  %h = slm.constant dense<[-1.48, -1.67, 1.63, -0.92, -0.77]> : tensor<5xf16>
  %r5 = slm.cumsum %h {axis = 0 : i64, reverse = true} : (tensor<5xf16>) -> tensor<5xf16>
  %p6 = slm.cast %r5 : (tensor<5xf16>) -> tensor<5xf32>
  call @printMemref1dF32(%p6) : (tensor<5xf32>) -> ()
  %i = slm.constant dense<[3, -1, 4, 1, -5, 9]> : tensor<6xi64>
  %r6 = slm.cumsum %i {axis = 0 : i64, exclusive = true} : (tensor<6xi64>) -> tensor<6xi64>
  call @printMemref1dI64(%r6) : (tensor<6xi64>) -> ()
  return
}

// CHECK: rank = 2 offset = 0 sizes = [3, 4]
// CHECK-NEXT{LITERAL}: [[-1.14, -2.15, -2.83, -3],
// CHECK-NEXT{LITERAL}: [-1.67, -0.66, -0.34, -1.14],
// CHECK-NEXT{LITERAL}: [-1.69, -0.64, -2.12, -3.59]]
// CHECK: rank = 2 offset = 0 sizes = [3, 4]
// CHECK-NEXT{LITERAL}: [[0, -1.14, -2.15, -2.83],
// CHECK-NEXT{LITERAL}: [0, -1.67, -0.66, -0.34],
// CHECK-NEXT{LITERAL}: [0, -1.69, -0.64, -2.12]]
// CHECK: rank = 2 offset = 0 sizes = [3, 4]
// CHECK-NEXT{LITERAL}: [[-3, -1.86, -0.85, -0.17],
// CHECK-NEXT{LITERAL}: [-1.14, 0.53, -0.48, -0.8],
// CHECK-NEXT{LITERAL}: [-3.59, -1.9, -2.95, -1.47]]
// CHECK: rank = 2 offset = 0 sizes = [3, 4]
// CHECK-NEXT{LITERAL}: [[-1.86, -0.85, -0.17, 0],
// CHECK-NEXT{LITERAL}: [0.53, -0.48, -0.8, 0],
// CHECK-NEXT{LITERAL}: [-1.9, -2.95, -1.47, 0]]
// CHECK: rank = 2 offset = 0 sizes = [3, 4]
// CHECK-NEXT{LITERAL}: [[-1.14, -1.01, -0.68, -0.17],
// CHECK-NEXT{LITERAL}: [-2.81, 0, -0.36, -0.97],
// CHECK-NEXT{LITERAL}: [-4.5, 1.05, -1.84, -2.44]]
// CHECK: rank = 1 offset = 0 sizes = [5]
// CHECK-NEXT{LITERAL}: [-3.21094, -1.73047, -0.0600586, -1.68945, -0.77002]
// CHECK: rank = 1 offset = 0 sizes = [6]
// CHECK-NEXT{LITERAL}: [0, 3, 2, 6, 7, 2]
