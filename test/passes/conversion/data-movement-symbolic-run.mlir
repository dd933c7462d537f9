// RUN: slmc-opt %s --convert-slm-to-linalg | sed -e '/^module {$/d' -e '/^}$/d' > %t.lowered.mlir
// RUN: sed -n -e 's|^// HARNESS: \{0,1\}||p' %s > %t.harness.mlir
// RUN: cat %t.lowered.mlir %t.harness.mlir \
// RUN: | mlir-opt --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN:   --convert-linalg-to-loops --convert-scf-to-cf --expand-strided-metadata --lower-affine \
// RUN:   --convert-math-to-llvm --convert-math-to-libm --convert-arith-to-llvm --finalize-memref-to-llvm \
// RUN:   --convert-func-to-llvm --convert-cf-to-llvm --reconcile-unrealized-casts \
// RUN: | mlir-runner -e entry -entry-point-result=void \
// RUN:   -shared-libs=/usr/lib/llvm-22/lib/libmlir_runner_utils.so,/usr/lib/llvm-22/lib/libmlir_c_runner_utils.so \
// RUN: | FileCheck %s

// Numerics of the data movement ops with symbolic dims (batch = 2, past = 2,
// seq = 3): sizes, offsets, loop bounds, range starts and trilu diagonals
// all come from the symbol arguments. The decoder-step patterns: KV-cache
// concat, last-token slice, position ids, causal mask, embedding gather,
// collapse, reversal, scatter into a history, split at `past`, broadcast.
// Inputs are multiples of 1/4. Expected values: numpy.

func.func @main(%kv: tensor<?x?x4xf32, #slm.dims<"batch", "past">>, %new: tensor<?x?x4xf32, #slm.dims<"batch", "seq">>, %ids: tensor<?x?xi64, #slm.dims<"batch", "seq">>, %mask: tensor<?x?xf32, #slm.dims<"seq", "past + seq">>, %hist: tensor<?x4xf32, #slm.dims<"past">>, %rows: tensor<?x1xi64, #slm.dims<"seq">>, %upd: tensor<?x4xf32, #slm.dims<"seq">>) -> (tensor<?x?x4xf32, #slm.dims<"batch", "past + seq">>, tensor<?x1x4xf32, #slm.dims<"batch">>, tensor<?xi64, #slm.dims<"seq">>, tensor<?x?xf32, #slm.dims<"seq", "past + seq">>, tensor<?x?x4xf32, #slm.dims<"batch", "seq">>, tensor<?x4xf32, #slm.dims<"batch*past + batch*seq">>, tensor<?x?x4xf32, #slm.dims<"batch", "seq">>, tensor<?x4xf32, #slm.dims<"past">>, tensor<?x?x4xf32, #slm.dims<"batch", "past">>, tensor<?x?x4xf32, #slm.dims<"batch", "seq">>, tensor<?x?x4xf32, #slm.dims<"batch", "seq">>, tensor<?x?xf32, #slm.dims<"seq", "past + seq">>) {
  %table = slm.constant dense<[[1.75, 1.25, 0.5, -0.25], [0.0, -1.0, 0.0, -0.5], [-1.0, 2.0, -2.0, -1.75], [-1.25, 2.0, 0.75, 1.5], [-1.25, 1.0, -0.5, 0.0]]> : tensor<5x4xf32>
  %bias = slm.constant dense<[[0.25, 1.0, 0.0, 0.5]]> : tensor<1x4xf32>
  %r0 = slm.concat %kv, %new {axis = 1 : i64} : (tensor<?x?x4xf32, #slm.dims<"batch", "past">>, tensor<?x?x4xf32, #slm.dims<"batch", "seq">>) -> tensor<?x?x4xf32, #slm.dims<"batch", "past + seq">>
  %r1 = slm.slice %r0 {starts = #slm.dims<"0", "past + seq - 1", "0">, ends = #slm.dims<"batch", "past + seq", "4">, steps = array<i64: 1, 1, 1>} : (tensor<?x?x4xf32, #slm.dims<"batch", "past + seq">>) -> tensor<?x1x4xf32, #slm.dims<"batch">>
  %r2 = slm.range #slm.dims<"past"> {delta = 1 : i64} : tensor<?xi64, #slm.dims<"seq">>
  %r3 = slm.trilu %mask {k = #slm.dims<"past + 1">, upper = true} : (tensor<?x?xf32, #slm.dims<"seq", "past + seq">>) -> tensor<?x?xf32, #slm.dims<"seq", "past + seq">>
  %r4 = slm.gather %table, %ids {axis = 0 : i64} : (tensor<5x4xf32>, tensor<?x?xi64, #slm.dims<"batch", "seq">>) -> tensor<?x?x4xf32, #slm.dims<"batch", "seq">>
  %r5 = slm.reshape %r0 : (tensor<?x?x4xf32, #slm.dims<"batch", "past + seq">>) -> tensor<?x4xf32, #slm.dims<"batch*past + batch*seq">>
  %r6 = slm.slice %new {starts = #slm.dims<"0", "seq - 1", "0">, ends = #slm.dims<"batch", "-1", "4">, steps = array<i64: 1, -1, 1>} : (tensor<?x?x4xf32, #slm.dims<"batch", "seq">>) -> tensor<?x?x4xf32, #slm.dims<"batch", "seq">>
  %r7 = slm.scatter_nd %hist, %rows, %upd {reduction = "add"} : (tensor<?x4xf32, #slm.dims<"past">>, tensor<?x1xi64, #slm.dims<"seq">>, tensor<?x4xf32, #slm.dims<"seq">>) -> tensor<?x4xf32, #slm.dims<"past">>
  %r8:2 = slm.split %r0 {axis = 1 : i64} : (tensor<?x?x4xf32, #slm.dims<"batch", "past + seq">>) -> (tensor<?x?x4xf32, #slm.dims<"batch", "past">>, tensor<?x?x4xf32, #slm.dims<"batch", "seq">>)
  %r9 = slm.expand %bias : (tensor<1x4xf32>) -> tensor<?x?x4xf32, #slm.dims<"batch", "seq">>
  %r10 = slm.constant_of_shape {value = -1.5 : f32} : () -> tensor<?x?xf32, #slm.dims<"seq", "past + seq">>
  return %r0, %r1, %r2, %r3, %r4, %r5, %r6, %r7, %r8#0, %r8#1, %r9, %r10 : tensor<?x?x4xf32, #slm.dims<"batch", "past + seq">>, tensor<?x1x4xf32, #slm.dims<"batch">>, tensor<?xi64, #slm.dims<"seq">>, tensor<?x?xf32, #slm.dims<"seq", "past + seq">>, tensor<?x?x4xf32, #slm.dims<"batch", "seq">>, tensor<?x4xf32, #slm.dims<"batch*past + batch*seq">>, tensor<?x?x4xf32, #slm.dims<"batch", "seq">>, tensor<?x4xf32, #slm.dims<"past">>, tensor<?x?x4xf32, #slm.dims<"batch", "past">>, tensor<?x?x4xf32, #slm.dims<"batch", "seq">>, tensor<?x?x4xf32, #slm.dims<"batch", "seq">>, tensor<?x?xf32, #slm.dims<"seq", "past + seq">>
}

// The harness: bound to the lowered @main by the RUN lines.
// HARNESS: func.func private @printMemrefF32(tensor<*xf32>)
// HARNESS: func.func private @printMemrefI64(tensor<*xi64>)
// HARNESS: func.func @entry() {
// HARNESS:   %batch = arith.constant 2 : index
// HARNESS:   %past = arith.constant 2 : index
// HARNESS:   %seq = arith.constant 3 : index
// HARNESS:   %kv_c = arith.constant dense<[[[2.0, 0.5, 0.75, 1.75], [0.25, 1.25, 1.5, -1.25]], [[-2.0, -0.75, -1.0, 1.5], [1.75, -2.0, 0.0, 1.25]]]> : tensor<2x2x4xf32>
// HARNESS:   %kv = tensor.cast %kv_c : tensor<2x2x4xf32> to tensor<?x?x4xf32>
// HARNESS:   %new_c = arith.constant dense<[[[-1.5, 1.25, -1.5, -0.25], [1.25, -0.75, -0.75, -1.0], [1.0, -1.0, 2.0, -0.25]], [[0.0, 0.0, 0.25, 0.25], [0.0, 2.0, 1.25, 1.25], [0.75, 0.5, -0.75, 2.0]]]> : tensor<2x3x4xf32>
// HARNESS:   %new = tensor.cast %new_c : tensor<2x3x4xf32> to tensor<?x?x4xf32>
// HARNESS:   %ids_c = arith.constant dense<[[0, 4, -1], [2, -5, 3]]> : tensor<2x3xi64>
// HARNESS:   %ids = tensor.cast %ids_c : tensor<2x3xi64> to tensor<?x?xi64>
// HARNESS:   %mask_c = arith.constant dense<[[4.75, 3.75, 6.5, 3.5, 6.5], [5.5, 3.25, 3.0, 4.75, 3.0], [3.5, 5.0, 7.0, 4.75, 6.25]]> : tensor<3x5xf32>
// HARNESS:   %mask = tensor.cast %mask_c : tensor<3x5xf32> to tensor<?x?xf32>
// HARNESS:   %hist_c = arith.constant dense<[[-2.0, 0.5, 1.5, 0.75], [-1.5, 0.25, -1.0, 2.0]]> : tensor<2x4xf32>
// HARNESS:   %hist = tensor.cast %hist_c : tensor<2x4xf32> to tensor<?x4xf32>
// HARNESS:   %rows_c = arith.constant dense<[[1], [-2], [1]]> : tensor<3x1xi64>
// HARNESS:   %rows = tensor.cast %rows_c : tensor<3x1xi64> to tensor<?x1xi64>
// HARNESS:   %upd_c = arith.constant dense<[[1.5, -1.25, 0.0, 1.75], [1.5, 1.0, 0.5, -2.0], [1.0, 0.0, -1.75, -1.0]]> : tensor<3x4xf32>
// HARNESS:   %upd = tensor.cast %upd_c : tensor<3x4xf32> to tensor<?x4xf32>
// HARNESS:   %r:12 = call @main(%batch, %past, %seq, %kv, %new, %ids, %mask, %hist, %rows, %upd) : (index, index, index, tensor<?x?x4xf32>, tensor<?x?x4xf32>, tensor<?x?xi64>, tensor<?x?xf32>, tensor<?x4xf32>, tensor<?x1xi64>, tensor<?x4xf32>) -> (tensor<?x?x4xf32>, tensor<?x1x4xf32>, tensor<?xi64>, tensor<?x?xf32>, tensor<?x?x4xf32>, tensor<?x4xf32>, tensor<?x?x4xf32>, tensor<?x4xf32>, tensor<?x?x4xf32>, tensor<?x?x4xf32>, tensor<?x?x4xf32>, tensor<?x?xf32>)
// HARNESS:   %u0 = tensor.cast %r#0 : tensor<?x?x4xf32> to tensor<*xf32>
// HARNESS:   call @printMemrefF32(%u0) : (tensor<*xf32>) -> ()
// HARNESS:   %u1 = tensor.cast %r#1 : tensor<?x1x4xf32> to tensor<*xf32>
// HARNESS:   call @printMemrefF32(%u1) : (tensor<*xf32>) -> ()
// HARNESS:   %u2 = tensor.cast %r#2 : tensor<?xi64> to tensor<*xi64>
// HARNESS:   call @printMemrefI64(%u2) : (tensor<*xi64>) -> ()
// HARNESS:   %u3 = tensor.cast %r#3 : tensor<?x?xf32> to tensor<*xf32>
// HARNESS:   call @printMemrefF32(%u3) : (tensor<*xf32>) -> ()
// HARNESS:   %u4 = tensor.cast %r#4 : tensor<?x?x4xf32> to tensor<*xf32>
// HARNESS:   call @printMemrefF32(%u4) : (tensor<*xf32>) -> ()
// HARNESS:   %u5 = tensor.cast %r#5 : tensor<?x4xf32> to tensor<*xf32>
// HARNESS:   call @printMemrefF32(%u5) : (tensor<*xf32>) -> ()
// HARNESS:   %u6 = tensor.cast %r#6 : tensor<?x?x4xf32> to tensor<*xf32>
// HARNESS:   call @printMemrefF32(%u6) : (tensor<*xf32>) -> ()
// HARNESS:   %u7 = tensor.cast %r#7 : tensor<?x4xf32> to tensor<*xf32>
// HARNESS:   call @printMemrefF32(%u7) : (tensor<*xf32>) -> ()
// HARNESS:   %u8 = tensor.cast %r#8 : tensor<?x?x4xf32> to tensor<*xf32>
// HARNESS:   call @printMemrefF32(%u8) : (tensor<*xf32>) -> ()
// HARNESS:   %u9 = tensor.cast %r#9 : tensor<?x?x4xf32> to tensor<*xf32>
// HARNESS:   call @printMemrefF32(%u9) : (tensor<*xf32>) -> ()
// HARNESS:   %u10 = tensor.cast %r#10 : tensor<?x?x4xf32> to tensor<*xf32>
// HARNESS:   call @printMemrefF32(%u10) : (tensor<*xf32>) -> ()
// HARNESS:   %u11 = tensor.cast %r#11 : tensor<?x?xf32> to tensor<*xf32>
// HARNESS:   call @printMemrefF32(%u11) : (tensor<*xf32>) -> ()
// HARNESS:   return
// HARNESS: }

// r0
// CHECK: rank = 3 offset = 0 sizes = [2, 5, 4]
// CHECK-NEXT: {{\[\[}}[2, 0.5, 0.75, 1.75],
// CHECK-NEXT: [0.25, 1.25, 1.5, -1.25],
// CHECK-NEXT: [-1.5, 1.25, -1.5, -0.25],
// CHECK-NEXT: [1.25, -0.75, -0.75, -1],
// CHECK-NEXT: [1, -1, 2, -0.25]],
// CHECK-NEXT: {{\[\[}}-2, -0.75, -1, 1.5],
// CHECK-NEXT: [1.75, -2, 0, 1.25],
// CHECK-NEXT: [0, 0, 0.25, 0.25],
// CHECK-NEXT: [0, 2, 1.25, 1.25],
// CHECK-NEXT: [0.75, 0.5, -0.75, 2]]]
// r1
// CHECK: rank = 3 offset = 0 sizes = [2, 1, 4]
// CHECK-NEXT: {{\[\[}}[1, -1, 2, -0.25]],
// CHECK-NEXT: {{\[\[}}0.75, 0.5, -0.75, 2]]]
// r2
// CHECK: rank = 1 offset = 0 sizes = [3]
// CHECK-NEXT: [2, 3, 4]
// r3
// CHECK: rank = 2 offset = 0 sizes = [3, 5]
// CHECK-NEXT: {{\[\[}}0, 0, 0, 3.5, 6.5],
// CHECK-NEXT: [0, 0, 0, 0, 3],
// CHECK-NEXT: [0, 0, 0, 0, 0]]
// r4
// CHECK: rank = 3 offset = 0 sizes = [2, 3, 4]
// CHECK-NEXT: {{\[\[}}[1.75, 1.25, 0.5, -0.25],
// CHECK-NEXT: [-1.25, 1, -0.5, 0],
// CHECK-NEXT: [-1.25, 1, -0.5, 0]],
// CHECK-NEXT: {{\[\[}}-1, 2, -2, -1.75],
// CHECK-NEXT: [1.75, 1.25, 0.5, -0.25],
// CHECK-NEXT: [-1.25, 2, 0.75, 1.5]]]
// r5
// CHECK: rank = 2 offset = 0 sizes = [10, 4]
// CHECK-NEXT: {{\[\[}}2, 0.5, 0.75, 1.75],
// CHECK-NEXT: [0.25, 1.25, 1.5, -1.25],
// CHECK-NEXT: [-1.5, 1.25, -1.5, -0.25],
// CHECK-NEXT: [1.25, -0.75, -0.75, -1],
// CHECK-NEXT: [1, -1, 2, -0.25],
// CHECK-NEXT: [-2, -0.75, -1, 1.5],
// CHECK-NEXT: [1.75, -2, 0, 1.25],
// CHECK-NEXT: [0, 0, 0.25, 0.25],
// CHECK-NEXT: [0, 2, 1.25, 1.25],
// CHECK-NEXT: [0.75, 0.5, -0.75, 2]]
// r6
// CHECK: rank = 3 offset = 0 sizes = [2, 3, 4]
// CHECK-NEXT: {{\[\[}}[1, -1, 2, -0.25],
// CHECK-NEXT: [1.25, -0.75, -0.75, -1],
// CHECK-NEXT: [-1.5, 1.25, -1.5, -0.25]],
// CHECK-NEXT: {{\[\[}}0.75, 0.5, -0.75, 2],
// CHECK-NEXT: [0, 2, 1.25, 1.25],
// CHECK-NEXT: [0, 0, 0.25, 0.25]]]
// r7
// CHECK: rank = 2 offset = 0 sizes = [2, 4]
// CHECK-NEXT: {{\[\[}}-0.5, 1.5, 2, -1.25],
// CHECK-NEXT: [1, -1, -2.75, 2.75]]
// r8a
// CHECK: rank = 3 offset = 0 sizes = [2, 2, 4]
// CHECK-NEXT: {{\[\[}}[2, 0.5, 0.75, 1.75],
// CHECK-NEXT: [0.25, 1.25, 1.5, -1.25]],
// CHECK-NEXT: {{\[\[}}-2, -0.75, -1, 1.5],
// CHECK-NEXT: [1.75, -2, 0, 1.25]]]
// r8b
// CHECK: rank = 3 offset = 0 sizes = [2, 3, 4]
// CHECK-NEXT: {{\[\[}}[-1.5, 1.25, -1.5, -0.25],
// CHECK-NEXT: [1.25, -0.75, -0.75, -1],
// CHECK-NEXT: [1, -1, 2, -0.25]],
// CHECK-NEXT: {{\[\[}}0, 0, 0.25, 0.25],
// CHECK-NEXT: [0, 2, 1.25, 1.25],
// CHECK-NEXT: [0.75, 0.5, -0.75, 2]]]
// r9
// CHECK: rank = 3 offset = 0 sizes = [2, 3, 4]
// CHECK-NEXT: {{\[\[}}[0.25, 1, 0, 0.5],
// CHECK-NEXT: [0.25, 1, 0, 0.5],
// CHECK-NEXT: [0.25, 1, 0, 0.5]],
// CHECK-NEXT: {{\[\[}}0.25, 1, 0, 0.5],
// CHECK-NEXT: [0.25, 1, 0, 0.5],
// CHECK-NEXT: [0.25, 1, 0, 0.5]]]
// r10
// CHECK: rank = 2 offset = 0 sizes = [3, 5]
// CHECK-NEXT: {{\[\[}}-1.5, -1.5, -1.5, -1.5, -1.5],
// CHECK-NEXT: [-1.5, -1.5, -1.5, -1.5, -1.5],
// CHECK-NEXT: [-1.5, -1.5, -1.5, -1.5, -1.5]]
