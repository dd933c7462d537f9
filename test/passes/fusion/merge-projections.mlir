// RUN: slmc-opt %s --slm-merge-projections --split-input-file | FileCheck %s
// RUN: slmc-opt %s --slm-merge-projections --split-input-file --mlir-print-debuginfo | FileCheck %s --check-prefix=LOC

!x = tensor<?x?x64xf32, #slm.dims<"b", "s">>
!q = tensor<?x?x64xf32, #slm.dims<"b", "s">>
!kv = tensor<?x?x16xf32, #slm.dims<"b", "s">>

// Q/K/V of the same input (GQA: K and V narrower) become one projection on
// the concatenated weights, split afterwards; the location names all three.
// CHECK-LABEL: func @qkv
// CHECK-DAG: %[[WQ:.*]] = slm.weight @wq
// CHECK-DAG: %[[WK:.*]] = slm.weight @wk
// CHECK-DAG: %[[WV:.*]] = slm.weight @wv
// CHECK: %[[W:.*]] = slm.concat %[[WQ]], %[[WK]], %[[WV]] {axis = 1 : i64} : ({{.*}}) -> tensor<64x96xf32>
// CHECK: %[[P:.*]] = slm.linear %arg0, %[[W]] : ({{.*}}) -> tensor<?x?x96xf32, #slm.dims<"b", "s">>
// CHECK: %[[S:.*]]:3 = slm.split %[[P]] {axis = 2 : i64}
// CHECK: return %[[S]]#0, %[[S]]#1, %[[S]]#2
// LOC: loc("q_proj+k_proj+v_proj")
func.func @qkv(%x: !x) -> (!q, !kv, !kv) {
  %wq = slm.weight @wq : tensor<64x64xf32>
  %q = slm.linear %x, %wq : (!x, tensor<64x64xf32>) -> !q loc("q_proj")
  %wk = slm.weight @wk : tensor<64x16xf32>
  %k = slm.linear %x, %wk : (!x, tensor<64x16xf32>) -> !kv loc("k_proj")
  %wv = slm.weight @wv : tensor<64x16xf32>
  %v = slm.linear %x, %wv : (!x, tensor<64x16xf32>) -> !kv loc("v_proj")
  return %q, %k, %v : !q, !kv, !kv
}

// With biases (Qwen2): the biases are concatenated too.
// CHECK-LABEL: func @qkv_bias
// CHECK: %[[W:.*]] = slm.concat {{.*}} {axis = 1 : i64}
// CHECK: %[[B:.*]] = slm.concat {{.*}} {axis = 0 : i64} : ({{.*}}) -> tensor<80xf32>
// CHECK: slm.linear %arg0, %[[W]] bias %[[B]]
// CHECK: slm.split
func.func @qkv_bias(%x: !x) -> (!q, !kv) {
  %wq = slm.weight @wq : tensor<64x64xf32>
  %bq = slm.weight @bq : tensor<64xf32>
  %wk = slm.weight @wk : tensor<64x16xf32>
  %bk = slm.weight @bk : tensor<16xf32>
  %q = slm.linear %x, %wq bias %bq : (!x, tensor<64x64xf32>, tensor<64xf32>) -> !q
  %k = slm.linear %x, %wk bias %bk : (!x, tensor<64x16xf32>, tensor<16xf32>) -> !kv
  return %q, %k : !q, !kv
}

// A gated MLP's gate and up weights become one fused gate_up weight.
// CHECK-LABEL: func @gate_up
// CHECK: %[[GU:.*]] = slm.concat %{{.*}}, %{{.*}} {axis = 1 : i64} : ({{.*}}) -> tensor<64x256xf32>
// CHECK: slm.gated_mlp %arg0 gate %[[GU]] down %{{.*}} residual %arg1 {activation = "silu", fused_gate_up}
func.func @gate_up(%x: !x, %h: !x) -> !x {
  %wg = slm.weight @wg : tensor<64x128xf32>
  %wu = slm.weight @wu : tensor<64x128xf32>
  %wd = slm.weight @wd : tensor<128x64xf32>
  %m = slm.gated_mlp %x gate %wg up %wu down %wd residual %h {activation = "silu"} : (!x, tensor<64x128xf32>, tensor<64x128xf32>, tensor<128x64xf32>, !x) -> !x
  return %m : !x
}

// -----

!x = tensor<?x?x64xf32, #slm.dims<"b", "s">>
!q = tensor<?x?x64xf32, #slm.dims<"b", "s">>

// Must not merge: one has a bias and the other not; different inputs; a
// weight that is not stored (computed); a residual; different activations.
// CHECK-LABEL: func @no_merge
// CHECK-NOT: slm.concat
// CHECK-NOT: slm.split
func.func @no_merge(%x: !x, %x2: !x, %w3: tensor<64x64xf32>) -> (!q, !q, !q, !q, !q, !q, !q) {
  %w1 = slm.weight @w1 : tensor<64x64xf32>
  %w2 = slm.weight @w2 : tensor<64x64xf32>
  %b1 = slm.weight @b1 : tensor<64xf32>
  %a = slm.linear %x, %w1 bias %b1 : (!x, tensor<64x64xf32>, tensor<64xf32>) -> !q
  %b = slm.linear %x, %w2 : (!x, tensor<64x64xf32>) -> !q
  %c = slm.linear %x2, %w1 {activation = "silu"} : (!x, tensor<64x64xf32>) -> !q
  %d = slm.linear %x2, %w3 : (!x, tensor<64x64xf32>) -> !q
  %e = slm.linear %x2, %w2 residual %x : (!x, tensor<64x64xf32>, !x) -> !q
  %f = slm.linear %x2, %w2 {activation = "gelu"} : (!x, tensor<64x64xf32>) -> !q
  %g = slm.linear %x2, %w1 : (!x, tensor<64x64xf32>) -> !q
  return %a, %b, %c, %d, %e, %f, %g : !q, !q, !q, !q, !q, !q, !q
}
