// RUN: slmc-opt --slm-fuse-attention --split-input-file %s | FileCheck %s

// Causal masks as the TorchScript exporter writes HF eager attention
// (ts-attention.test has the real exports): Llama's
// triu(full([S, T], finfo.min), T - S + 1) added to the scores, and GPT-2's
// where(bias[:, :, T - S:T, :T], scores, finfo.min) of a constant
// lower-triangular bias. Near misses stay unfused.

// Llama: triu(full(lowest), T - S + 1) = triu(.., p + 1).
// CHECK-LABEL: func @triu_causal
// CHECK: %[[O:.*]], %[[PK:.*]], %[[PV:.*]] = slm.attention %arg0, %arg1, %arg2 past(%arg3, %arg4) {mask = "causal", scale = 0.3535533{{[0-9]*}} : f64}
// CHECK-NOT: slm.softmax
// CHECK: return %[[O]], %[[PK]], %[[PV]]
!q = tensor<1x2x?x8xf32, #slm.dims<"s">>
!past = tensor<1x2x?x8xf32, #slm.dims<"p">>
!pres = tensor<1x2x?x8xf32, #slm.dims<"p + s">>
!sc = tensor<1x2x?x?xf32, #slm.dims<"s", "p + s">>
!m2 = tensor<?x?xf32, #slm.dims<"s", "p + s">>
!m4 = tensor<1x1x?x?xf32, #slm.dims<"s", "p + s">>
!c4 = tensor<1x1x?x?xi1, #slm.dims<"s", "p + s">>
func.func @triu_causal(%q: !q, %k: !q, %v: !q, %pk: !past, %pv: !past) -> (!q, !pres, !pres) {
  %lowest = slm.constant dense<-3.40282347E+38> : tensor<f32>
  %scale = slm.constant dense<2.82842708> : tensor<f32>
  %kc = slm.concat %pk, %k {axis = 2 : i64} : (!past, !q) -> !pres
  %vc = slm.concat %pv, %v {axis = 2 : i64} : (!past, !q) -> !pres
  %kt = slm.transpose %kc {perm = array<i64: 0, 1, 3, 2>} : (!pres) -> tensor<1x2x8x?xf32, #slm.dims<"p + s">>
  %s0 = slm.matmul %q, %kt : (!q, tensor<1x2x8x?xf32, #slm.dims<"p + s">>) -> !sc
  %s1 = slm.div %s0, %scale : (!sc, tensor<f32>) -> !sc
  %full = slm.constant_of_shape {value = -3.40282347E+38 : f32} : () -> !m2
  %tri = slm.trilu %full {k = #slm.dims<"p + 1">} : (!m2) -> !m2
  %m3 = slm.unsqueeze %tri {axes = array<i64: 0>} : (!m2) -> tensor<1x?x?xf32, #slm.dims<"s", "p + s">>
  %mask = slm.unsqueeze %m3 {axes = array<i64: 1>} : (tensor<1x?x?xf32, #slm.dims<"s", "p + s">>) -> !m4
  %s2 = slm.add %s1, %mask : (!sc, !m4) -> !sc
  %p = slm.softmax %s2 {axis = 3 : i64} : (!sc) -> !sc
  %o = slm.matmul %p, %vc : (!sc, !pres) -> !q
  return %o, %kc, %vc : !q, !pres, !pres
}

// -----

// k = T - S also masks the diagonal: unfused.
// CHECK-LABEL: func @triu_diagonal_masked
// CHECK-NOT: slm.attention
// CHECK: slm.softmax
!q = tensor<1x2x?x8xf32, #slm.dims<"s">>
!past = tensor<1x2x?x8xf32, #slm.dims<"p">>
!pres = tensor<1x2x?x8xf32, #slm.dims<"p + s">>
!sc = tensor<1x2x?x?xf32, #slm.dims<"s", "p + s">>
!m2 = tensor<?x?xf32, #slm.dims<"s", "p + s">>
!m4 = tensor<1x1x?x?xf32, #slm.dims<"s", "p + s">>
!c4 = tensor<1x1x?x?xi1, #slm.dims<"s", "p + s">>
func.func @triu_diagonal_masked(%q: !q, %k: !q, %v: !q, %pk: !past, %pv: !past) -> (!q, !pres, !pres) {
  %lowest = slm.constant dense<-3.40282347E+38> : tensor<f32>
  %scale = slm.constant dense<2.82842708> : tensor<f32>
  %kc = slm.concat %pk, %k {axis = 2 : i64} : (!past, !q) -> !pres
  %vc = slm.concat %pv, %v {axis = 2 : i64} : (!past, !q) -> !pres
  %kt = slm.transpose %kc {perm = array<i64: 0, 1, 3, 2>} : (!pres) -> tensor<1x2x8x?xf32, #slm.dims<"p + s">>
  %s0 = slm.matmul %q, %kt : (!q, tensor<1x2x8x?xf32, #slm.dims<"p + s">>) -> !sc
  %s1 = slm.div %s0, %scale : (!sc, tensor<f32>) -> !sc
  %full = slm.constant_of_shape {value = -3.40282347E+38 : f32} : () -> !m2
  %tri = slm.trilu %full {k = #slm.dims<"p">} : (!m2) -> !m2
  %m3 = slm.unsqueeze %tri {axes = array<i64: 0>} : (!m2) -> tensor<1x?x?xf32, #slm.dims<"s", "p + s">>
  %mask = slm.unsqueeze %m3 {axes = array<i64: 1>} : (tensor<1x?x?xf32, #slm.dims<"s", "p + s">>) -> !m4
  %s2 = slm.add %s1, %mask : (!sc, !m4) -> !sc
  %p = slm.softmax %s2 {axis = 3 : i64} : (!sc) -> !sc
  %o = slm.matmul %p, %vc : (!sc, !pres) -> !q
  return %o, %kc, %vc : !q, !pres, !pres
}

// -----

// The lower triangle masked out (upper = false): unfused.
// CHECK-LABEL: func @tril_mask
// CHECK-NOT: slm.attention
// CHECK: slm.softmax
!q = tensor<1x2x?x8xf32, #slm.dims<"s">>
!past = tensor<1x2x?x8xf32, #slm.dims<"p">>
!pres = tensor<1x2x?x8xf32, #slm.dims<"p + s">>
!sc = tensor<1x2x?x?xf32, #slm.dims<"s", "p + s">>
!m2 = tensor<?x?xf32, #slm.dims<"s", "p + s">>
!m4 = tensor<1x1x?x?xf32, #slm.dims<"s", "p + s">>
!c4 = tensor<1x1x?x?xi1, #slm.dims<"s", "p + s">>
func.func @tril_mask(%q: !q, %k: !q, %v: !q, %pk: !past, %pv: !past) -> (!q, !pres, !pres) {
  %lowest = slm.constant dense<-3.40282347E+38> : tensor<f32>
  %scale = slm.constant dense<2.82842708> : tensor<f32>
  %kc = slm.concat %pk, %k {axis = 2 : i64} : (!past, !q) -> !pres
  %vc = slm.concat %pv, %v {axis = 2 : i64} : (!past, !q) -> !pres
  %kt = slm.transpose %kc {perm = array<i64: 0, 1, 3, 2>} : (!pres) -> tensor<1x2x8x?xf32, #slm.dims<"p + s">>
  %s0 = slm.matmul %q, %kt : (!q, tensor<1x2x8x?xf32, #slm.dims<"p + s">>) -> !sc
  %s1 = slm.div %s0, %scale : (!sc, tensor<f32>) -> !sc
  %full = slm.constant_of_shape {value = -3.40282347E+38 : f32} : () -> !m2
  %tri = slm.trilu %full {k = #slm.dims<"p + 1">, upper = false} : (!m2) -> !m2
  %m3 = slm.unsqueeze %tri {axes = array<i64: 0>} : (!m2) -> tensor<1x?x?xf32, #slm.dims<"s", "p + s">>
  %mask = slm.unsqueeze %m3 {axes = array<i64: 1>} : (tensor<1x?x?xf32, #slm.dims<"s", "p + s">>) -> !m4
  %s2 = slm.add %s1, %mask : (!sc, !m4) -> !sc
  %p = slm.softmax %s2 {axis = 3 : i64} : (!sc) -> !sc
  %o = slm.matmul %p, %vc : (!sc, !pres) -> !q
  return %o, %kc, %vc : !q, !pres, !pres
}

// -----

// A finite penalty (-1) is not a mask: unfused.
// CHECK-LABEL: func @triu_small_value
// CHECK-NOT: slm.attention
// CHECK: slm.softmax
!q = tensor<1x2x?x8xf32, #slm.dims<"s">>
!past = tensor<1x2x?x8xf32, #slm.dims<"p">>
!pres = tensor<1x2x?x8xf32, #slm.dims<"p + s">>
!sc = tensor<1x2x?x?xf32, #slm.dims<"s", "p + s">>
!m2 = tensor<?x?xf32, #slm.dims<"s", "p + s">>
!m4 = tensor<1x1x?x?xf32, #slm.dims<"s", "p + s">>
!c4 = tensor<1x1x?x?xi1, #slm.dims<"s", "p + s">>
func.func @triu_small_value(%q: !q, %k: !q, %v: !q, %pk: !past, %pv: !past) -> (!q, !pres, !pres) {
  %lowest = slm.constant dense<-3.40282347E+38> : tensor<f32>
  %scale = slm.constant dense<2.82842708> : tensor<f32>
  %kc = slm.concat %pk, %k {axis = 2 : i64} : (!past, !q) -> !pres
  %vc = slm.concat %pv, %v {axis = 2 : i64} : (!past, !q) -> !pres
  %kt = slm.transpose %kc {perm = array<i64: 0, 1, 3, 2>} : (!pres) -> tensor<1x2x8x?xf32, #slm.dims<"p + s">>
  %s0 = slm.matmul %q, %kt : (!q, tensor<1x2x8x?xf32, #slm.dims<"p + s">>) -> !sc
  %s1 = slm.div %s0, %scale : (!sc, tensor<f32>) -> !sc
  %full = slm.constant_of_shape {value = -1.000000e+00 : f32} : () -> !m2
  %tri = slm.trilu %full {k = #slm.dims<"p + 1">} : (!m2) -> !m2
  %m3 = slm.unsqueeze %tri {axes = array<i64: 0>} : (!m2) -> tensor<1x?x?xf32, #slm.dims<"s", "p + s">>
  %mask = slm.unsqueeze %m3 {axes = array<i64: 1>} : (tensor<1x?x?xf32, #slm.dims<"s", "p + s">>) -> !m4
  %s2 = slm.add %s1, %mask : (!sc, !m4) -> !sc
  %p = slm.softmax %s2 {axis = 3 : i64} : (!sc) -> !sc
  %o = slm.matmul %p, %vc : (!sc, !pres) -> !q
  return %o, %kc, %vc : !q, !pres, !pres
}

// -----

// GPT-2: where(bias[:, :, p:p+s, :p+s], scores, lowest).
// CHECK-LABEL: func @tril_bias_causal
// CHECK: %[[O:.*]], %[[PK:.*]], %[[PV:.*]] = slm.attention %arg0, %arg1, %arg2 past(%arg3, %arg4) {mask = "causal", scale = 0.3535533{{[0-9]*}} : f64}
// CHECK-NOT: slm.softmax
// CHECK: return %[[O]], %[[PK]], %[[PV]]
!q = tensor<1x2x?x8xf32, #slm.dims<"s">>
!past = tensor<1x2x?x8xf32, #slm.dims<"p">>
!pres = tensor<1x2x?x8xf32, #slm.dims<"p + s">>
!sc = tensor<1x2x?x?xf32, #slm.dims<"s", "p + s">>
!m2 = tensor<?x?xf32, #slm.dims<"s", "p + s">>
!m4 = tensor<1x1x?x?xf32, #slm.dims<"s", "p + s">>
!c4 = tensor<1x1x?x?xi1, #slm.dims<"s", "p + s">>
func.func @tril_bias_causal(%q: !q, %k: !q, %v: !q, %pk: !past, %pv: !past) -> (!q, !pres, !pres) {
  %lowest = slm.constant dense<-3.40282347E+38> : tensor<f32>
  %scale = slm.constant dense<2.82842708> : tensor<f32>
  %kc = slm.concat %pk, %k {axis = 2 : i64} : (!past, !q) -> !pres
  %vc = slm.concat %pv, %v {axis = 2 : i64} : (!past, !q) -> !pres
  %kt = slm.transpose %kc {perm = array<i64: 0, 1, 3, 2>} : (!pres) -> tensor<1x2x8x?xf32, #slm.dims<"p + s">>
  %s0 = slm.matmul %q, %kt : (!q, tensor<1x2x8x?xf32, #slm.dims<"p + s">>) -> !sc
  %s1 = slm.div %s0, %scale : (!sc, tensor<f32>) -> !sc
  %bias = slm.constant dense<[[[[true, false, false, false], [true, true, false, false], [true, true, true, false], [true, true, true, true]]]]> : tensor<1x1x4x4xi1>
  %rows = slm.slice %bias {ends = #slm.dims<"1", "1", "p + s", "4">, starts = #slm.dims<"0", "0", "p", "0">, steps = array<i64: 1, 1, 1, 1>} : (tensor<1x1x4x4xi1>) -> tensor<1x1x?x4xi1, #slm.dims<"s">>
  %cond = slm.slice %rows {ends = #slm.dims<"1", "1", "s", "p + s">, starts = #slm.dims<"0", "0", "0", "0">, steps = array<i64: 1, 1, 1, 1>} : (tensor<1x1x?x4xi1, #slm.dims<"s">>) -> !c4
  %s2 = slm.where %cond, %s1, %lowest : (!c4, !sc, tensor<f32>) -> !sc
  %p = slm.softmax %s2 {axis = 3 : i64} : (!sc) -> !sc
  %o = slm.matmul %p, %vc : (!sc, !pres) -> !q
  return %o, %kc, %vc : !q, !pres, !pres
}

// -----

// Rows 0..S of the bias with a past: not causal: unfused.
// CHECK-LABEL: func @tril_bias_rows_from_0
// CHECK-NOT: slm.attention
// CHECK: slm.softmax
!q = tensor<1x2x?x8xf32, #slm.dims<"s">>
!past = tensor<1x2x?x8xf32, #slm.dims<"p">>
!pres = tensor<1x2x?x8xf32, #slm.dims<"p + s">>
!sc = tensor<1x2x?x?xf32, #slm.dims<"s", "p + s">>
!m2 = tensor<?x?xf32, #slm.dims<"s", "p + s">>
!m4 = tensor<1x1x?x?xf32, #slm.dims<"s", "p + s">>
!c4 = tensor<1x1x?x?xi1, #slm.dims<"s", "p + s">>
func.func @tril_bias_rows_from_0(%q: !q, %k: !q, %v: !q, %pk: !past, %pv: !past) -> (!q, !pres, !pres) {
  %lowest = slm.constant dense<-3.40282347E+38> : tensor<f32>
  %scale = slm.constant dense<2.82842708> : tensor<f32>
  %kc = slm.concat %pk, %k {axis = 2 : i64} : (!past, !q) -> !pres
  %vc = slm.concat %pv, %v {axis = 2 : i64} : (!past, !q) -> !pres
  %kt = slm.transpose %kc {perm = array<i64: 0, 1, 3, 2>} : (!pres) -> tensor<1x2x8x?xf32, #slm.dims<"p + s">>
  %s0 = slm.matmul %q, %kt : (!q, tensor<1x2x8x?xf32, #slm.dims<"p + s">>) -> !sc
  %s1 = slm.div %s0, %scale : (!sc, tensor<f32>) -> !sc
  %bias = slm.constant dense<[[[[true, false, false, false], [true, true, false, false], [true, true, true, false], [true, true, true, true]]]]> : tensor<1x1x4x4xi1>
  %rows = slm.slice %bias {ends = #slm.dims<"1", "1", "0 + s", "4">, starts = #slm.dims<"0", "0", "0", "0">, steps = array<i64: 1, 1, 1, 1>} : (tensor<1x1x4x4xi1>) -> tensor<1x1x?x4xi1, #slm.dims<"s">>
  %cond = slm.slice %rows {ends = #slm.dims<"1", "1", "s", "p + s">, starts = #slm.dims<"0", "0", "0", "0">, steps = array<i64: 1, 1, 1, 1>} : (tensor<1x1x?x4xi1, #slm.dims<"s">>) -> !c4
  %s2 = slm.where %cond, %s1, %lowest : (!c4, !sc, tensor<f32>) -> !sc
  %p = slm.softmax %s2 {axis = 3 : i64} : (!sc) -> !sc
  %o = slm.matmul %p, %vc : (!sc, !pres) -> !q
  return %o, %kc, %vc : !q, !pres, !pres
}

// -----

// A bias that is not lower-triangular: unfused.
// CHECK-LABEL: func @bias_not_tril
// CHECK-NOT: slm.attention
// CHECK: slm.softmax
!q = tensor<1x2x?x8xf32, #slm.dims<"s">>
!past = tensor<1x2x?x8xf32, #slm.dims<"p">>
!pres = tensor<1x2x?x8xf32, #slm.dims<"p + s">>
!sc = tensor<1x2x?x?xf32, #slm.dims<"s", "p + s">>
!m2 = tensor<?x?xf32, #slm.dims<"s", "p + s">>
!m4 = tensor<1x1x?x?xf32, #slm.dims<"s", "p + s">>
!c4 = tensor<1x1x?x?xi1, #slm.dims<"s", "p + s">>
func.func @bias_not_tril(%q: !q, %k: !q, %v: !q, %pk: !past, %pv: !past) -> (!q, !pres, !pres) {
  %lowest = slm.constant dense<-3.40282347E+38> : tensor<f32>
  %scale = slm.constant dense<2.82842708> : tensor<f32>
  %kc = slm.concat %pk, %k {axis = 2 : i64} : (!past, !q) -> !pres
  %vc = slm.concat %pv, %v {axis = 2 : i64} : (!past, !q) -> !pres
  %kt = slm.transpose %kc {perm = array<i64: 0, 1, 3, 2>} : (!pres) -> tensor<1x2x8x?xf32, #slm.dims<"p + s">>
  %s0 = slm.matmul %q, %kt : (!q, tensor<1x2x8x?xf32, #slm.dims<"p + s">>) -> !sc
  %s1 = slm.div %s0, %scale : (!sc, tensor<f32>) -> !sc
  %bias = slm.constant dense<[[[[true, false, false, false], [true, true, false, false], [true, false, true, false], [true, true, true, true]]]]> : tensor<1x1x4x4xi1>
  %rows = slm.slice %bias {ends = #slm.dims<"1", "1", "p + s", "4">, starts = #slm.dims<"0", "0", "p", "0">, steps = array<i64: 1, 1, 1, 1>} : (tensor<1x1x4x4xi1>) -> tensor<1x1x?x4xi1, #slm.dims<"s">>
  %cond = slm.slice %rows {ends = #slm.dims<"1", "1", "s", "p + s">, starts = #slm.dims<"0", "0", "0", "0">, steps = array<i64: 1, 1, 1, 1>} : (tensor<1x1x?x4xi1, #slm.dims<"s">>) -> !c4
  %s2 = slm.where %cond, %s1, %lowest : (!c4, !sc, tensor<f32>) -> !sc
  %p = slm.softmax %s2 {axis = 3 : i64} : (!sc) -> !sc
  %o = slm.matmul %p, %vc : (!sc, !pres) -> !q
  return %o, %kc, %vc : !q, !pres, !pres
}

// -----

// transformers 4.3x: concat(zeros [S, P], where(arange < (arange + 1).view(S, 1), 0,
// full(lowest))).
// CHECK-LABEL: func @fill_causal
// CHECK: %[[O:.*]], %[[PK:.*]], %[[PV:.*]] = slm.attention %arg0, %arg1, %arg2 past(%arg3, %arg4) {mask = "causal", scale = 0.3535533{{[0-9]*}} : f64}
// CHECK-NOT: slm.softmax
// CHECK: return %[[O]], %[[PK]], %[[PV]]
!q = tensor<1x2x?x8xf32, #slm.dims<"s">>
!past = tensor<1x2x?x8xf32, #slm.dims<"p">>
!pres = tensor<1x2x?x8xf32, #slm.dims<"p + s">>
!sc = tensor<1x2x?x?xf32, #slm.dims<"s", "p + s">>
!m2 = tensor<?x?xf32, #slm.dims<"s", "p + s">>
!ss = tensor<?x?xf32, #slm.dims<"s", "s">>
!m4 = tensor<1x1x?x?xf32, #slm.dims<"s", "p + s">>
func.func @fill_causal(%q: !q, %k: !q, %v: !q, %pk: !past, %pv: !past) -> (!q, !pres, !pres) {
  %scale = slm.constant dense<2.82842708> : tensor<f32>
  %kc = slm.concat %pk, %k {axis = 2 : i64} : (!past, !q) -> !pres
  %vc = slm.concat %pv, %v {axis = 2 : i64} : (!past, !q) -> !pres
  %kt = slm.transpose %kc {perm = array<i64: 0, 1, 3, 2>} : (!pres) -> tensor<1x2x8x?xf32, #slm.dims<"p + s">>
  %s0 = slm.matmul %q, %kt : (!q, tensor<1x2x8x?xf32, #slm.dims<"p + s">>) -> !sc
  %s1 = slm.div %s0, %scale : (!sc, tensor<f32>) -> !sc
  %zero = slm.constant dense<0.000000e+00> : tensor<f32>
  %full = slm.constant_of_shape {value = -3.40282347E+38 : f32} : () -> !ss
  %kr = slm.range <"0"> {delta = 1 : i64} : tensor<?xi64, #slm.dims<"s">>
  %qr = slm.range <"1"> {delta = 1 : i64} : tensor<?xi64, #slm.dims<"s">>
  %qc = slm.reshape %qr : (tensor<?xi64, #slm.dims<"s">>) -> tensor<?x1xi64, #slm.dims<"s">>
  %cond = slm.less %kr, %qc : (tensor<?xi64, #slm.dims<"s">>, tensor<?x1xi64, #slm.dims<"s">>) -> tensor<?x?xi1, #slm.dims<"s", "s">>
  %sq = slm.where %cond, %zero, %full : (tensor<?x?xi1, #slm.dims<"s", "s">>, tensor<f32>, !ss) -> !ss
  %pz = slm.constant_of_shape {value = 0.000000e+00 : f32} : () -> tensor<?x?xf32, #slm.dims<"s", "p">>
  %m2 = slm.concat %pz, %sq {axis = 1 : i64} : (tensor<?x?xf32, #slm.dims<"s", "p">>, !ss) -> !m2
  %m3 = slm.unsqueeze %m2 {axes = array<i64: 0>} : (!m2) -> tensor<1x?x?xf32, #slm.dims<"s", "p + s">>
  %mask = slm.unsqueeze %m3 {axes = array<i64: 1>} : (tensor<1x?x?xf32, #slm.dims<"s", "p + s">>) -> !m4
  %s2 = slm.add %s1, %mask : (!sc, !m4) -> !sc
  %p = slm.softmax %s2 {axis = 3 : i64} : (!sc) -> !sc
  %o = slm.matmul %p, %vc : (!sc, !pres) -> !q
  return %o, %kc, %vc : !q, !pres, !pres
}

// -----

// arange < arange.view(S, 1) also masks the diagonal: unfused.
// CHECK-LABEL: func @fill_diagonal_masked
// CHECK-NOT: slm.attention
// CHECK: slm.softmax
!q = tensor<1x2x?x8xf32, #slm.dims<"s">>
!past = tensor<1x2x?x8xf32, #slm.dims<"p">>
!pres = tensor<1x2x?x8xf32, #slm.dims<"p + s">>
!sc = tensor<1x2x?x?xf32, #slm.dims<"s", "p + s">>
!m2 = tensor<?x?xf32, #slm.dims<"s", "p + s">>
!ss = tensor<?x?xf32, #slm.dims<"s", "s">>
!m4 = tensor<1x1x?x?xf32, #slm.dims<"s", "p + s">>
func.func @fill_diagonal_masked(%q: !q, %k: !q, %v: !q, %pk: !past, %pv: !past) -> (!q, !pres, !pres) {
  %scale = slm.constant dense<2.82842708> : tensor<f32>
  %kc = slm.concat %pk, %k {axis = 2 : i64} : (!past, !q) -> !pres
  %vc = slm.concat %pv, %v {axis = 2 : i64} : (!past, !q) -> !pres
  %kt = slm.transpose %kc {perm = array<i64: 0, 1, 3, 2>} : (!pres) -> tensor<1x2x8x?xf32, #slm.dims<"p + s">>
  %s0 = slm.matmul %q, %kt : (!q, tensor<1x2x8x?xf32, #slm.dims<"p + s">>) -> !sc
  %s1 = slm.div %s0, %scale : (!sc, tensor<f32>) -> !sc
  %zero = slm.constant dense<0.000000e+00> : tensor<f32>
  %full = slm.constant_of_shape {value = -3.40282347E+38 : f32} : () -> !ss
  %kr = slm.range <"0"> {delta = 1 : i64} : tensor<?xi64, #slm.dims<"s">>
  %qr = slm.range <"0"> {delta = 1 : i64} : tensor<?xi64, #slm.dims<"s">>
  %qc = slm.reshape %qr : (tensor<?xi64, #slm.dims<"s">>) -> tensor<?x1xi64, #slm.dims<"s">>
  %cond = slm.less %kr, %qc : (tensor<?xi64, #slm.dims<"s">>, tensor<?x1xi64, #slm.dims<"s">>) -> tensor<?x?xi1, #slm.dims<"s", "s">>
  %sq = slm.where %cond, %zero, %full : (tensor<?x?xi1, #slm.dims<"s", "s">>, tensor<f32>, !ss) -> !ss
  %pz = slm.constant_of_shape {value = 0.000000e+00 : f32} : () -> tensor<?x?xf32, #slm.dims<"s", "p">>
  %m2 = slm.concat %pz, %sq {axis = 1 : i64} : (tensor<?x?xf32, #slm.dims<"s", "p">>, !ss) -> !m2
  %m3 = slm.unsqueeze %m2 {axes = array<i64: 0>} : (!m2) -> tensor<1x?x?xf32, #slm.dims<"s", "p + s">>
  %mask = slm.unsqueeze %m3 {axes = array<i64: 1>} : (tensor<1x?x?xf32, #slm.dims<"s", "p + s">>) -> !m4
  %s2 = slm.add %s1, %mask : (!sc, !m4) -> !sc
  %p = slm.softmax %s2 {axis = 3 : i64} : (!sc) -> !sc
  %o = slm.matmul %p, %vc : (!sc, !pres) -> !q
  return %o, %kc, %vc : !q, !pres, !pres
}

// -----

// arange > arange + 1: the future visible: unfused.
// CHECK-LABEL: func @fill_anticausal
// CHECK-NOT: slm.attention
// CHECK: slm.softmax
!q = tensor<1x2x?x8xf32, #slm.dims<"s">>
!past = tensor<1x2x?x8xf32, #slm.dims<"p">>
!pres = tensor<1x2x?x8xf32, #slm.dims<"p + s">>
!sc = tensor<1x2x?x?xf32, #slm.dims<"s", "p + s">>
!m2 = tensor<?x?xf32, #slm.dims<"s", "p + s">>
!ss = tensor<?x?xf32, #slm.dims<"s", "s">>
!m4 = tensor<1x1x?x?xf32, #slm.dims<"s", "p + s">>
func.func @fill_anticausal(%q: !q, %k: !q, %v: !q, %pk: !past, %pv: !past) -> (!q, !pres, !pres) {
  %scale = slm.constant dense<2.82842708> : tensor<f32>
  %kc = slm.concat %pk, %k {axis = 2 : i64} : (!past, !q) -> !pres
  %vc = slm.concat %pv, %v {axis = 2 : i64} : (!past, !q) -> !pres
  %kt = slm.transpose %kc {perm = array<i64: 0, 1, 3, 2>} : (!pres) -> tensor<1x2x8x?xf32, #slm.dims<"p + s">>
  %s0 = slm.matmul %q, %kt : (!q, tensor<1x2x8x?xf32, #slm.dims<"p + s">>) -> !sc
  %s1 = slm.div %s0, %scale : (!sc, tensor<f32>) -> !sc
  %zero = slm.constant dense<0.000000e+00> : tensor<f32>
  %full = slm.constant_of_shape {value = -3.40282347E+38 : f32} : () -> !ss
  %kr = slm.range <"0"> {delta = 1 : i64} : tensor<?xi64, #slm.dims<"s">>
  %qr = slm.range <"1"> {delta = 1 : i64} : tensor<?xi64, #slm.dims<"s">>
  %qc = slm.reshape %qr : (tensor<?xi64, #slm.dims<"s">>) -> tensor<?x1xi64, #slm.dims<"s">>
  %cond = slm.greater %kr, %qc : (tensor<?xi64, #slm.dims<"s">>, tensor<?x1xi64, #slm.dims<"s">>) -> tensor<?x?xi1, #slm.dims<"s", "s">>
  %sq = slm.where %cond, %zero, %full : (tensor<?x?xi1, #slm.dims<"s", "s">>, tensor<f32>, !ss) -> !ss
  %pz = slm.constant_of_shape {value = 0.000000e+00 : f32} : () -> tensor<?x?xf32, #slm.dims<"s", "p">>
  %m2 = slm.concat %pz, %sq {axis = 1 : i64} : (tensor<?x?xf32, #slm.dims<"s", "p">>, !ss) -> !m2
  %m3 = slm.unsqueeze %m2 {axes = array<i64: 0>} : (!m2) -> tensor<1x?x?xf32, #slm.dims<"s", "p + s">>
  %mask = slm.unsqueeze %m3 {axes = array<i64: 1>} : (tensor<1x?x?xf32, #slm.dims<"s", "p + s">>) -> !m4
  %s2 = slm.add %s1, %mask : (!sc, !m4) -> !sc
  %p = slm.softmax %s2 {axis = 3 : i64} : (!sc) -> !sc
  %o = slm.matmul %p, %vc : (!sc, !pres) -> !q
  return %o, %kc, %vc : !q, !pres, !pres
}

// -----

// The past columns filled with -1, not 0: unfused.
// CHECK-LABEL: func @fill_past_penalized
// CHECK-NOT: slm.attention
// CHECK: slm.softmax
!q = tensor<1x2x?x8xf32, #slm.dims<"s">>
!past = tensor<1x2x?x8xf32, #slm.dims<"p">>
!pres = tensor<1x2x?x8xf32, #slm.dims<"p + s">>
!sc = tensor<1x2x?x?xf32, #slm.dims<"s", "p + s">>
!m2 = tensor<?x?xf32, #slm.dims<"s", "p + s">>
!ss = tensor<?x?xf32, #slm.dims<"s", "s">>
!m4 = tensor<1x1x?x?xf32, #slm.dims<"s", "p + s">>
func.func @fill_past_penalized(%q: !q, %k: !q, %v: !q, %pk: !past, %pv: !past) -> (!q, !pres, !pres) {
  %scale = slm.constant dense<2.82842708> : tensor<f32>
  %kc = slm.concat %pk, %k {axis = 2 : i64} : (!past, !q) -> !pres
  %vc = slm.concat %pv, %v {axis = 2 : i64} : (!past, !q) -> !pres
  %kt = slm.transpose %kc {perm = array<i64: 0, 1, 3, 2>} : (!pres) -> tensor<1x2x8x?xf32, #slm.dims<"p + s">>
  %s0 = slm.matmul %q, %kt : (!q, tensor<1x2x8x?xf32, #slm.dims<"p + s">>) -> !sc
  %s1 = slm.div %s0, %scale : (!sc, tensor<f32>) -> !sc
  %zero = slm.constant dense<0.000000e+00> : tensor<f32>
  %full = slm.constant_of_shape {value = -3.40282347E+38 : f32} : () -> !ss
  %kr = slm.range <"0"> {delta = 1 : i64} : tensor<?xi64, #slm.dims<"s">>
  %qr = slm.range <"1"> {delta = 1 : i64} : tensor<?xi64, #slm.dims<"s">>
  %qc = slm.reshape %qr : (tensor<?xi64, #slm.dims<"s">>) -> tensor<?x1xi64, #slm.dims<"s">>
  %cond = slm.less %kr, %qc : (tensor<?xi64, #slm.dims<"s">>, tensor<?x1xi64, #slm.dims<"s">>) -> tensor<?x?xi1, #slm.dims<"s", "s">>
  %sq = slm.where %cond, %zero, %full : (tensor<?x?xi1, #slm.dims<"s", "s">>, tensor<f32>, !ss) -> !ss
  %pz = slm.constant_of_shape {value = -1.000000e+00 : f32} : () -> tensor<?x?xf32, #slm.dims<"s", "p">>
  %m2 = slm.concat %pz, %sq {axis = 1 : i64} : (tensor<?x?xf32, #slm.dims<"s", "p">>, !ss) -> !m2
  %m3 = slm.unsqueeze %m2 {axes = array<i64: 0>} : (!m2) -> tensor<1x?x?xf32, #slm.dims<"s", "p + s">>
  %mask = slm.unsqueeze %m3 {axes = array<i64: 1>} : (tensor<1x?x?xf32, #slm.dims<"s", "p + s">>) -> !m4
  %s2 = slm.add %s1, %mask : (!sc, !m4) -> !sc
  %p = slm.softmax %s2 {axis = 3 : i64} : (!sc) -> !sc
  %o = slm.matmul %p, %vc : (!sc, !pres) -> !q
  return %o, %kc, %vc : !q, !pres, !pres
}
