// RUN: slmc-opt %s --convert-slm-to-linalg \
// RUN: | mlir-opt --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN:   --convert-linalg-to-loops --convert-scf-to-cf --expand-strided-metadata --lower-affine \
// RUN:   --convert-math-to-llvm --convert-math-to-libm --convert-arith-to-llvm --finalize-memref-to-llvm \
// RUN:   --convert-func-to-llvm --convert-cf-to-llvm \
// RUN:   --reconcile-unrealized-casts \
// RUN: | mlir-runner -e entry -entry-point-result=void \
// RUN:   -shared-libs=/usr/lib/llvm-22/lib/libmlir_runner_utils.so,/usr/lib/llvm-22/lib/libmlir_c_runner_utils.so \
// RUN: | FileCheck %s

// Numerics of slm.rms_norm: over the last dim, over the last two dims, f16.
// Expected values: numpy (float64 reference, printed to 6 digits); a
// {{a|b|c}} pattern allows +-1 in the 6th digit (f32) or +-1 ulp (f16)
// where the float32 computation rounds differently.

func.func private @printMemref2dF32(tensor<3x4xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref3dF32(tensor<2x3x4xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref4dF32(tensor<2x1x3x2xf32>) attributes {llvm.emit_c_interface}

func.func @entry() {
  %x = slm.constant dense<[[[-1.34, 0.71, -1.92, -0.76], [1.75, 0.15, 1.25, 0.63], [0.44, -1.23, 0.3, -1.84]], [[1.21, 1.84, 1.42, -1.8], [-0.65, -0.73, -1.55, 0.51], [1.19, -0.75, 1.45, 1.19]]]> : tensor<2x3x4xf32>
  %s4 = slm.constant dense<[-1.48, 1.07, 1.53, -1.21]> : tensor<4xf32>
  %r0 = slm.rms_norm %x, %s4 {axis = 2 : i64, epsilon = 1.0e-06 : f64} : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  call @printMemref3dF32(%r0) : (tensor<2x3x4xf32>) -> ()
  %w = slm.constant dense<[[[[0.29, 0.55], [0.44, -1.62], [0.64, 0.53]]], [[[1.3, 1.21], [-0.69, 0.89], [1.47, 1.57]]]]> : tensor<2x1x3x2xf32>
  %s2 = slm.constant dense<[-1.35, -1.89]> : tensor<2xf32>
  %r1 = slm.rms_norm %w, %s2 {axis = 2 : i64, epsilon = 1.0e-02 : f64} : (tensor<2x1x3x2xf32>, tensor<2xf32>) -> tensor<2x1x3x2xf32>
  call @printMemref4dF32(%r1) : (tensor<2x1x3x2xf32>) -> ()
  %h = slm.constant dense<[[0.6, -1.14, 0.25, 1.78], [-0.48, -0.99, -0.17, 0.63], [-1.6, -0.48, -1.47, 0.65]]> : tensor<3x4xf16>
  %hs = slm.constant dense<[1.32, -0.49, -0.51, 0.16]> : tensor<4xf16>
  %r2 = slm.rms_norm %h, %hs {axis = 1 : i64, epsilon = 1.0e-06 : f64} : (tensor<3x4xf16>, tensor<4xf16>) -> tensor<3x4xf16>
  %p3 = slm.cast %r2 : (tensor<3x4xf16>) -> tensor<3x4xf32>
  call @printMemref2dF32(%p3) : (tensor<3x4xf32>) -> ()
  return
}

// CHECK: rank = 3 offset = 0 sizes = [2, 3, 4]
// CHECK-NEXT{LITERAL}: [[[1.54818, 0.593059, -2.29323, 0.717884],
// CHECK-NEXT{LITERAL}: [-2.30635, 0.142922, 1.70305, -0.678814],
// CHECK-NEXT: {{\[}}{{-0\.572126|-0\.572125|-0\.572124}}, -1.15629, 0.403264, 1.95605{{\]\]}},
// CHECK-NEXT{LITERAL}: [[-1.12664, 1.23862, 1.36684, 1.37024],
// CHECK-NEXT{LITERAL}: [1.01151, -0.821301, -2.49355, -0.64886],
// CHECK-NEXT{LITERAL}: [-1.50234, -0.684548, 1.89242, -1.22826]]]
// CHECK: rank = 4 offset = 0 sizes = [2, 1, 3, 2]
// CHECK-NEXT{LITERAL}: [[[[-0.482202, -1.28033],
// CHECK-NEXT{LITERAL}: [-0.731616, 3.77115],
// CHECK-NEXT{LITERAL}: [-1.06417, -1.23377]]],
// CHECK-NEXT{LITERAL}: [[[-1.42442, -1.85613],
// CHECK-NEXT{LITERAL}: [0.75604, -1.36525],
// CHECK-NEXT{LITERAL}: [-1.61069, -2.40837]]]]
// CHECK: rank = 2 offset = 0 sizes = [3, 4]
// CHECK-NEXT{LITERAL}: [[0.716309, 0.504883, -0.115234, 0.257812],
// CHECK-NEXT{LITERAL}: [-0.990723, 0.758301, 0.135498, 0.157593],
// CHECK-NEXT{LITERAL}: [-1.82227, 0.203003, 0.646484, 0.0897827]]
