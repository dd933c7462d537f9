// RUN: slmc-opt %s --convert-slm-to-linalg \
// RUN: | mlir-opt --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN:   --convert-linalg-to-loops --convert-scf-to-cf --expand-strided-metadata --lower-affine \
// RUN:   --convert-math-to-llvm --convert-math-to-libm --convert-arith-to-llvm --finalize-memref-to-llvm \
// RUN:   --convert-func-to-llvm --convert-cf-to-llvm \
// RUN:   --reconcile-unrealized-casts \
// RUN: | mlir-runner -e entry -entry-point-result=void \
// RUN:   -shared-libs=/usr/lib/llvm-22/lib/libmlir_runner_utils.so,/usr/lib/llvm-22/lib/libmlir_c_runner_utils.so \
// RUN: | FileCheck %s

// Inputs are multiples of 1/4, so the results are exact.
// Numerics of slm.matmul on the generic path: broadcast batch dims, 1-D
// operands (promoted and dropped), f16 (f32 accumulation).
// Expected values: numpy (float64 reference, printed to 6 digits).

func.func private @printMemref0dF32(tensor<f32>) attributes {llvm.emit_c_interface}
func.func private @printMemref1dF32(tensor<3xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref2dF32(tensor<2x3xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref3dF32(tensor<2x3x3xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref4dF32(tensor<2x2x3x3xf32>) attributes {llvm.emit_c_interface}

func.func @entry() {
  %a = slm.constant dense<[[[-1.0, 0.5, -0.5, 1.0], [-0.75, 1.25, -0.25, 0.25], [0.75, 0.0, -1.0, 2.0]], [[-1.5, -0.75, 0.25, -2.0], [-1.5, 1.25, 1.25, 0.5], [1.5, 1.0, -0.75, 0.5]]]> : tensor<2x3x4xf32>
  %b = slm.constant dense<[[[[-0.75, 1.0, -0.5], [-1.5, 1.5, 0.75], [1.0, 0.25, 1.25], [-0.25, 0.25, -1.75]]], [[[0.25, 1.25, 0.75], [1.25, -0.0, 1.5], [-1.5, 1.5, -0.5], [-1.75, 0.5, -0.25]]]]> : tensor<2x1x4x3xf32>
  %r0 = slm.matmul %a, %b : (tensor<2x3x4xf32>, tensor<2x1x4x3xf32>) -> tensor<2x2x3x3xf32>
  call @printMemref4dF32(%r0) : (tensor<2x2x3x3xf32>) -> ()
  %v = slm.constant dense<[-0.25, 1.5, -1.5, 0.5]> : tensor<4xf32>
  %r1 = slm.matmul %a, %v : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  call @printMemref2dF32(%r1) : (tensor<2x3xf32>) -> ()
  %m = slm.constant dense<[[-0.25, 0.0, -0.0], [-1.5, 0.0, 1.5], [-1.25, -2.0, -1.75], [-0.25, 2.0, -1.75]]> : tensor<4x3xf32>
  %r2 = slm.matmul %v, %m : (tensor<4xf32>, tensor<4x3xf32>) -> tensor<3xf32>
  call @printMemref1dF32(%r2) : (tensor<3xf32>) -> ()
  %r3 = slm.matmul %v, %v : (tensor<4xf32>, tensor<4xf32>) -> tensor<f32>
  call @printMemref0dF32(%r3) : (tensor<f32>) -> ()
  %ha = slm.constant dense<[[[2.0, 0.25, -1.5, -0.25], [-1.25, 0.75, 0.25, -0.75], [-1.0, 1.5, 1.0, -0.25]], [[-0.5, 1.0, 2.0, -1.75], [-1.25, -0.5, 0.0, -1.75], [-1.75, -1.0, -0.5, 1.0]]]> : tensor<2x3x4xf16>
  %hb = slm.constant dense<[[0.5, -2.0, -1.75], [-0.25, 1.5, 1.75], [-0.5, 1.5, 1.75], [-0.25, 1.0, -0.5]]> : tensor<4x3xf16>
  %r4 = slm.matmul %ha, %hb : (tensor<2x3x4xf16>, tensor<4x3xf16>) -> tensor<2x3x3xf16>
  %p5 = slm.cast %r4 : (tensor<2x3x3xf16>) -> tensor<2x3x3xf32>
  call @printMemref3dF32(%p5) : (tensor<2x3x3xf32>) -> ()
  %hc = slm.constant dense<[[[-1.5, 0.25, -1.75, 0.75], [1.25, 1.75, -0.25, -1.5], [1.5, 1.5, 1.75, 0.5]]]> : tensor<1x3x4xf16>
  %hd = slm.constant dense<[[[0.75, -0.5, -1.25], [-0.75, 1.0, -0.75], [0.75, 0.0, -0.25], [1.75, -1.25, -0.0]], [[-1.25, 1.75, -0.0], [-0.75, -1.25, 0.5], [-0.5, -1.5, -1.75], [-0.5, 0.25, 0.0]]]> : tensor<2x4x3xf16>
  %r5 = slm.matmul %hc, %hd : (tensor<1x3x4xf16>, tensor<2x4x3xf16>) -> tensor<2x3x3xf16>
  %p6 = slm.cast %r5 : (tensor<2x3x3xf16>) -> tensor<2x3x3xf32>
  call @printMemref3dF32(%p6) : (tensor<2x3x3xf32>) -> ()
  return
}

// CHECK: rank = 4 offset = 0 sizes = [2, 2, 3, 3]
// CHECK-NEXT{LITERAL}: [[[[-0.75, -0.125, -1.5],
// CHECK-NEXT{LITERAL}: [-1.625, 1.125, 0.5625],
// CHECK-NEXT{LITERAL}: [-2.0625, 1, -5.125]],
// CHECK-NEXT{LITERAL}: [[3, -3.0625, 4],
// CHECK-NEXT{LITERAL}: [0.375, 0.8125, 2.375],
// CHECK-NEXT{LITERAL}: [-3.5, 2.9375, -1.8125]]],
// CHECK-NEXT{LITERAL}: [[[-0.625, -1.5, 0],
// CHECK-NEXT{LITERAL}: [1.3125, -1.1875, 1.375],
// CHECK-NEXT{LITERAL}: [-1.8125, 0.4375, 0.5625]],
// CHECK-NEXT{LITERAL}: [[1.8125, -2.5, -1.875],
// CHECK-NEXT{LITERAL}: [-1.5625, 0.25, 0],
// CHECK-NEXT{LITERAL}: [1.875, 1, 2.875]]]]
// CHECK: rank = 2 offset = 0 sizes = [2, 3]
// CHECK-NEXT{LITERAL}: [[2.25, 2.5625, 2.3125],
// CHECK-NEXT{LITERAL}: [-2.125, 0.625, 2.5]]
// CHECK: rank = 1 offset = 0 sizes = [3]
// CHECK-NEXT{LITERAL}: [-0.4375, 4, 4]
// CHECK: rank = 0 offset = 0 sizes = []
// CHECK-NEXT{LITERAL}: [4.8125]
// CHECK: rank = 3 offset = 0 sizes = [2, 3, 3]
// CHECK-NEXT{LITERAL}: [[[1.75, -6.125, -5.5625],
// CHECK-NEXT{LITERAL}: [-0.75, 3.25, 4.3125],
// CHECK-NEXT{LITERAL}: [-1.3125, 5.5, 6.25]],
// CHECK-NEXT{LITERAL}: [[-1.0625, 3.75, 7],
// CHECK-NEXT{LITERAL}: [-0.0625, 0, 2.1875],
// CHECK-NEXT{LITERAL}: [-0.625, 2.25, -0.0625]]]
// CHECK: rank = 3 offset = 0 sizes = [2, 3, 3]
// CHECK-NEXT{LITERAL}: [[[-1.3125, 0.0625, 2.125],
// CHECK-NEXT{LITERAL}: [-3.1875, 3, -2.8125],
// CHECK-NEXT{LITERAL}: [2.1875, 0.125, -3.4375]],
// CHECK-NEXT{LITERAL}: [[2.1875, -0.125, 3.1875],
// CHECK-NEXT{LITERAL}: [-2, 0, 1.3125],
// CHECK-NEXT{LITERAL}: [-4.125, -1.75, -2.3125]]]
