// RUN: slmc-opt %s --convert-slm-to-linalg | sed -e '/^module {$/d' -e '/^}$/d' > %t.lowered.mlir
// RUN: sed -n -e 's|^// HARNESS: \{0,1\}||p' %s > %t.harness.mlir
// RUN: cat %t.lowered.mlir %t.harness.mlir \
// RUN: | mlir-opt --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN:   --convert-linalg-to-loops --convert-scf-to-cf --expand-strided-metadata --lower-affine \
// RUN:   --convert-math-to-llvm --convert-math-to-libm --convert-arith-to-llvm --finalize-memref-to-llvm \
// RUN:   --convert-func-to-llvm --convert-cf-to-llvm \
// RUN:   --reconcile-unrealized-casts \
// RUN: | mlir-runner -e entry -entry-point-result=void \
// RUN:   -shared-libs=/usr/lib/llvm-22/lib/libmlir_runner_utils.so,/usr/lib/llvm-22/lib/libmlir_c_runner_utils.so \
// RUN: | FileCheck %s

// Numerics of the reductions with symbolic dims (batch = 2, seq = 3):
// means divide by a count built from the symbol arguments, keepdims
// expands with dynamic sizes.
// Expected values: numpy (float64 reference, printed to 6 digits).

func.func @main(%x: tensor<?x?x4xf32, #slm.dims<"batch", "seq">>, %sc: tensor<4xf32>) -> (tensor<?x1x4xf32, #slm.dims<"batch">>, tensor<1x?x1xf32, #slm.dims<"seq">>, tensor<?x?x4xf32, #slm.dims<"batch", "seq">>, tensor<?x?x4xf32, #slm.dims<"batch", "seq">>, tensor<?x?x4xf32, #slm.dims<"batch", "seq">>, tensor<?x?x4xf32, #slm.dims<"batch", "seq">>, tensor<?x1x4xi64, #slm.dims<"batch">>) {
  %r0 = slm.reduce_mean %x {axes = array<i64: 1>} : (tensor<?x?x4xf32, #slm.dims<"batch", "seq">>) -> tensor<?x1x4xf32, #slm.dims<"batch">>
  %r1 = slm.reduce_max %x {axes = array<i64: 0, 2>} : (tensor<?x?x4xf32, #slm.dims<"batch", "seq">>) -> tensor<1x?x1xf32, #slm.dims<"seq">>
  %r2 = slm.softmax %x {axis = 1 : i64} : (tensor<?x?x4xf32, #slm.dims<"batch", "seq">>) -> tensor<?x?x4xf32, #slm.dims<"batch", "seq">>
  %r3 = slm.layer_norm %x, %sc {axis = 1 : i64, epsilon = 1.0e-05 : f64} : (tensor<?x?x4xf32, #slm.dims<"batch", "seq">>, tensor<4xf32>) -> tensor<?x?x4xf32, #slm.dims<"batch", "seq">>
  %r4 = slm.rms_norm %x, %sc {axis = 1 : i64, epsilon = 1.0e-05 : f64} : (tensor<?x?x4xf32, #slm.dims<"batch", "seq">>, tensor<4xf32>) -> tensor<?x?x4xf32, #slm.dims<"batch", "seq">>
  %r5 = slm.cumsum %x {axis = 1 : i64} : (tensor<?x?x4xf32, #slm.dims<"batch", "seq">>) -> tensor<?x?x4xf32, #slm.dims<"batch", "seq">>
  %r6 = slm.argmax %x {axis = 1 : i64} : (tensor<?x?x4xf32, #slm.dims<"batch", "seq">>) -> tensor<?x1x4xi64, #slm.dims<"batch">>
  return %r0, %r1, %r2, %r3, %r4, %r5, %r6 : tensor<?x1x4xf32, #slm.dims<"batch">>, tensor<1x?x1xf32, #slm.dims<"seq">>, tensor<?x?x4xf32, #slm.dims<"batch", "seq">>, tensor<?x?x4xf32, #slm.dims<"batch", "seq">>, tensor<?x?x4xf32, #slm.dims<"batch", "seq">>, tensor<?x?x4xf32, #slm.dims<"batch", "seq">>, tensor<?x1x4xi64, #slm.dims<"batch">>
}

// The harness: bound to the lowered @main by the RUN lines.
// HARNESS: func.func private @printMemrefF32(tensor<*xf32>)
// HARNESS: func.func private @printMemrefI64(tensor<*xi64>)
// HARNESS: func.func @entry() {
// HARNESS:   %batch = arith.constant 2 : index
// HARNESS:   %seq = arith.constant 3 : index
// HARNESS:   %x_c = arith.constant dense<[[[0.78, 0.57, -1.49, -1.55], [0.61, 1.41, -1.19, -1.13], [0.87, -0.12, -0.34, -0.6]], [[-1.74, -0.18, -0.79, -0.44], [0.16, 0.73, 0.5, 0.97], [-1.93, 0.62, 0.17, 1.41]]]> : tensor<2x3x4xf32>
// HARNESS:   %x = tensor.cast %x_c : tensor<2x3x4xf32> to tensor<?x?x4xf32>
// HARNESS:   %sc = arith.constant dense<[1.76, -1.95, 1.31, -0.99]> : tensor<4xf32>
// HARNESS:   %r:7 = call @main(%batch, %seq, %x, %sc) : (index, index, tensor<?x?x4xf32>, tensor<4xf32>) -> (tensor<?x1x4xf32>, tensor<1x?x1xf32>, tensor<?x?x4xf32>, tensor<?x?x4xf32>, tensor<?x?x4xf32>, tensor<?x?x4xf32>, tensor<?x1x4xi64>)
// HARNESS:   %u0 = tensor.cast %r#0 : tensor<?x1x4xf32> to tensor<*xf32>
// HARNESS:   call @printMemrefF32(%u0) : (tensor<*xf32>) -> ()
// HARNESS:   %u1 = tensor.cast %r#1 : tensor<1x?x1xf32> to tensor<*xf32>
// HARNESS:   call @printMemrefF32(%u1) : (tensor<*xf32>) -> ()
// HARNESS:   %u2 = tensor.cast %r#2 : tensor<?x?x4xf32> to tensor<*xf32>
// HARNESS:   call @printMemrefF32(%u2) : (tensor<*xf32>) -> ()
// HARNESS:   %u3 = tensor.cast %r#3 : tensor<?x?x4xf32> to tensor<*xf32>
// HARNESS:   call @printMemrefF32(%u3) : (tensor<*xf32>) -> ()
// HARNESS:   %u4 = tensor.cast %r#4 : tensor<?x?x4xf32> to tensor<*xf32>
// HARNESS:   call @printMemrefF32(%u4) : (tensor<*xf32>) -> ()
// HARNESS:   %u5 = tensor.cast %r#5 : tensor<?x?x4xf32> to tensor<*xf32>
// HARNESS:   call @printMemrefF32(%u5) : (tensor<*xf32>) -> ()
// HARNESS:   %u6 = tensor.cast %r#6 : tensor<?x1x4xi64> to tensor<*xi64>
// HARNESS:   call @printMemrefI64(%u6) : (tensor<*xi64>) -> ()
// HARNESS:   return
// HARNESS: }

// CHECK: rank = 3 offset = 0 sizes = [2, 1, 4]
// CHECK-NEXT{LITERAL}: [[[0.753333, 0.62, -1.00667, -1.09333]],
// CHECK-NEXT{LITERAL}: [[-1.17, 0.39, -0.04, 0.646667]]]
// CHECK: rank = 3 offset = 0 sizes = [1, 3, 1]
// CHECK-NEXT{LITERAL}: [[[0.78],
// CHECK-NEXT{LITERAL}: [1.41],
// CHECK-NEXT{LITERAL}: [1.41]]]
// CHECK: rank = 3 offset = 0 sizes = [2, 3, 4]
// CHECK-NEXT{LITERAL}: [[[0.340386, 0.261921, 0.181552, 0.195784],
// CHECK-NEXT{LITERAL}: [0.287172, 0.606705, 0.24507, 0.297976],
// CHECK-NEXT{LITERAL}: [0.372442, 0.131373, 0.573377, 0.50624]],
// CHECK-NEXT{LITERAL}: [[0.117469, 0.175136, 0.138036, 0.0872922],
// CHECK-NEXT{LITERAL}: [0.785388, 0.435093, 0.501456, 0.357545],
// CHECK-NEXT{LITERAL}: [0.0971424, 0.389771, 0.360508, 0.555163]]]
// CHECK: rank = 3 offset = 0 sizes = [2, 3, 4]
// CHECK-NEXT{LITERAL}: [[[1.73194, -1.49988, -1.75383, 1.38619],
// CHECK-NEXT{LITERAL}: [1.42578, -3.17602, -1.35167, 0.960711],
// CHECK-NEXT{LITERAL}: [1.89403, -0.12305, -0.212246, 0.423794]],
// CHECK-NEXT{LITERAL}: [[-3.02018, 0.269538, -0.989285, 0.397177],
// CHECK-NEXT{LITERAL}: [0.361947, -1.52519, 0.719881, -1.01464],
// CHECK-NEXT{LITERAL}: [-3.35839, -1.30825, 0.282653, -1.4552]]]
// CHECK: rank = 3 offset = 0 sizes = [2, 3, 4]
// CHECK-NEXT{LITERAL}: [[[1.3811, -1.11822, -1.96371, 1.54378],
// CHECK-NEXT{LITERAL}: [1.08009, -2.76613, -1.56833, 1.12547],
// CHECK-NEXT{LITERAL}: [1.54046, 0.235416, -0.448094, 0.597593]],
// CHECK-NEXT{LITERAL}: [[-3.09434, 0.354661, -1.04569, 0.440144],
// CHECK-NEXT{LITERAL}: [0.284537, -1.43835, 0.661832, -0.970317],
// CHECK-NEXT{LITERAL}: [-3.43223, -1.22161, 0.225023, -1.41046]]]
// CHECK: rank = 3 offset = 0 sizes = [2, 3, 4]
// CHECK-NEXT{LITERAL}: [[[0.78, 0.57, -1.49, -1.55],
// CHECK-NEXT{LITERAL}: [1.39, 1.98, -2.68, -2.68],
// CHECK-NEXT{LITERAL}: [2.26, 1.86, -3.02, -3.28]],
// CHECK-NEXT{LITERAL}: [[-1.74, -0.18, -0.79, -0.44],
// CHECK-NEXT{LITERAL}: [-1.58, 0.55, -0.29, 0.53],
// CHECK-NEXT{LITERAL}: [-3.51, 1.17, -0.12, 1.94]]]
// CHECK: rank = 3 offset = 0 sizes = [2, 1, 4]
// CHECK-NEXT{LITERAL}: [[[2, 1, 2, 2]],
// CHECK-NEXT{LITERAL}: [[1, 1, 1, 2]]]
