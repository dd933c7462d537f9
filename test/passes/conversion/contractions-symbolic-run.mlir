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

// Numerics of the contractions with symbolic dims (batch = 2, seq = 3):
// collapse/expand of dynamic dims around linalg.matmul and
// linalg.batch_matmul, the generic path, gemm with a dynamic M.
// x is [batch, 3, 4] rather than [batch, seq, 4]: expanding [batch*seq, N]
// back to [batch, seq, N] (two dynamic dims in one group) crashes LLVM 22's
// expand-strided-metadata (llvm/llvm-project#186830; slmc's own pipeline runs
// slm-expand-shape-to-reinterpret-cast first); contractions.mlir checks that IR.
// Inputs are multiples of 1/4, so the results are exact.
// Expected values: numpy (float64 reference, printed to 6 digits).

func.func @main(%x: tensor<?x3x4xf32, #slm.dims<"batch">>, %w: tensor<4x5xf32>, %q: tensor<?x2x?x4xf32, #slm.dims<"batch", "seq">>, %k: tensor<?x2x4x?xf32, #slm.dims<"batch", "seq">>, %y: tensor<?x4xf32, #slm.dims<"seq">>, %z: tensor<?x4x2xf32, #slm.dims<"batch">>, %c: tensor<5xf32>) -> (tensor<?x3x5xf32, #slm.dims<"batch">>, tensor<?x2x?x?xf32, #slm.dims<"batch", "seq", "seq">>, tensor<?x?x2xf32, #slm.dims<"batch", "seq">>, tensor<?x5xf32, #slm.dims<"seq">>) {
  %r0 = slm.matmul %x, %w : (tensor<?x3x4xf32, #slm.dims<"batch">>, tensor<4x5xf32>) -> tensor<?x3x5xf32, #slm.dims<"batch">>
  %r1 = slm.matmul %q, %k : (tensor<?x2x?x4xf32, #slm.dims<"batch", "seq">>, tensor<?x2x4x?xf32, #slm.dims<"batch", "seq">>) -> tensor<?x2x?x?xf32, #slm.dims<"batch", "seq", "seq">>
  %r2 = slm.matmul %y, %z : (tensor<?x4xf32, #slm.dims<"seq">>, tensor<?x4x2xf32, #slm.dims<"batch">>) -> tensor<?x?x2xf32, #slm.dims<"batch", "seq">>
  %r3 = slm.gemm %y, %w, %c {alpha = 2.0 : f64} : (tensor<?x4xf32, #slm.dims<"seq">>, tensor<4x5xf32>, tensor<5xf32>) -> tensor<?x5xf32, #slm.dims<"seq">>
  return %r0, %r1, %r2, %r3 : tensor<?x3x5xf32, #slm.dims<"batch">>, tensor<?x2x?x?xf32, #slm.dims<"batch", "seq", "seq">>, tensor<?x?x2xf32, #slm.dims<"batch", "seq">>, tensor<?x5xf32, #slm.dims<"seq">>
}

// The harness: bound to the lowered @main by the RUN lines.
// HARNESS: func.func private @printMemrefF32(tensor<*xf32>)
// HARNESS: func.func private @printMemrefI64(tensor<*xi64>)
// HARNESS: func.func @entry() {
// HARNESS:   %batch = arith.constant 2 : index
// HARNESS:   %seq = arith.constant 3 : index
// HARNESS:   %x_c = arith.constant dense<[[[0.5, 1.0, 1.5, 1.75], [0.5, 1.5, -0.0, -1.0], [-1.25, -0.0, 1.0, -0.25]], [[0.75, -1.5, 2.0, -0.0], [1.25, 1.0, 1.0, -0.5], [-1.5, -0.25, -0.75, -0.5]]]> : tensor<2x3x4xf32>
// HARNESS:   %x = tensor.cast %x_c : tensor<2x3x4xf32> to tensor<?x3x4xf32>
// HARNESS:   %w = arith.constant dense<[[2.0, -0.75, 1.25, -1.25, 0.25], [-0.5, -1.0, -0.5, 1.75, 0.25], [0.0, 1.25, 0.0, -1.5, -1.5], [0.75, -0.25, -1.25, 1.75, -1.0]]> : tensor<4x5xf32>
// HARNESS:   %q_c = arith.constant dense<[[[[1.25, -0.75, 1.0, 0.0], [-1.75, 0.75, -0.75, -0.25], [0.75, 2.0, -0.25, 0.75]], [[-0.0, 0.75, -1.25, 2.0], [-1.5, 0.75, -1.75, -1.75], [1.5, 1.0, -1.5, -1.0]]], [[[-1.75, 1.75, 1.5, 1.0], [0.75, 0.75, -1.75, -1.75], [-0.75, 0.25, 1.25, -0.25]], [[-1.0, 0.5, 1.75, -0.0], [0.25, -0.75, 1.0, -1.5], [0.75, -1.25, 0.75, 0.0]]]]> : tensor<2x2x3x4xf32>
// HARNESS:   %q = tensor.cast %q_c : tensor<2x2x3x4xf32> to tensor<?x2x?x4xf32>
// HARNESS:   %k_c = arith.constant dense<[[[[1.25, 0.25, 1.75], [-0.25, -2.0, 2.0], [1.0, 1.25, 1.25], [-1.5, 1.5, -1.75]], [[-0.75, -1.25, -0.0], [-1.25, -1.25, 0.25], [-1.25, -0.0, 0.75], [-2.0, 1.5, 1.0]]], [[[1.0, 1.0, 1.75], [-1.5, -1.75, 1.0], [-2.0, 0.5, 0.5], [1.75, -1.5, -0.5]], [[1.0, -0.5, -0.75], [-1.25, -2.0, 0.0], [-1.75, -0.0, 1.0], [-0.25, 0.5, 1.75]]]]> : tensor<2x2x4x3xf32>
// HARNESS:   %k = tensor.cast %k_c : tensor<2x2x4x3xf32> to tensor<?x2x4x?xf32>
// HARNESS:   %y_c = arith.constant dense<[[-1.25, 0.5, 0.75, 0.0], [-0.75, -1.25, -0.5, 0.25], [2.0, -1.0, 1.5, 1.25]]> : tensor<3x4xf32>
// HARNESS:   %y = tensor.cast %y_c : tensor<3x4xf32> to tensor<?x4xf32>
// HARNESS:   %z_c = arith.constant dense<[[[-0.5, 0.25], [-2.0, 2.0], [-0.0, -1.5], [1.25, 1.5]], [[1.0, 2.0], [-1.0, 0.25], [-0.25, 0.5], [-1.0, 0.75]]]> : tensor<2x4x2xf32>
// HARNESS:   %z = tensor.cast %z_c : tensor<2x4x2xf32> to tensor<?x4x2xf32>
// HARNESS:   %c = arith.constant dense<[-0.25, -0.5, 0.75, -1.0, -0.75]> : tensor<5xf32>
// HARNESS:   %r:4 = call @main(%batch, %seq, %x, %w, %q, %k, %y, %z, %c) : (index, index, tensor<?x3x4xf32>, tensor<4x5xf32>, tensor<?x2x?x4xf32>, tensor<?x2x4x?xf32>, tensor<?x4xf32>, tensor<?x4x2xf32>, tensor<5xf32>) -> (tensor<?x3x5xf32>, tensor<?x2x?x?xf32>, tensor<?x?x2xf32>, tensor<?x5xf32>)
// HARNESS:   %u0 = tensor.cast %r#0 : tensor<?x3x5xf32> to tensor<*xf32>
// HARNESS:   call @printMemrefF32(%u0) : (tensor<*xf32>) -> ()
// HARNESS:   %u1 = tensor.cast %r#1 : tensor<?x2x?x?xf32> to tensor<*xf32>
// HARNESS:   call @printMemrefF32(%u1) : (tensor<*xf32>) -> ()
// HARNESS:   %u2 = tensor.cast %r#2 : tensor<?x?x2xf32> to tensor<*xf32>
// HARNESS:   call @printMemrefF32(%u2) : (tensor<*xf32>) -> ()
// HARNESS:   %u3 = tensor.cast %r#3 : tensor<?x5xf32> to tensor<*xf32>
// HARNESS:   call @printMemrefF32(%u3) : (tensor<*xf32>) -> ()
// HARNESS:   return
// HARNESS: }

// CHECK: rank = 3 offset = 0 sizes = [2, 3, 5]
// CHECK-NEXT{LITERAL}: [[[1.8125, 0.0625, -2.0625, 1.9375, -3.625],
// CHECK-NEXT{LITERAL}: [-0.5, -1.625, 1.125, 0.25, 1.5],
// CHECK-NEXT{LITERAL}: [-2.6875, 2.25, -1.25, -0.375, -1.5625]],
// CHECK-NEXT{LITERAL}: [[2.25, 3.4375, 1.6875, -6.5625, -3.1875],
// CHECK-NEXT{LITERAL}: [1.625, -0.5625, 1.6875, -2.1875, -0.4375],
// CHECK-NEXT{LITERAL}: [-3.25, 0.5625, -1.125, 1.6875, 1.1875]]]
// CHECK: rank = 4 offset = 0 sizes = [2, 2, 3, 3]
// CHECK-NEXT{LITERAL}: [[[[2.75, 3.0625, 1.9375],
// CHECK-NEXT{LITERAL}: [-2.75, -3.25, -2.0625],
// CHECK-NEXT{LITERAL}: [-0.9375, -3, 3.6875]],
// CHECK-NEXT{LITERAL}: [[-3.375, 2.0625, 1.25],
// CHECK-NEXT{LITERAL}: [5.875, -1.6875, -2.875],
// CHECK-NEXT{LITERAL}: [1.5, -4.625, -1.875]]],
// CHECK-NEXT{LITERAL}: [[[-5.625, -5.5625, -1.0625],
// CHECK-NEXT{LITERAL}: [0.0625, 1.1875, 2.0625],
// CHECK-NEXT{LITERAL}: [-4.0625, -0.1875, -0.3125]],
// CHECK-NEXT{LITERAL}: [[-4.6875, -0.5, 2.5],
// CHECK-NEXT{LITERAL}: [-0.1875, 0.625, -1.8125],
// CHECK-NEXT{LITERAL}: [1, 2.125, 0.1875]]]]
// CHECK: rank = 3 offset = 0 sizes = [2, 3, 2]
// CHECK-NEXT{LITERAL}: [[[-0.375, -0.4375],
// CHECK-NEXT{LITERAL}: [3.1875, -1.5625],
// CHECK-NEXT{LITERAL}: [2.5625, -1.875]],
// CHECK-NEXT{LITERAL}: [[-1.9375, -2],
// CHECK-NEXT{LITERAL}: [0.375, -1.875],
// CHECK-NEXT{LITERAL}: [1.375, 5.4375]]]
// CHECK: rank = 2 offset = 0 sizes = [3, 5]
// CHECK-NEXT{LITERAL}: [[-5.75, 2.25, -2.875, 1.625, -3.375],
// CHECK-NEXT{LITERAL}: [-1.625, 1.75, -0.5, -1.125, -0.75],
// CHECK-NEXT{LITERAL}: [10.625, 1.625, 3.625, -9.625, -7.25]]
