// RUN: slmc-opt %s --split-input-file --slm-quantize=scheme=int4-g32 | FileCheck %s
// RUN: slmc-opt %s --split-input-file \
// RUN:   --slm-quantize="scheme=int8-channel overrides=lm_head=none,node_up=int4-g128-asym" \
// RUN:   | FileCheck %s --check-prefix=OVERRIDE
// RUN: slmc-opt %s --split-input-file --slm-quantize=scheme=none | FileCheck %s --check-prefix=NONE
// RUN: not slmc-opt %s --split-input-file --slm-quantize=scheme=int3 2>&1 \
// RUN:   | FileCheck %s --check-prefix=UNKNOWN
// RUN: not slmc-opt %s --split-input-file --slm-quantize="overrides=lm_head" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=BADOVERRIDE

// Projections get the scheme; the weight keeps its name and logical shape,
// the reduction axis is recorded. The matmul returned is the lm_head: int4
// schemes keep it at their output scheme, int8-channel.

// CHECK-LABEL: func @mlp
// CHECK-DAG: %[[UP:.*]] = slm.weight @up : tensor<64x128xi4, #slm.quant<"int4-g32", axis = 0>>
// CHECK-DAG: %[[HEAD:.*]] = slm.weight @head : tensor<128x512xi8, #slm.quant<"int8-channel", axis = 0>>
// CHECK-NOT: slm.weight {{.*}}xf32>
// CHECK: slm.matmul %arg0, %[[UP]] : (tensor<?x64xf32, #slm.dims<"s">>, tensor<64x128xi4, #slm.quant<"int4-g32", axis = 0>>) -> tensor<?x128xf32, #slm.dims<"s">>
// CHECK: slm.matmul %{{.*}}, %[[HEAD]]

// OVERRIDE-LABEL: func @mlp
// OVERRIDE-DAG: slm.weight @up : tensor<64x128xi4, #slm.quant<"int4-g128-asym", axis = 0>>
// OVERRIDE-DAG: slm.weight @head : tensor<128x512xf32>

// NONE-LABEL: func @mlp
// NONE-NOT: #slm.quant

// UNKNOWN: unknown quantization scheme 'int3' (known: none, f16, bf16, int8-channel
// BADOVERRIDE: quantization override 'lm_head' is not pattern=scheme

func.func @mlp(%x: tensor<?x64xf32, #slm.dims<"s">>) -> tensor<?x512xf32, #slm.dims<"s">> {
  %up = slm.weight @up : tensor<64x128xf32>
  %head = slm.weight @head : tensor<128x512xf32>
  %h = slm.matmul %x, %up : (tensor<?x64xf32, #slm.dims<"s">>, tensor<64x128xf32>) -> tensor<?x128xf32, #slm.dims<"s">> loc("node_up")
  %a = slm.silu %h : (tensor<?x128xf32, #slm.dims<"s">>) -> tensor<?x128xf32, #slm.dims<"s">>
  %y = slm.matmul %a, %head : (tensor<?x128xf32, #slm.dims<"s">>, tensor<128x512xf32>) -> tensor<?x512xf32, #slm.dims<"s">> loc("node_head")
  return %y : tensor<?x512xf32, #slm.dims<"s">>
}

// -----

// gemm: B transposed means its reduction is axis 1. Activations times
// activations (attention scores) and 1-D or non-f32 weights stay as they are.

// CHECK-LABEL: func @gemm_and_others
// CHECK: slm.weight @wt : tensor<32x64xi8, #slm.quant<"int8-channel", axis = 1>>
// CHECK: slm.weight @bias : tensor<32xf32>
// CHECK: slm.matmul %arg1, %arg2 : (tensor<2x8x16xf32>, tensor<2x16x8xf32>)
func.func @gemm_and_others(%x: tensor<4x64xf32>, %q: tensor<2x8x16xf32>, %k: tensor<2x16x8xf32>)
    -> (tensor<4x32xf32>, tensor<2x8x8xf32>) {
  %w = slm.weight @wt : tensor<32x64xf32>
  %b = slm.weight @bias : tensor<32xf32>
  %y = slm.gemm %x, %w, %b {transB = true} : (tensor<4x64xf32>, tensor<32x64xf32>, tensor<32xf32>) -> tensor<4x32xf32>
  %s = slm.matmul %q, %k : (tensor<2x8x16xf32>, tensor<2x16x8xf32>) -> tensor<2x8x8xf32>
  return %y, %s : tensor<4x32xf32>, tensor<2x8x8xf32>
}

// -----

// A weight shared by a quantized and an fp32 consumer (override) is kept
// for the fp32 one and quantized for the other.

// OVERRIDE-LABEL: func @shared
// OVERRIDE-DAG: %[[F:.*]] = slm.weight @w : tensor<64x64xf32>
// OVERRIDE-DAG: %[[Q:.*]] = slm.weight @w : tensor<64x64xi8, #slm.quant<"int8-channel", axis = 0>>
// OVERRIDE: slm.matmul %arg0, %[[Q]]
// OVERRIDE: slm.matmul %{{.*}}, %[[F]]
func.func @shared(%x: tensor<1x64xf32>) -> tensor<1x64xf32> {
  %w = slm.weight @w : tensor<64x64xf32>
  %h = slm.matmul %x, %w : (tensor<1x64xf32>, tensor<64x64xf32>) -> tensor<1x64xf32> loc("node_first")
  %y = slm.matmul %h, %w : (tensor<1x64xf32>, tensor<64x64xf32>) -> tensor<1x64xf32> loc("node_last")
  return %y : tensor<1x64xf32>
}

// -----

// Embedding tables are quantized along their rows (axis 1).

// CHECK-LABEL: func @embedding
// CHECK: slm.weight @embed : tensor<512x64xi4, #slm.quant<"int4-g32", axis = 1>>
// CHECK: slm.gather {{.*}} -> tensor<?x64xf32, #slm.dims<"s">>
func.func @embedding(%ids: tensor<?xi64, #slm.dims<"s">>) -> tensor<?x64xf32, #slm.dims<"s">> {
  %w = slm.weight @embed : tensor<512x64xf32>
  %y = slm.gather %w, %ids {axis = 0 : i64} : (tensor<512x64xf32>, tensor<?xi64, #slm.dims<"s">>) -> tensor<?x64xf32, #slm.dims<"s">>
  %z = slm.silu %y : (tensor<?x64xf32, #slm.dims<"s">>) -> tensor<?x64xf32, #slm.dims<"s">>
  return %z : tensor<?x64xf32, #slm.dims<"s">>
}

// -----

// A tied embedding: the table feeds the lookup and, transposed, the
// lm_head. Both quantize the table along its rows (the lm_head at int4's
// output scheme, int8-channel); the transpose carries the encoding with the
// axis swapped.

// CHECK-LABEL: func @tied
// CHECK-DAG: %[[H:.*]] = slm.weight @embed : tensor<512x64xi8, #slm.quant<"int8-channel", axis = 1>>
// CHECK-DAG: %[[W:.*]] = slm.weight @embed : tensor<512x64xi4, #slm.quant<"int4-g32", axis = 1>>
// CHECK: slm.gather %[[W]]
// CHECK: %[[T:.*]] = slm.transpose %[[H]] {perm = array<i64: 1, 0>} : (tensor<512x64xi8, #slm.quant<"int8-channel", axis = 1>>) -> tensor<64x512xi8, #slm.quant<"int8-channel", axis = 0>>
// CHECK: slm.matmul %{{.*}}, %[[T]]
func.func @tied(%ids: tensor<?xi64, #slm.dims<"s">>) -> tensor<?x512xf32, #slm.dims<"s">> {
  %w = slm.weight @embed : tensor<512x64xf32>
  %x = slm.gather %w, %ids {axis = 0 : i64} : (tensor<512x64xf32>, tensor<?xi64, #slm.dims<"s">>) -> tensor<?x64xf32, #slm.dims<"s">>
  %t = slm.transpose %w {perm = array<i64: 1, 0>} : (tensor<512x64xf32>) -> tensor<64x512xf32>
  %y = slm.matmul %x, %t : (tensor<?x64xf32, #slm.dims<"s">>, tensor<64x512xf32>) -> tensor<?x512xf32, #slm.dims<"s">>
  return %y : tensor<?x512xf32, #slm.dims<"s">>
}
