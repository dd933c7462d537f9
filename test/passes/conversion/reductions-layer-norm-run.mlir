// RUN: slmc-opt %s --convert-slm-to-linalg \
// RUN: | mlir-opt --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN:   --convert-linalg-to-loops --convert-scf-to-cf --expand-strided-metadata --lower-affine \
// RUN:   --convert-math-to-llvm --convert-math-to-libm --convert-arith-to-llvm --finalize-memref-to-llvm \
// RUN:   --convert-func-to-llvm --convert-cf-to-llvm \
// RUN:   --reconcile-unrealized-casts \
// RUN: | mlir-runner -e entry -entry-point-result=void \
// RUN:   -shared-libs=/usr/lib/llvm-22/lib/libmlir_runner_utils.so,/usr/lib/llvm-22/lib/libmlir_c_runner_utils.so \
// RUN: | FileCheck %s

// Numerics of slm.layer_norm: over the last dim, over the last two dims
// (2-D scale), without bias, f16.
// Expected values: numpy (float64 reference, printed to 6 digits); a
// {{a|b|c}} pattern allows +-1 in the 6th digit (f32) or +-1 ulp (f16)
// where the float32 computation rounds differently.

func.func private @printMemref1dF32(tensor<6xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref2dF32(tensor<3x4xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemref3dF32(tensor<2x3x4xf32>) attributes {llvm.emit_c_interface}

func.func @entry() {
  %x = slm.constant dense<[[[-1.94, 0.51, 1.17, 0.05], [0.9, -1.09, -1.21, -0.55], [-1.28, -0.62, 1.79, 0.29]], [[-0.64, -0.91, 1.81, -0.22], [1.92, 0.06, 0.08, 1.59], [0.97, 0.32, -0.29, 1.51]]]> : tensor<2x3x4xf32>
  %s34 = slm.constant dense<[[-0.35, 1.69, -1.73, -0.28], [0.08, 1.8, -1.0, 1.22], [0.71, 0.87, 0.52, 1.89]]> : tensor<3x4xf32>
  %b4 = slm.constant dense<[-0.67, -0.41, -1.19, -1.8]> : tensor<4xf32>
  %r0 = slm.layer_norm %x, %s34, %b4 {axis = 1 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x3x4xf32>, tensor<3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  call @printMemref3dF32(%r0) : (tensor<2x3x4xf32>) -> ()
  %z = slm.constant dense<[[-1.15, 1.66, 1.36, -1.55], [0.42, -0.08, 0.38, 0.64], [-0.77, 1.85, -0.14, 0.51]]> : tensor<3x4xf32>
  %s4 = slm.constant dense<[0.54, -1.26, -1.75, -0.35]> : tensor<4xf32>
  %r1 = slm.layer_norm %z, %s4 {axis = 1 : i64, epsilon = 1.0e-03 : f64} : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  call @printMemref2dF32(%r1) : (tensor<3x4xf32>) -> ()
  %h = slm.constant dense<[1.06, 1.26, 0.92, -1.55, 1.65, 1.21]> : tensor<6xf16>
  %hs = slm.constant dense<[1.51, 0.09, 1.66, -1.81, -1.88, -1.92]> : tensor<6xf16>
  %hb = slm.constant dense<[-0.99, -1.01, -1.25, 0.27, -1.84, 0.36]> : tensor<6xf16>
  %r2 = slm.layer_norm %h, %hs, %hb {axis = 0 : i64, epsilon = 1.0e-05 : f64} : (tensor<6xf16>, tensor<6xf16>, tensor<6xf16>) -> tensor<6xf16>
  %p3 = slm.cast %r2 : (tensor<6xf16>) -> tensor<6xf32>
  call @printMemref1dF32(%p3) : (tensor<6xf32>) -> ()
  return
}

// CHECK: rank = 3 offset = 0 sizes = [2, 3, 4]
// CHECK-NEXT: {{\[\[\[}}{{-0\.0977742|-0\.0977741|-0\.097774}}, 0.640731, -3.3173, -1.85545{{\]}},
// CHECK-NEXT{LITERAL}: [-0.591523, -1.94361, -0.227463, -2.23264],
// CHECK-NEXT{LITERAL}: [-1.39918, -0.774613, -0.253622, -1.00791]],
// CHECK-NEXT{LITERAL}: [[-0.246992, -2.92931, -3.52792, -1.58447],
// CHECK-NEXT{LITERAL}: [-0.552693, -1.2689, -0.73373, -0.431746],
// CHECK-NEXT{LITERAL}: [-0.333683, -0.588781, -1.6283, 0.161684]]]
// CHECK: rank = 2 offset = 0 sizes = [3, 4]
// CHECK-NEXT{LITERAL}: [[-0.460856, -1.38132, -1.55423, 0.395842],
// CHECK-NEXT: {{\[}}0.163749, 2.00593, -0.265334, {{-0\.398002|-0\.398001|-0\.398}}{{\]}},
// CHECK-NEXT{LITERAL}: [-0.629638, -1.92969, 0.905385, -0.053152]]
// CHECK: rank = 1 offset = 0 sizes = [6]
// CHECK-NEXT{LITERAL}: [-0.55957, -0.966797, -0.996094, 4.22656, -3.42578, -0.460693]
