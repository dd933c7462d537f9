// RUN: slmc-opt %s --convert-slm-to-linalg \
// RUN: | mlir-opt --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN:   --convert-linalg-to-loops --convert-scf-to-cf --expand-strided-metadata --lower-affine \
// RUN:   --convert-math-to-llvm --convert-math-to-libm --convert-arith-to-llvm --finalize-memref-to-llvm \
// RUN:   --convert-func-to-llvm --convert-cf-to-llvm \
// RUN:   --reconcile-unrealized-casts \
// RUN: | mlir-runner -e entry -entry-point-result=void \
// RUN:   -shared-libs=/usr/lib/llvm-22/lib/libmlir_runner_utils.so,/usr/lib/llvm-22/lib/libmlir_c_runner_utils.so \
// RUN: | FileCheck %s

// Numerics of slm.reduce_* on f16 (f32 accumulation, truncated back) and i64.
// Expected values: numpy (float64 reference, printed to 6 digits).

func.func private @printMemref1dF32(tensor<4xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref1dI64(tensor<2xi64>) attributes {llvm.emit_c_interface}
func.func private @printMemref2dF32(tensor<2x4xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref3dF32(tensor<1x1x1xf32>) attributes {llvm.emit_c_interface}

func.func @entry() {
  %h = slm.constant dense<[[[0.03, 1.49, -0.55, 0.39], [-1.76, -0.45, -0.71, -1.4], [1.27, -0.48, 1.91, 0.36]], [[0.42, 0.55, 0.71, -1.4], [-0.24, -1.04, -0.39, -1.61], [1.87, -1.14, 0.69, -0.8]]]> : tensor<2x3x4xf16>
  %r0 = slm.reduce_mean %h {axes = array<i64: 1>, keepdims = false} : (tensor<2x3x4xf16>) -> tensor<2x4xf16>
  %p1 = slm.cast %r0 : (tensor<2x4xf16>) -> tensor<2x4xf32>
  call @printMemref2dF32(%p1) : (tensor<2x4xf32>) -> ()
  %r1 = slm.reduce_sum %h {axes = array<i64: 0, 1, 2>} : (tensor<2x3x4xf16>) -> tensor<1x1x1xf16>
  %p2 = slm.cast %r1 : (tensor<1x1x1xf16>) -> tensor<1x1x1xf32>
  call @printMemref3dF32(%p2) : (tensor<1x1x1xf32>) -> ()
  %r2 = slm.reduce_max %h {axes = array<i64: 0, 1>, keepdims = false} : (tensor<2x3x4xf16>) -> tensor<4xf16>
  %p3 = slm.cast %r2 : (tensor<4xf16>) -> tensor<4xf32>
  call @printMemref1dF32(%p3) : (tensor<4xf32>) -> ()
  %i = slm.constant dense<[[5, -7, 12], [-3, -9, -1]]> : tensor<2x3xi64>
  %r3 = slm.reduce_sum %i {axes = array<i64: 1>, keepdims = false} : (tensor<2x3xi64>) -> tensor<2xi64>
  call @printMemref1dI64(%r3) : (tensor<2xi64>) -> ()
  %r4 = slm.reduce_max %i {axes = array<i64: 1>, keepdims = false} : (tensor<2x3xi64>) -> tensor<2xi64>
  call @printMemref1dI64(%r4) : (tensor<2xi64>) -> ()
  %r5 = slm.reduce_min %i {axes = array<i64: 1>, keepdims = false} : (tensor<2x3xi64>) -> tensor<2xi64>
  call @printMemref1dI64(%r5) : (tensor<2xi64>) -> ()
  return
}

// CHECK: rank = 2 offset = 0 sizes = [2, 4]
// CHECK-NEXT{LITERAL}: [[-0.153442, 0.186768, 0.216797, -0.216797],
// CHECK-NEXT{LITERAL}: [0.683594, -0.543457, 0.33667, -1.27051]]
// CHECK: rank = 3 offset = 0 sizes = [1, 1, 1]
// CHECK-NEXT{LITERAL}: [[[-2.28125]]]
// CHECK: rank = 1 offset = 0 sizes = [4]
// CHECK-NEXT{LITERAL}: [1.87012, 1.49023, 1.91016, 0.389893]
// CHECK: rank = 1 offset = 0 sizes = [2]
// CHECK-NEXT{LITERAL}: [10, -13]
// CHECK: rank = 1 offset = 0 sizes = [2]
// CHECK-NEXT{LITERAL}: [12, -1]
// CHECK: rank = 1 offset = 0 sizes = [2]
// CHECK-NEXT{LITERAL}: [-7, -9]
