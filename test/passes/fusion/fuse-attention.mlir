// RUN: slmc-opt --slm-fuse-attention --split-input-file %s | FileCheck %s

// The dynamo decode form (tiny-llama-decode, one layer): GQA (4 query heads,
// 2 KV heads) via unsqueeze/expand/reshape, concat with the past, scale after
// the product, causal (position ranges) + padding (gather_nd of the
// attention_mask) additive mask.
// CHECK-LABEL: func @decode_gqa
// CHECK: %[[O:.*]], %[[PK:.*]], %[[PV:.*]] = slm.attention %arg0, %arg1, %arg2 past(%arg3, %arg4) mask(%arg5) {mask = "causal+padding", scale = 2.500000e-01 : f64}
// CHECK-NOT: slm.softmax
// CHECK: return %[[O]], %[[PK]], %[[PV]]
!q = tensor<1x4x?x16xf32, #slm.dims<"s">>
!kv = tensor<1x2x?x16xf32, #slm.dims<"s">>
!past = tensor<1x2x?x16xf32, #slm.dims<"p">>
!pres = tensor<1x2x?x16xf32, #slm.dims<"p + s">>
!rep = tensor<1x4x?x16xf32, #slm.dims<"p + s">>
!sc = tensor<1x4x?x?xf32, #slm.dims<"s", "p + s">>
!m = tensor<1x1x?x?xi1, #slm.dims<"s", "p + s">>
func.func @decode_gqa(%q: !q, %k: !kv, %v: !kv, %pk: !past, %pv: !past, %am: tensor<1x?xi64, #slm.dims<"t">>) -> (!q, !pres, !pres) {
  %zero4 = slm.constant dense<0> : tensor<1x1x1x1xi64>
  %true = slm.constant dense<true> : tensor<i1>
  %fzero = slm.constant dense<0.000000e+00> : tensor<f32>
  %lowest = slm.constant dense<-3.40282347E+38> : tensor<f32>
  %scale = slm.constant dense<2.500000e-01> : tensor<f32>
  %qr = slm.range <"p"> {delta = 1 : i64} : tensor<?xi64, #slm.dims<"s">>
  %q1 = slm.unsqueeze %qr {axes = array<i64: 0, 1>} : (tensor<?xi64, #slm.dims<"s">>) -> tensor<1x1x?xi64, #slm.dims<"s">>
  %qpos = slm.unsqueeze %q1 {axes = array<i64: 3>} : (tensor<1x1x?xi64, #slm.dims<"s">>) -> tensor<1x1x?x1xi64, #slm.dims<"s">>
  %kr = slm.range <"0"> {delta = 1 : i64} : tensor<?xi64, #slm.dims<"p + s">>
  %k1 = slm.unsqueeze %kr {axes = array<i64: 0, 1>} : (tensor<?xi64, #slm.dims<"p + s">>) -> tensor<1x1x?xi64, #slm.dims<"p + s">>
  %kpos = slm.unsqueeze %k1 {axes = array<i64: 2>} : (tensor<1x1x?xi64, #slm.dims<"p + s">>) -> tensor<1x1x1x?xi64, #slm.dims<"p + s">>
  %kidx = slm.unsqueeze %kpos {axes = array<i64: 4>} : (tensor<1x1x1x?xi64, #slm.dims<"p + s">>) -> tensor<1x1x1x?x1xi64, #slm.dims<"p + s">>
  %b0 = slm.expand %zero4 : (tensor<1x1x1x1xi64>) -> tensor<1x1x1x?xi64, #slm.dims<"p + s">>
  %bidx = slm.unsqueeze %b0 {axes = array<i64: 4>} : (tensor<1x1x1x?xi64, #slm.dims<"p + s">>) -> tensor<1x1x1x?x1xi64, #slm.dims<"p + s">>
  %idx = slm.concat %bidx, %kidx {axis = 4 : i64} : (tensor<1x1x1x?x1xi64, #slm.dims<"p + s">>, tensor<1x1x1x?x1xi64, #slm.dims<"p + s">>) -> tensor<1x1x1x?x2xi64, #slm.dims<"p + s">>
  %causal = slm.less_or_equal %kpos, %qpos : (tensor<1x1x1x?xi64, #slm.dims<"p + s">>, tensor<1x1x?x1xi64, #slm.dims<"s">>) -> !m
  %c2 = slm.and %causal, %true : (!m, tensor<i1>) -> !m
  %amb = slm.cast %am : (tensor<1x?xi64, #slm.dims<"t">>) -> tensor<1x?xi1, #slm.dims<"t">>
  %pad = slm.gather_nd %amb, %idx : (tensor<1x?xi1, #slm.dims<"t">>, tensor<1x1x1x?x2xi64, #slm.dims<"p + s">>) -> tensor<1x1x1x?xi1, #slm.dims<"p + s">>
  %cond = slm.and %c2, %pad : (!m, tensor<1x1x1x?xi1, #slm.dims<"p + s">>) -> !m
  %bias = slm.where %cond, %fzero, %lowest : (!m, tensor<f32>, tensor<f32>) -> tensor<1x1x?x?xf32, #slm.dims<"s", "p + s">>
  %kc = slm.concat %pk, %k {axis = 2 : i64} : (!past, !kv) -> !pres
  %ku = slm.unsqueeze %kc {axes = array<i64: 2>} : (!pres) -> tensor<1x2x1x?x16xf32, #slm.dims<"p + s">>
  %ke = slm.expand %ku : (tensor<1x2x1x?x16xf32, #slm.dims<"p + s">>) -> tensor<1x2x2x?x16xf32, #slm.dims<"p + s">>
  %kk = slm.reshape %ke : (tensor<1x2x2x?x16xf32, #slm.dims<"p + s">>) -> !rep
  %kt = slm.transpose %kk {perm = array<i64: 0, 1, 3, 2>} : (!rep) -> tensor<1x4x16x?xf32, #slm.dims<"p + s">>
  %vc = slm.concat %pv, %v {axis = 2 : i64} : (!past, !kv) -> !pres
  %vu = slm.unsqueeze %vc {axes = array<i64: 2>} : (!pres) -> tensor<1x2x1x?x16xf32, #slm.dims<"p + s">>
  %ve = slm.expand %vu : (tensor<1x2x1x?x16xf32, #slm.dims<"p + s">>) -> tensor<1x2x2x?x16xf32, #slm.dims<"p + s">>
  %vv = slm.reshape %ve : (tensor<1x2x2x?x16xf32, #slm.dims<"p + s">>) -> !rep
  %s0 = slm.matmul %q, %kt : (!q, tensor<1x4x16x?xf32, #slm.dims<"p + s">>) -> !sc
  %s1 = slm.mul %s0, %scale : (!sc, tensor<f32>) -> !sc
  %s2 = slm.add %s1, %bias : (!sc, tensor<1x1x?x?xf32, #slm.dims<"s", "p + s">>) -> !sc
  %p = slm.softmax %s2 {axis = 3 : i64} : (!sc) -> !sc
  %o = slm.matmul %p, %vv : (!sc, !rep) -> !q
  return %o, %kc, %vc : !q, !pres, !pres
}

// -----

// Prefill without GQA or past (GPT-2 shape), scale as a division: causal.
// CHECK-LABEL: func @prefill_causal
// CHECK: slm.attention %arg0, %arg1, %arg2 {mask = "causal", scale = 2.500000e-01 : f64}
// CHECK-NOT: slm.softmax
!t = tensor<?x4x?x16xf32, #slm.dims<"b", "s">>
!ss = tensor<?x4x?x?xf32, #slm.dims<"b", "s", "s">>
!mm = tensor<1x1x?x?xi1, #slm.dims<"s", "s">>
func.func @prefill_causal(%q: !t, %k: !t, %v: !t) -> !t {
  %fzero = slm.constant dense<0.000000e+00> : tensor<f32>
  %lowest = slm.constant dense<-3.40282347E+38> : tensor<f32>
  %four = slm.constant dense<4.000000e+00> : tensor<f32>
  %r = slm.range <"0"> {delta = 1 : i64} : tensor<?xi64, #slm.dims<"s">>
  %r1 = slm.unsqueeze %r {axes = array<i64: 0, 1>} : (tensor<?xi64, #slm.dims<"s">>) -> tensor<1x1x?xi64, #slm.dims<"s">>
  %kpos = slm.unsqueeze %r1 {axes = array<i64: 2>} : (tensor<1x1x?xi64, #slm.dims<"s">>) -> tensor<1x1x1x?xi64, #slm.dims<"s">>
  %qpos = slm.unsqueeze %r1 {axes = array<i64: 3>} : (tensor<1x1x?xi64, #slm.dims<"s">>) -> tensor<1x1x?x1xi64, #slm.dims<"s">>
  %cond = slm.less_or_equal %kpos, %qpos : (tensor<1x1x1x?xi64, #slm.dims<"s">>, tensor<1x1x?x1xi64, #slm.dims<"s">>) -> !mm
  %bias = slm.where %cond, %fzero, %lowest : (!mm, tensor<f32>, tensor<f32>) -> tensor<1x1x?x?xf32, #slm.dims<"s", "s">>
  %kt = slm.transpose %k {perm = array<i64: 0, 1, 3, 2>} : (!t) -> tensor<?x4x16x?xf32, #slm.dims<"b", "s">>
  %s0 = slm.matmul %q, %kt : (!t, tensor<?x4x16x?xf32, #slm.dims<"b", "s">>) -> !ss
  %s1 = slm.div %s0, %four : (!ss, tensor<f32>) -> !ss
  %s2 = slm.add %bias, %s1 : (tensor<1x1x?x?xf32, #slm.dims<"s", "s">>, !ss) -> !ss
  %p = slm.softmax %s2 {axis = 3 : i64} : (!ss) -> !ss
  %o = slm.matmul %p, %v : (!ss, !t) -> !t
  return %o : !t
}

// -----

// Negative: an arbitrary constant mask is not causal.
// CHECK-LABEL: func @constant_mask
// CHECK-NOT: slm.attention
// CHECK: slm.softmax
func.func @constant_mask(%q: tensor<1x2x3x8xf32>, %k: tensor<1x2x3x8xf32>, %v: tensor<1x2x3x8xf32>) -> tensor<1x2x3x8xf32> {
  %cond = slm.constant dense<[[[[true, false, true], [true, true, false], [false, true, true]]]]> : tensor<1x1x3x3xi1>
  %fzero = slm.constant dense<0.000000e+00> : tensor<f32>
  %lowest = slm.constant dense<-3.40282347E+38> : tensor<f32>
  %bias = slm.where %cond, %fzero, %lowest : (tensor<1x1x3x3xi1>, tensor<f32>, tensor<f32>) -> tensor<1x1x3x3xf32>
  %kt = slm.transpose %k {perm = array<i64: 0, 1, 3, 2>} : (tensor<1x2x3x8xf32>) -> tensor<1x2x8x3xf32>
  %s0 = slm.matmul %q, %kt : (tensor<1x2x3x8xf32>, tensor<1x2x8x3xf32>) -> tensor<1x2x3x3xf32>
  %s2 = slm.add %s0, %bias : (tensor<1x2x3x3xf32>, tensor<1x1x3x3xf32>) -> tensor<1x2x3x3xf32>
  %p = slm.softmax %s2 {axis = 3 : i64} : (tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %o = slm.matmul %p, %v : (tensor<1x2x3x3xf32>, tensor<1x2x3x8xf32>) -> tensor<1x2x3x8xf32>
  return %o : tensor<1x2x3x8xf32>
}

// -----

// Negative: softmax over the query axis.
// CHECK-LABEL: func @wrong_axis
// CHECK-NOT: slm.attention
func.func @wrong_axis(%q: tensor<1x2x3x8xf32>, %k: tensor<1x2x3x8xf32>, %v: tensor<1x2x3x8xf32>) -> tensor<1x2x3x8xf32> {
  %kt = slm.transpose %k {perm = array<i64: 0, 1, 3, 2>} : (tensor<1x2x3x8xf32>) -> tensor<1x2x8x3xf32>
  %s0 = slm.matmul %q, %kt : (tensor<1x2x3x8xf32>, tensor<1x2x8x3xf32>) -> tensor<1x2x3x3xf32>
  %p = slm.softmax %s0 {axis = 2 : i64} : (tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %o = slm.matmul %p, %v : (tensor<1x2x3x3xf32>, tensor<1x2x3x8xf32>) -> tensor<1x2x3x8xf32>
  return %o : tensor<1x2x3x8xf32>
}

// -----

// Negative: the scores are also returned (shared intermediate).
// CHECK-LABEL: func @shared_scores
// CHECK-NOT: slm.attention
func.func @shared_scores(%q: tensor<1x2x3x8xf32>, %k: tensor<1x2x3x8xf32>, %v: tensor<1x2x3x8xf32>) -> (tensor<1x2x3x8xf32>, tensor<1x2x3x3xf32>) {
  %kt = slm.transpose %k {perm = array<i64: 0, 1, 3, 2>} : (tensor<1x2x3x8xf32>) -> tensor<1x2x8x3xf32>
  %s0 = slm.matmul %q, %kt : (tensor<1x2x3x8xf32>, tensor<1x2x8x3xf32>) -> tensor<1x2x3x3xf32>
  %p = slm.softmax %s0 {axis = 3 : i64} : (tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %o = slm.matmul %p, %v : (tensor<1x2x3x3xf32>, tensor<1x2x3x8xf32>) -> tensor<1x2x3x8xf32>
  return %o, %s0 : tensor<1x2x3x8xf32>, tensor<1x2x3x3xf32>
}
