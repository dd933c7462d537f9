// RUN: slmc-opt %s --convert-slm-to-linalg -split-input-file | FileCheck %s

// slm.matmul becomes linalg.matmul / linalg.batch_matmul where the shapes fit
// exactly (collapsing leading or batch dims, expanding the result back), a
// linalg.generic with a reduction over K otherwise. slm.gemm is
// linalg.matmul (a generic when transposed) plus an epilogue generic for
// alpha, beta and C.

// [batch, seq, K] x [K, N]: collapse batch and seq into M (batch * seq from
// the symbols), linalg.matmul into a zero-filled f32 accumulator, expand back.
// CHECK-LABEL: func.func @matmul_weight(
// CHECK-SAME: %[[B:[^:]+]]: index {slm.symbol = "batch"}, %[[S:[^:]+]]: index {slm.symbol = "seq"}, %[[X:[^:]+]]: tensor<?x?x64xf32> {{.*}}, %[[W:[^:]+]]: tensor<64x128xf32>
// CHECK: %[[M:.+]] = arith.muli %[[B]], %[[S]] : index
// CHECK: %[[X2:.+]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1], [2]] : tensor<?x?x64xf32> into tensor<?x64xf32>
// CHECK: %[[E:.+]] = tensor.empty(%[[M]]) : tensor<?x128xf32>
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[ACC:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<?x128xf32>)
// CHECK: %[[P:.+]] = linalg.matmul ins(%[[X2]], %[[W]] : tensor<?x64xf32>, tensor<64x128xf32>) outs(%[[ACC]] : tensor<?x128xf32>) -> tensor<?x128xf32>
// CHECK: %[[R:.+]] = tensor.expand_shape %[[P]] {{\[\[}}0, 1], [2]] output_shape [%[[B]], %[[S]], 128] : tensor<?x128xf32> into tensor<?x?x128xf32>
// CHECK: return %[[R]]
func.func @matmul_weight(%x: tensor<?x?x64xf32, #slm.dims<"batch", "seq">>, %w: tensor<64x128xf32>) -> tensor<?x?x128xf32, #slm.dims<"batch", "seq">> {
  %0 = slm.matmul %x, %w : (tensor<?x?x64xf32, #slm.dims<"batch", "seq">>, tensor<64x128xf32>) -> tensor<?x?x128xf32, #slm.dims<"batch", "seq">>
  return %0 : tensor<?x?x128xf32, #slm.dims<"batch", "seq">>
}

// -----

// 2-D x 2-D: linalg.matmul as is.
// CHECK-LABEL: func.func @matmul_2d(
// CHECK-SAME: %[[S:[^:]+]]: index {slm.symbol = "seq"}, %[[X:[^:]+]]: tensor<?x64xf32> {{.*}}, %[[W:[^:]+]]: tensor<64x128xf32>
// CHECK-NOT: collapse_shape
// CHECK: tensor.empty(%[[S]]) : tensor<?x128xf32>
// CHECK: %[[P:.+]] = linalg.matmul ins(%[[X]], %[[W]] : tensor<?x64xf32>, tensor<64x128xf32>)
// CHECK-NOT: expand_shape
// CHECK: return %[[P]]
func.func @matmul_2d(%x: tensor<?x64xf32, #slm.dims<"seq">>, %w: tensor<64x128xf32>) -> tensor<?x128xf32, #slm.dims<"seq">> {
  %0 = slm.matmul %x, %w : (tensor<?x64xf32, #slm.dims<"seq">>, tensor<64x128xf32>) -> tensor<?x128xf32, #slm.dims<"seq">>
  return %0 : tensor<?x128xf32, #slm.dims<"seq">>
}

// -----

// A [1, K, N] rhs is a matrix broadcast over the lhs batch: collapsed to
// [K, N], then the linalg.matmul path.
// CHECK-LABEL: func.func @matmul_unit_batch_rhs(
// CHECK: %[[W2:.+]] = tensor.collapse_shape %{{.+}} {{\[\[}}0, 1], [2]] : tensor<1x64x128xf32> into tensor<64x128xf32>
// CHECK: %[[X2:.+]] = tensor.collapse_shape %{{.+}} {{\[\[}}0, 1], [2]] : tensor<?x?x64xf32> into tensor<?x64xf32>
// CHECK: %[[P:.+]] = linalg.matmul ins(%[[X2]], %[[W2]] : tensor<?x64xf32>, tensor<64x128xf32>)
// CHECK: tensor.expand_shape %[[P]] {{\[\[}}0, 1], [2]]
func.func @matmul_unit_batch_rhs(%x: tensor<?x?x64xf32, #slm.dims<"batch", "seq">>, %w: tensor<1x64x128xf32>) -> tensor<?x?x128xf32, #slm.dims<"batch", "seq">> {
  %0 = slm.matmul %x, %w : (tensor<?x?x64xf32, #slm.dims<"batch", "seq">>, tensor<1x64x128xf32>) -> tensor<?x?x128xf32, #slm.dims<"batch", "seq">>
  return %0 : tensor<?x?x128xf32, #slm.dims<"batch", "seq">>
}

// -----

// Attention scores in f16, [batch, 4, seq, 16] x [batch, 4, 16, past + seq]:
// the batch dims collapse into batch * 4, linalg.batch_matmul accumulates in
// f32, a generic truncates to f16 and the result expands back.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @matmul_attention_f16(
// CHECK-SAME: %[[B:[^:]+]]: index {slm.symbol = "batch"}, %[[S:[^:]+]]: index {slm.symbol = "seq"}, %[[P:[^:]+]]: index {slm.symbol = "past"}, %[[Q:[^:]+]]: tensor<?x4x?x16xf16> {{.*}}, %[[K:[^:]+]]: tensor<?x4x16x?xf16>
// CHECK: %[[C4:.+]] = arith.constant 4 : index
// CHECK: %[[BH:.+]] = arith.muli %[[B]], %[[C4]] : index
// CHECK: %[[T:.+]] = arith.addi %[[P]], %[[S]] : index
// CHECK: %[[Q3:.+]] = tensor.collapse_shape %[[Q]] {{\[\[}}0, 1], [2], [3]] : tensor<?x4x?x16xf16> into tensor<?x?x16xf16>
// CHECK: %[[K3:.+]] = tensor.collapse_shape %[[K]] {{\[\[}}0, 1], [2], [3]] : tensor<?x4x16x?xf16> into tensor<?x16x?xf16>
// CHECK: %[[E:.+]] = tensor.empty(%[[BH]], %[[S]], %[[T]]) : tensor<?x?x?xf32>
// CHECK: %[[ACC:.+]] = linalg.fill
// CHECK: %[[PROD:.+]] = linalg.batch_matmul ins(%[[Q3]], %[[K3]] : tensor<?x?x16xf16>, tensor<?x16x?xf16>) outs(%[[ACC]] : tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
// CHECK: %[[H:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[PROD]] : tensor<?x?x?xf32>) outs(%{{.+}} : tensor<?x?x?xf16>)
// CHECK: arith.truncf %{{.+}} : f32 to f16
// CHECK: tensor.expand_shape %[[H]] {{\[\[}}0, 1], [2], [3]] output_shape [%[[B]], 4, %[[S]], %[[T]]] : tensor<?x?x?xf16> into tensor<?x4x?x?xf16>
func.func @matmul_attention_f16(%q: tensor<?x4x?x16xf16, #slm.dims<"batch", "seq">>, %k: tensor<?x4x16x?xf16, #slm.dims<"batch", "past + seq">>) -> tensor<?x4x?x?xf16, #slm.dims<"batch", "seq", "past + seq">> {
  %0 = slm.matmul %q, %k : (tensor<?x4x?x16xf16, #slm.dims<"batch", "seq">>, tensor<?x4x16x?xf16, #slm.dims<"batch", "past + seq">>) -> tensor<?x4x?x?xf16, #slm.dims<"batch", "seq", "past + seq">>
  return %0 : tensor<?x4x?x?xf16, #slm.dims<"batch", "seq", "past + seq">>
}

// -----

// Same single batch dim: linalg.batch_matmul without reshapes.
// CHECK-LABEL: func.func @batch_matmul_3d(
// CHECK-SAME: %[[A:[^:]+]]: tensor<?x?x16xf32> {{.*}}, %[[B:[^:]+]]: tensor<?x16x8xf32>
// CHECK-NOT: collapse_shape
// CHECK: %[[P:.+]] = linalg.batch_matmul ins(%[[A]], %[[B]] : tensor<?x?x16xf32>, tensor<?x16x8xf32>)
// CHECK-NOT: expand_shape
// CHECK: return %[[P]]
func.func @batch_matmul_3d(%a: tensor<?x?x16xf32, #slm.dims<"batch", "seq">>, %b: tensor<?x16x8xf32, #slm.dims<"batch">>) -> tensor<?x?x8xf32, #slm.dims<"batch", "seq">> {
  %0 = slm.matmul %a, %b : (tensor<?x?x16xf32, #slm.dims<"batch", "seq">>, tensor<?x16x8xf32, #slm.dims<"batch">>) -> tensor<?x?x8xf32, #slm.dims<"batch", "seq">>
  return %0 : tensor<?x?x8xf32, #slm.dims<"batch", "seq">>
}

// -----

// Broadcast batch dims: a generic over (b0, b1, m, n, k); the lhs lacks b0,
// the rhs's static 1 against the symbolic batch reads index 0.
// CHECK-DAG: #[[LHS:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d2, d4)>
// CHECK-DAG: #[[RHS:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, 0, d4, d3)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @matmul_broadcast_batch(
// CHECK: tensor.empty(%{{.+}}, %{{.+}}) : tensor<2x?x?x8xf32>
// CHECK: linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%{{.+}}, %{{.+}} : tensor<?x?x16xf32>, tensor<2x1x16x8xf32>) outs(%{{.+}} : tensor<2x?x?x8xf32>)
// CHECK: ^bb0(%[[L:.+]]: f32, %[[R:.+]]: f32, %[[ACC:.+]]: f32):
// CHECK: %[[MUL:.+]] = arith.mulf %[[L]], %[[R]] : f32
// CHECK: arith.addf %[[ACC]], %[[MUL]] : f32
func.func @matmul_broadcast_batch(%a: tensor<?x?x16xf32, #slm.dims<"batch", "seq">>, %b: tensor<2x1x16x8xf32>) -> tensor<2x?x?x8xf32, #slm.dims<"batch", "seq">> {
  %0 = slm.matmul %a, %b : (tensor<?x?x16xf32, #slm.dims<"batch", "seq">>, tensor<2x1x16x8xf32>) -> tensor<2x?x?x8xf32, #slm.dims<"batch", "seq">>
  return %0 : tensor<2x?x?x8xf32, #slm.dims<"batch", "seq">>
}

// -----

// A 2-D lhs against a batched rhs broadcasts the lhs over the batch.
// CHECK-DAG: #[[LHS:.+]] = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
// CHECK-DAG: #[[RHS:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @matmul_shared_lhs(
// CHECK: linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
func.func @matmul_shared_lhs(%a: tensor<?x16xf32, #slm.dims<"seq">>, %b: tensor<?x16x8xf32, #slm.dims<"batch">>) -> tensor<?x?x8xf32, #slm.dims<"batch", "seq">> {
  %0 = slm.matmul %a, %b : (tensor<?x16xf32, #slm.dims<"seq">>, tensor<?x16x8xf32, #slm.dims<"batch">>) -> tensor<?x?x8xf32, #slm.dims<"batch", "seq">>
  return %0 : tensor<?x?x8xf32, #slm.dims<"batch", "seq">>
}

// -----

// A 1-D rhs is a vector: no n loop, the result drops the dim.
// CHECK-DAG: #[[LHS:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[RHS:.+]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @matvec(
// CHECK: linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%{{.+}}, %{{.+}} : tensor<?x?x16xf32>, tensor<16xf32>) outs(%{{.+}} : tensor<?x?xf32>)
func.func @matvec(%a: tensor<?x?x16xf32, #slm.dims<"batch", "seq">>, %v: tensor<16xf32>) -> tensor<?x?xf32, #slm.dims<"batch", "seq">> {
  %0 = slm.matmul %a, %v : (tensor<?x?x16xf32, #slm.dims<"batch", "seq">>, tensor<16xf32>) -> tensor<?x?xf32, #slm.dims<"batch", "seq">>
  return %0 : tensor<?x?xf32, #slm.dims<"batch", "seq">>
}

// -----

// A 1-D lhs is a vector: no m loop.
// CHECK-DAG: #[[LHS:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[RHS:.+]] = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @vecmat(
// CHECK: linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]], iterator_types = ["parallel", "reduction"]} ins(%{{.+}}, %{{.+}} : tensor<?xf32>, tensor<?x8xf32>) outs(%{{.+}} : tensor<8xf32>)
func.func @vecmat(%v: tensor<?xf32, #slm.dims<"seq">>, %b: tensor<?x8xf32, #slm.dims<"seq">>) -> tensor<8xf32> {
  %0 = slm.matmul %v, %b : (tensor<?xf32, #slm.dims<"seq">>, tensor<?x8xf32, #slm.dims<"seq">>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// gemm without transposes, alpha = 1 and no C: just linalg.matmul.
// CHECK-LABEL: func.func @gemm(
// CHECK-SAME: %[[B:[^:]+]]: index {slm.symbol = "batch"}, %[[A:[^:]+]]: tensor<?x64xf32> {{.*}}, %[[W:[^:]+]]: tensor<64x32xf32>
// CHECK: tensor.empty(%[[B]]) : tensor<?x32xf32>
// CHECK: %[[P:.+]] = linalg.matmul ins(%[[A]], %[[W]] : tensor<?x64xf32>, tensor<64x32xf32>)
// CHECK-NOT: linalg.generic
// CHECK: return %[[P]]
func.func @gemm(%a: tensor<?x64xf32, #slm.dims<"batch">>, %b: tensor<64x32xf32>) -> tensor<?x32xf32, #slm.dims<"batch">> {
  %0 = slm.gemm %a, %b : (tensor<?x64xf32, #slm.dims<"batch">>, tensor<64x32xf32>) -> tensor<?x32xf32, #slm.dims<"batch">>
  return %0 : tensor<?x32xf32, #slm.dims<"batch">>
}

// -----

// gemm with transB reads B at (n, k); the epilogue computes
// alpha * AB + beta * C with C [N] broadcast over the rows.
// CHECK-DAG: #[[A:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[BT:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[MN:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[COL:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @gemm_trans_bias(
// CHECK-SAME: %[[C:[^:]+]]: tensor<32xf32>
// CHECK: %[[P:.+]] = linalg.generic {indexing_maps = [#[[A]], #[[BT]], #[[MN]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK: %[[ALPHA:.+]] = arith.constant 5.000000e-01 : f32
// CHECK: %[[BETA:.+]] = arith.constant 2.000000e+00 : f32
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[COL]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[P]], %[[C]] : tensor<?x32xf32>, tensor<32xf32>)
// CHECK: ^bb0(%[[AB:.+]]: f32, %[[CV:.+]]: f32, %{{.+}}: f32):
// CHECK: %[[S1:.+]] = arith.mulf %[[ALPHA]], %[[AB]] : f32
// CHECK: %[[S2:.+]] = arith.mulf %[[BETA]], %[[CV]] : f32
// CHECK: arith.addf %[[S1]], %[[S2]] : f32
func.func @gemm_trans_bias(%a: tensor<?x64xf32, #slm.dims<"batch">>, %b: tensor<32x64xf32>, %c: tensor<32xf32>) -> tensor<?x32xf32, #slm.dims<"batch">> {
  %0 = slm.gemm %a, %b, %c {transB = true, alpha = 0.5 : f64, beta = 2.0 : f64} : (tensor<?x64xf32, #slm.dims<"batch">>, tensor<32x64xf32>, tensor<32xf32>) -> tensor<?x32xf32, #slm.dims<"batch">>
  return %0 : tensor<?x32xf32, #slm.dims<"batch">>
}

// -----

// f16 gemm with transA and a [M, 1] C: f32 accumulation, C read at (m, 0),
// the epilogue truncates to f16.
// CHECK-DAG: #[[AT:.+]] = affine_map<(d0, d1, d2) -> (d2, d0)>
// CHECK-DAG: #[[B:.+]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROWC:.+]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func.func @gemm_trans_a_column_bias_f16(
// CHECK: %[[P:.+]] = linalg.generic {indexing_maps = [#[[AT]], #[[B]], #{{.+}}], iterator_types = ["parallel", "parallel", "reduction"]} ins(%{{.+}}, %{{.+}} : tensor<64x?xf16>, tensor<64x32xf16>) outs(%{{.+}} : tensor<?x32xf32>)
// CHECK: arith.extf
// CHECK: arith.extf
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROWC]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[P]], %{{.+}} : tensor<?x32xf32>, tensor<?x1xf16>) outs(%{{.+}} : tensor<?x32xf16>)
// CHECK: arith.extf %{{.+}} : f16 to f32
// CHECK: arith.addf
// CHECK: arith.truncf %{{.+}} : f32 to f16
func.func @gemm_trans_a_column_bias_f16(%a: tensor<64x?xf16, #slm.dims<"batch">>, %b: tensor<64x32xf16>, %c: tensor<?x1xf16, #slm.dims<"batch">>) -> tensor<?x32xf16, #slm.dims<"batch">> {
  %0 = slm.gemm %a, %b, %c {transA = true} : (tensor<64x?xf16, #slm.dims<"batch">>, tensor<64x32xf16>, tensor<?x1xf16, #slm.dims<"batch">>) -> tensor<?x32xf16, #slm.dims<"batch">>
  return %0 : tensor<?x32xf16, #slm.dims<"batch">>
}
