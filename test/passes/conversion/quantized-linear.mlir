// RUN: slmc-opt %s --convert-slm-to-linalg -split-input-file | FileCheck %s
// RUN: slmc-opt %s --convert-slm-to-linalg --one-shot-bufferize="bufferize-function-boundaries" \
// RUN:   -split-input-file | FileCheck %s --check-prefix=BUF

// A quantized weight becomes an argument of packed bytes (tensor<?xi8>)
// that records its quantized type; the matmul becomes slm.linear_kernel
// on the input's rows ([s, 64] -> [s, 128] here), reshaped back.

// CHECK-LABEL: func.func @matmul
// CHECK-SAME: %[[W:[a-z0-9]+]]: tensor<?xi8> {bufferization.writable = false, slm.quantized_type = tensor<64x128xi4, #slm.quant<"int4-g32", axis = 0>>, slm.weight = "up"}
// CHECK: %[[ROWS:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : tensor<1x?x64xf32> into tensor<?x64xf32>
// CHECK: %[[INIT:.*]] = tensor.empty(%{{.*}}) : tensor<?x128xf32>
// CHECK: %[[Y:.*]] = slm.linear_kernel ins(%[[ROWS]], %[[W]] : tensor<?x64xf32>, tensor<?xi8>) outs(%[[INIT]] : tensor<?x128xf32>) {k = 64 : i64, n = 128 : i64, quant = #slm.quant<"int4-g32", axis = 0>} -> tensor<?x128xf32>
// CHECK: tensor.expand_shape %[[Y]] {{\[\[}}0, 1], [2]]
// BUF-LABEL: func.func @matmul
// BUF: slm.linear_kernel ins(%{{.*}}, %{{.*}} : memref<?x64xf32{{.*}}>, memref<?xi8{{.*}}>) outs(%{{.*}} : memref<?x128xf32{{.*}}>) {k = 64 : i64, n = 128 : i64, quant = #slm.quant<"int4-g32", axis = 0>}
// BUF-NOT: -> tensor
func.func @matmul(%x: tensor<1x?x64xf32, #slm.dims<"s">>) -> tensor<1x?x128xf32, #slm.dims<"s">> {
  %w = slm.weight @up : tensor<64x128xi4, #slm.quant<"int4-g32", axis = 0>>
  %y = slm.matmul %x, %w : (tensor<1x?x64xf32, #slm.dims<"s">>, tensor<64x128xi4, #slm.quant<"int4-g32", axis = 0>>) -> tensor<1x?x128xf32, #slm.dims<"s">>
  return %y : tensor<1x?x128xf32, #slm.dims<"s">>
}

// -----

// gemm with transB: the [N, K] weight has its reduction on axis 1; the bias
// is added after the kernel.

// CHECK-LABEL: func.func @gemm
// CHECK: %[[Y:.*]] = slm.linear_kernel ins(%{{.*}}, %{{.*}} : tensor<4x64xf32>, tensor<?xi8>) outs(%{{.*}} : tensor<4x32xf32>) {k = 64 : i64, n = 32 : i64, quant = #slm.quant<"w8a8-dynamic", axis = 1>} -> tensor<4x32xf32>
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[Y]], %{{.*}} : tensor<4x32xf32>, tensor<32xf32>)
func.func @gemm(%x: tensor<4x64xf32>) -> tensor<4x32xf32> {
  %w = slm.weight @wt : tensor<32x64xi8, #slm.quant<"w8a8-dynamic", axis = 1>>
  %b = slm.weight @bias : tensor<32xf32>
  %y = slm.gemm %x, %w, %b {transB = true} : (tensor<4x64xf32>, tensor<32x64xi8, #slm.quant<"w8a8-dynamic", axis = 1>>, tensor<32xf32>) -> tensor<4x32xf32>
  return %y : tensor<4x32xf32>
}

// -----

// A 1-D input is one row.

// CHECK-LABEL: func.func @vector
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [1, 64] : tensor<64xf32> into tensor<1x64xf32>
// CHECK: slm.linear_kernel ins(%{{.*}}, %{{.*}} : tensor<1x64xf32>, tensor<?xi8>) outs(%{{.*}} : tensor<1x16xf32>)
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1]] : tensor<1x16xf32> into tensor<16xf32>
func.func @vector(%x: tensor<64xf32>) -> tensor<16xf32> {
  %w = slm.weight @w : tensor<64x16xf16, #slm.quant<"f16", axis = 0>>
  %y = slm.matmul %x, %w : (tensor<64xf32>, tensor<64x16xf16, #slm.quant<"f16", axis = 0>>) -> tensor<16xf32>
  return %y : tensor<16xf32>
}

// -----

// An embedding lookup in a quantized table ([vocab, hidden], groups along
// hidden): indices wrapped and flattened to i64, one slm.quantized_gather,
// rows reshaped to [batch, seq, hidden].

// CHECK-LABEL: func.func @embedding
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1]] : tensor<?x?xi64> into tensor<?xi64>
// CHECK: %[[IDS:.*]] = linalg.generic {{.*}} ins(%[[FLAT]] : tensor<?xi64>)
// CHECK: arith.select
// CHECK: %[[ROWS:.*]] = slm.quantized_gather ins(%[[IDS]], %{{.*}} : tensor<?xi64>, tensor<?xi8>) outs(%{{.*}} : tensor<?x64xf32>) {k = 64 : i64, n = 512 : i64, quant = #slm.quant<"int4-g32", axis = 1>} -> tensor<?x64xf32>
// CHECK: tensor.expand_shape %[[ROWS]] {{\[\[}}0, 1], [2]]
func.func @embedding(%ids: tensor<?x?xi64, #slm.dims<"b", "s">>) -> tensor<?x?x64xf32, #slm.dims<"b", "s">> {
  %w = slm.weight @embed : tensor<512x64xi4, #slm.quant<"int4-g32", axis = 1>>
  %y = slm.gather %w, %ids {axis = 0 : i64} : (tensor<512x64xi4, #slm.quant<"int4-g32", axis = 1>>, tensor<?x?xi64, #slm.dims<"b", "s">>) -> tensor<?x?x64xf32, #slm.dims<"b", "s">>
  return %y : tensor<?x?x64xf32, #slm.dims<"b", "s">>
}
