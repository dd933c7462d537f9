// RUN: slmc-opt %s --convert-slm-to-linalg \
// RUN: | mlir-opt --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN:   --convert-linalg-to-loops --convert-scf-to-cf --expand-strided-metadata --lower-affine \
// RUN:   --convert-math-to-llvm --convert-math-to-libm --convert-arith-to-llvm --finalize-memref-to-llvm \
// RUN:   --convert-func-to-llvm --convert-cf-to-llvm \
// RUN:   --reconcile-unrealized-casts \
// RUN: | mlir-runner -e entry -entry-point-result=void \
// RUN:   -shared-libs=/usr/lib/llvm-22/lib/libmlir_runner_utils.so,/usr/lib/llvm-22/lib/libmlir_c_runner_utils.so \
// RUN: | FileCheck %s

// Numerics of slm.softmax: inner and outer axes, large logits (stability), f16.
// Expected values: numpy (float64 reference, printed to 6 digits); a
// {{a|b|c}} pattern allows +-1 in the 6th digit (f32) or +-1 ulp (f16)
// where the float32 computation rounds differently.

func.func private @printMemref2dF32(tensor<3x4xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref3dF32(tensor<2x3x4xf32>) attributes {llvm.emit_c_interface}

func.func @entry() {
  %x = slm.constant dense<[[[2.99, 1.3, -2.95, 2.76], [3.56, 3.23, 0.56, -2.84], [-2.46, 3.42, 0.42, -2.56]], [[3.07, 1.13, 0.56, -0.99], [-0.71, -2.08, -3.7, 3.01], [1000.0, 1001.0, 1002.0, -1000.0]]]> : tensor<2x3x4xf32>
  %r0 = slm.softmax %x {axis = 2 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  call @printMemref3dF32(%r0) : (tensor<2x3x4xf32>) -> ()
  %z = slm.constant dense<[[-2.85, -0.77, -2.82, -2.26], [2.8, 0.95, -0.43, 0.14], [2.24, -0.93, 0.54, 1.1]]> : tensor<3x4xf32>
  %r1 = slm.softmax %z {axis = 0 : i64} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  call @printMemref2dF32(%r1) : (tensor<3x4xf32>) -> ()
  %h = slm.constant dense<[[-0.87, 0.11, 1.59, 2.46], [-2.09, 2.6, -2.97, 1.52], [1.86, -2.18, -0.49, 1.89]]> : tensor<3x4xf16>
  %r2 = slm.softmax %h {axis = 1 : i64} : (tensor<3x4xf16>) -> tensor<3x4xf16>
  %p3 = slm.cast %r2 : (tensor<3x4xf16>) -> tensor<3x4xf32>
  call @printMemref2dF32(%p3) : (tensor<3x4xf32>) -> ()
  return
}

// CHECK: rank = 3 offset = 0 sizes = [2, 3, 4]
// CHECK-NEXT{LITERAL}: [[[0.504621, 0.0931124, 0.00132818, 0.400938],
// CHECK-NEXT{LITERAL}: [0.564853, 0.406086, 0.0281224, 0.000938536],
// CHECK-NEXT{LITERAL}: [0.00264881, 0.947768, 0.0471866, 0.00239674]],
// CHECK-NEXT{LITERAL}: [[0.80501, 0.115683, 0.0654217, 0.0138856],
// CHECK-NEXT{LITERAL}: [0.0234914, 0.00596933, 0.00118132, 0.969358],
// CHECK-NEXT{LITERAL}: [0.0900306, 0.244728, 0.665241, 0]]]
// CHECK: rank = 2 offset = 0 sizes = [3, 4]
// CHECK-NEXT{LITERAL}: [[0.00223373, 0.134469, 0.0245684, 0.0245024],
// CHECK-NEXT: {{\[}}0.635031, {{0\.750944|0\.750945|0\.750946}}, 0.268127, 0.270094{{\]}},
// CHECK-NEXT{LITERAL}: [0.362735, 0.114587, 0.707304, 0.705404]]
// CHECK: rank = 2 offset = 0 sizes = [3, 4]
// CHECK-NEXT{LITERAL}: [[0.0230713, 0.0614929, 0.27002, 0.645508],
// CHECK-NEXT{LITERAL}: [0.00679398, 0.739258, 0.00281715, 0.250977],
// CHECK-NEXT{LITERAL}: [0.466797, 0.00820923, 0.0444946, 0.480469]]
