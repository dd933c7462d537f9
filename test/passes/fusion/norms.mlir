// RUN: slmc-opt %s --slm-fuse-norms | FileCheck %s

!t = tensor<?x?x64xf32, #slm.dims<"b", "s">>
!r = tensor<?x?x1xf32, #slm.dims<"b", "s">>
!s = tensor<f32>
!w = tensor<64xf32>

// Dynamo's Llama RMSNorm: pow, reduce_mean, add eps, sqrt, reciprocal, mul, mul w.
// CHECK-LABEL: func @rms_dynamo
// CHECK-NEXT: %[[R:.*]] = slm.rms_norm %arg0, %arg1 {axis = 2 : i64, epsilon = 9.99999974{{[0-9]*}}E-6 : f64}
// CHECK-NEXT: return %[[R]]
func.func @rms_dynamo(%x: !t, %w: !w) -> !t {
  %two = slm.constant dense<2.0> : tensor<f32>
  %eps = slm.constant dense<1.0e-5> : tensor<f32>
  %p = slm.pow %x, %two : (!t, !s) -> !t
  %m = slm.reduce_mean %p {axes = array<i64: 2>} : (!t) -> !r
  %a = slm.add %m, %eps : (!r, !s) -> !r
  %q = slm.sqrt %a : (!r) -> !r
  %rc = slm.reciprocal %q : (!r) -> !r
  %n = slm.mul %x, %rc : (!t, !r) -> !t
  %y = slm.mul %n, %w : (!t, !w) -> !t
  return %y : !t
}

// TorchScript's rsqrt: mul(x, x), eps on the left, div(1, sqrt), w * n.
// CHECK-LABEL: func @rms_torchscript
// CHECK-NEXT: %[[R:.*]] = slm.rms_norm %arg0, %arg1 {axis = 2 : i64, epsilon = 9.99999997{{[0-9]*}}E-7 : f64}
// CHECK-NEXT: return %[[R]]
func.func @rms_torchscript(%x: !t, %w: !w) -> !t {
  %eps = slm.constant dense<1.0e-6> : tensor<1xf32>
  %one = slm.constant dense<1.0> : tensor<f32>
  %p = slm.mul %x, %x : (!t, !t) -> !t
  %m = slm.reduce_mean %p {axes = array<i64: 2>} : (!t) -> !r
  %a = slm.add %eps, %m : (tensor<1xf32>, !r) -> !r
  %q = slm.sqrt %a : (!r) -> !r
  %rc = slm.div %one, %q : (!s, !r) -> !r
  %n = slm.mul %rc, %x : (!r, !t) -> !t
  %y = slm.mul %w, %n : (!w, !t) -> !t
  return %y : !t
}

// x / sqrt(mean(x^2) + eps), no weight: scale 1.
// CHECK-LABEL: func @rms_div_no_weight
// CHECK: %[[ONE:.*]] = slm.constant dense<1.000000e+00> : tensor<1xf32>
// CHECK-NEXT: %[[R:.*]] = slm.rms_norm %arg0, %[[ONE]] {axis = 2 : i64
// CHECK-NEXT: return %[[R]]
func.func @rms_div_no_weight(%x: !t) -> !t {
  %two = slm.constant dense<2.0> : tensor<f32>
  %eps = slm.constant dense<1.0e-5> : tensor<f32>
  %p = slm.pow %x, %two : (!t, !s) -> !t
  %m = slm.reduce_mean %p {axes = array<i64: 2>} : (!t) -> !r
  %a = slm.add %m, %eps : (!r, !s) -> !r
  %q = slm.sqrt %a : (!r) -> !r
  %n = slm.div %x, %q : (!t, !r) -> !t
  return %n : !t
}

// HF LlamaRMSNorm in f16: the casts stay outside, the weight multiply in f16
// stays after the cast back.
// CHECK-LABEL: func @rms_casts
// CHECK: %[[C:.*]] = slm.cast %arg0
// CHECK: %[[N:.*]] = slm.rms_norm %[[C]], %{{.*}} {axis = 2 : i64
// CHECK-NEXT: %[[B:.*]] = slm.cast %[[N]]
// CHECK-NEXT: %[[Y:.*]] = slm.mul %arg1, %[[B]]
// CHECK-NEXT: return %[[Y]]
func.func @rms_casts(%x: tensor<?x?x64xf16, #slm.dims<"b", "s">>, %w: tensor<64xf16>) -> tensor<?x?x64xf16, #slm.dims<"b", "s">> {
  %two = slm.constant dense<2.0> : tensor<f32>
  %eps = slm.constant dense<1.0e-5> : tensor<f32>
  %xf = slm.cast %x : (tensor<?x?x64xf16, #slm.dims<"b", "s">>) -> !t
  %p = slm.pow %xf, %two : (!t, !s) -> !t
  %m = slm.reduce_mean %p {axes = array<i64: 2>} : (!t) -> !r
  %a = slm.add %m, %eps : (!r, !s) -> !r
  %q = slm.sqrt %a : (!r) -> !r
  %rc = slm.reciprocal %q : (!r) -> !r
  %n = slm.mul %xf, %rc : (!t, !r) -> !t
  %b = slm.cast %n : (!t) -> tensor<?x?x64xf16, #slm.dims<"b", "s">>
  %y = slm.mul %w, %b : (tensor<64xf16>, tensor<?x?x64xf16, #slm.dims<"b", "s">>) -> tensor<?x?x64xf16, #slm.dims<"b", "s">>
  return %y : tensor<?x?x64xf16, #slm.dims<"b", "s">>
}

// Gemma: n * (1 + w): the scale operand is the add.
// CHECK-LABEL: func @rms_gemma
// CHECK: %[[S:.*]] = slm.add %arg1,
// CHECK-NEXT: %[[R:.*]] = slm.rms_norm %arg0, %[[S]] {axis = 2 : i64
// CHECK-NEXT: return %[[R]]
func.func @rms_gemma(%x: !t, %w: !w) -> !t {
  %two = slm.constant dense<2.0> : tensor<f32>
  %eps = slm.constant dense<1.0e-6> : tensor<f32>
  %one = slm.constant dense<1.0> : tensor<f32>
  %p = slm.pow %x, %two : (!t, !s) -> !t
  %m = slm.reduce_mean %p {axes = array<i64: 2>} : (!t) -> !r
  %a = slm.add %m, %eps : (!r, !s) -> !r
  %q = slm.sqrt %a : (!r) -> !r
  %rc = slm.reciprocal %q : (!r) -> !r
  %n = slm.mul %x, %rc : (!t, !r) -> !t
  %s = slm.add %w, %one : (!w, !s) -> !w
  %y = slm.mul %n, %s : (!t, !w) -> !t
  return %y : !t
}

// Reduction over dim 1, not the last: must not fuse.
// CHECK-LABEL: func @rms_wrong_axis
// CHECK: slm.reduce_mean
// CHECK-NOT: slm.rms_norm
func.func @rms_wrong_axis(%x: !t, %w: !w) -> !t {
  %two = slm.constant dense<2.0> : tensor<f32>
  %eps = slm.constant dense<1.0e-5> : tensor<f32>
  %p = slm.pow %x, %two : (!t, !s) -> !t
  %m = slm.reduce_mean %p {axes = array<i64: 1>} : (!t) -> tensor<?x1x64xf32, #slm.dims<"b">>
  %a = slm.add %m, %eps : (tensor<?x1x64xf32, #slm.dims<"b">>, !s) -> tensor<?x1x64xf32, #slm.dims<"b">>
  %q = slm.sqrt %a : (tensor<?x1x64xf32, #slm.dims<"b">>) -> tensor<?x1x64xf32, #slm.dims<"b">>
  %rc = slm.reciprocal %q : (tensor<?x1x64xf32, #slm.dims<"b">>) -> tensor<?x1x64xf32, #slm.dims<"b">>
  %n = slm.mul %x, %rc : (!t, tensor<?x1x64xf32, #slm.dims<"b">>) -> !t
  %y = slm.mul %n, %w : (!t, !w) -> !t
  return %y : !t
}

// eps is a runtime tensor (varies): must not fuse.
// CHECK-LABEL: func @rms_eps_tensor
// CHECK: slm.reduce_mean
// CHECK-NOT: slm.rms_norm
func.func @rms_eps_tensor(%x: !t, %w: !w, %eps: !s) -> !t {
  %two = slm.constant dense<2.0> : tensor<f32>
  %p = slm.pow %x, %two : (!t, !s) -> !t
  %m = slm.reduce_mean %p {axes = array<i64: 2>} : (!t) -> !r
  %a = slm.add %m, %eps : (!r, !s) -> !r
  %q = slm.sqrt %a : (!r) -> !r
  %rc = slm.reciprocal %q : (!r) -> !r
  %n = slm.mul %x, %rc : (!t, !r) -> !t
  %y = slm.mul %n, %w : (!t, !w) -> !t
  return %y : !t
}

// eps a constant but not one element (a per-row tensor): must not fuse.
// CHECK-LABEL: func @rms_eps_not_scalar
// CHECK-NOT: slm.rms_norm
func.func @rms_eps_not_scalar(%x: tensor<2x3x64xf32>) -> tensor<2x3x64xf32> {
  %two = slm.constant dense<2.0> : tensor<f32>
  %eps = slm.constant dense<[[[1.0e-5], [1.0e-5], [2.0e-5]]]> : tensor<1x3x1xf32>
  %p = slm.pow %x, %two : (tensor<2x3x64xf32>, !s) -> tensor<2x3x64xf32>
  %m = slm.reduce_mean %p {axes = array<i64: 2>} : (tensor<2x3x64xf32>) -> tensor<2x3x1xf32>
  %a = slm.add %m, %eps : (tensor<2x3x1xf32>, tensor<1x3x1xf32>) -> tensor<2x3x1xf32>
  %q = slm.sqrt %a : (tensor<2x3x1xf32>) -> tensor<2x3x1xf32>
  %rc = slm.reciprocal %q : (tensor<2x3x1xf32>) -> tensor<2x3x1xf32>
  %n = slm.mul %x, %rc : (tensor<2x3x64xf32>, tensor<2x3x1xf32>) -> tensor<2x3x64xf32>
  return %n : tensor<2x3x64xf32>
}

// The mean of squares is also returned: must not fuse.
// CHECK-LABEL: func @rms_shared_intermediate
// CHECK: slm.reduce_mean
// CHECK-NOT: slm.rms_norm
func.func @rms_shared_intermediate(%x: !t, %w: !w) -> (!t, !r) {
  %two = slm.constant dense<2.0> : tensor<f32>
  %eps = slm.constant dense<1.0e-5> : tensor<f32>
  %p = slm.pow %x, %two : (!t, !s) -> !t
  %m = slm.reduce_mean %p {axes = array<i64: 2>} : (!t) -> !r
  %a = slm.add %m, %eps : (!r, !s) -> !r
  %q = slm.sqrt %a : (!r) -> !r
  %rc = slm.reciprocal %q : (!r) -> !r
  %n = slm.mul %x, %rc : (!t, !r) -> !t
  %y = slm.mul %n, %w : (!t, !w) -> !t
  return %y, %m : !t, !r
}

// The unscaled normalization is also used: fuse it, keep the weight multiply.
// CHECK-LABEL: func @rms_normalized_shared
// CHECK: %[[N:.*]] = slm.rms_norm %arg0
// CHECK-NEXT: %[[Y:.*]] = slm.mul %[[N]], %arg1
// CHECK-NEXT: return %[[Y]], %[[N]]
func.func @rms_normalized_shared(%x: !t, %w: !w) -> (!t, !t) {
  %two = slm.constant dense<2.0> : tensor<f32>
  %eps = slm.constant dense<1.0e-5> : tensor<f32>
  %p = slm.pow %x, %two : (!t, !s) -> !t
  %m = slm.reduce_mean %p {axes = array<i64: 2>} : (!t) -> !r
  %a = slm.add %m, %eps : (!r, !s) -> !r
  %q = slm.sqrt %a : (!r) -> !r
  %rc = slm.reciprocal %q : (!r) -> !r
  %n = slm.mul %x, %rc : (!t, !r) -> !t
  %y = slm.mul %n, %w : (!t, !w) -> !t
  return %y, %n : !t, !t
}

// A per-row "scale" is not a norm weight: fuse the core only.
// CHECK-LABEL: func @rms_row_scale
// CHECK: %[[N:.*]] = slm.rms_norm %arg0
// CHECK-NEXT: %[[Y:.*]] = slm.mul %[[N]], %arg1
func.func @rms_row_scale(%x: tensor<2x3x64xf32>, %g: tensor<2x3x1xf32>) -> tensor<2x3x64xf32> {
  %two = slm.constant dense<2.0> : tensor<f32>
  %eps = slm.constant dense<1.0e-5> : tensor<f32>
  %p = slm.pow %x, %two : (tensor<2x3x64xf32>, !s) -> tensor<2x3x64xf32>
  %m = slm.reduce_mean %p {axes = array<i64: 2>} : (tensor<2x3x64xf32>) -> tensor<2x3x1xf32>
  %a = slm.add %m, %eps : (tensor<2x3x1xf32>, !s) -> tensor<2x3x1xf32>
  %q = slm.sqrt %a : (tensor<2x3x1xf32>) -> tensor<2x3x1xf32>
  %rc = slm.reciprocal %q : (tensor<2x3x1xf32>) -> tensor<2x3x1xf32>
  %n = slm.mul %x, %rc : (tensor<2x3x64xf32>, tensor<2x3x1xf32>) -> tensor<2x3x64xf32>
  %y = slm.mul %n, %g : (tensor<2x3x64xf32>, tensor<2x3x1xf32>) -> tensor<2x3x64xf32>
  return %y : tensor<2x3x64xf32>
}

// Decomposed LayerNorm (TorchScript opset 14): mean, sub, pow, mean, add,
// sqrt, div, mul w, add b.
// CHECK-LABEL: func @layer_norm
// CHECK-NEXT: %[[R:.*]] = slm.layer_norm %arg0, %arg1, %arg2 {axis = 2 : i64, epsilon = 9.99999974{{[0-9]*}}E-6 : f64}
// CHECK-NEXT: return %[[R]]
func.func @layer_norm(%x: !t, %w: !w, %b: !w) -> !t {
  %two = slm.constant dense<2.0> : tensor<f32>
  %eps = slm.constant dense<1.0e-5> : tensor<f32>
  %mu = slm.reduce_mean %x {axes = array<i64: 2>} : (!t) -> !r
  %d = slm.sub %x, %mu : (!t, !r) -> !t
  %p = slm.pow %d, %two : (!t, !s) -> !t
  %v = slm.reduce_mean %p {axes = array<i64: 2>} : (!t) -> !r
  %a = slm.add %v, %eps : (!r, !s) -> !r
  %q = slm.sqrt %a : (!r) -> !r
  %n = slm.div %d, %q : (!t, !r) -> !t
  %y = slm.mul %n, %w : (!t, !w) -> !t
  %z = slm.add %y, %b : (!t, !w) -> !t
  return %z : !t
}

// d * d, reciprocal, weight and bias commuted.
// CHECK-LABEL: func @layer_norm_commuted
// CHECK-NEXT: %[[R:.*]] = slm.layer_norm %arg0, %arg1, %arg2 {axis = 2 : i64
// CHECK-NEXT: return %[[R]]
func.func @layer_norm_commuted(%x: !t, %w: !w, %b: !w) -> !t {
  %eps = slm.constant dense<1.0e-5> : tensor<f32>
  %mu = slm.reduce_mean %x {axes = array<i64: 2>} : (!t) -> !r
  %d = slm.sub %x, %mu : (!t, !r) -> !t
  %p = slm.mul %d, %d : (!t, !t) -> !t
  %v = slm.reduce_mean %p {axes = array<i64: 2>} : (!t) -> !r
  %a = slm.add %eps, %v : (!s, !r) -> !r
  %q = slm.sqrt %a : (!r) -> !r
  %rc = slm.reciprocal %q : (!r) -> !r
  %n = slm.mul %rc, %d : (!r, !t) -> !t
  %y = slm.mul %w, %n : (!w, !t) -> !t
  %z = slm.add %b, %y : (!w, !t) -> !t
  return %z : !t
}

// No weight or bias.
// CHECK-LABEL: func @layer_norm_plain
// CHECK: %[[ONE:.*]] = slm.constant dense<1.000000e+00> : tensor<1xf32>
// CHECK-NEXT: %[[R:.*]] = slm.layer_norm %arg0, %[[ONE]] {axis = 2 : i64
// CHECK-NEXT: return %[[R]]
func.func @layer_norm_plain(%x: !t) -> !t {
  %two = slm.constant dense<2.0> : tensor<f32>
  %eps = slm.constant dense<1.0e-5> : tensor<f32>
  %mu = slm.reduce_mean %x {axes = array<i64: 2>} : (!t) -> !r
  %d = slm.sub %x, %mu : (!t, !r) -> !t
  %p = slm.pow %d, %two : (!t, !s) -> !t
  %v = slm.reduce_mean %p {axes = array<i64: 2>} : (!t) -> !r
  %a = slm.add %v, %eps : (!r, !s) -> !r
  %q = slm.sqrt %a : (!r) -> !r
  %n = slm.div %d, %q : (!t, !r) -> !t
  return %n : !t
}

// The centered value is also returned: must not fuse as a layer norm (the
// RMS form of d is not what the graph computes either, d is shared).
// CHECK-LABEL: func @layer_norm_shared_centered
// CHECK-NOT: slm.layer_norm
func.func @layer_norm_shared_centered(%x: !t, %w: !w, %b: !w) -> (!t, !t) {
  %two = slm.constant dense<2.0> : tensor<f32>
  %eps = slm.constant dense<1.0e-5> : tensor<f32>
  %mu = slm.reduce_mean %x {axes = array<i64: 2>} : (!t) -> !r
  %d = slm.sub %x, %mu : (!t, !r) -> !t
  %p = slm.pow %d, %two : (!t, !s) -> !t
  %v = slm.reduce_mean %p {axes = array<i64: 2>} : (!t) -> !r
  %a = slm.add %v, %eps : (!r, !s) -> !r
  %q = slm.sqrt %a : (!r) -> !r
  %n = slm.div %d, %q : (!t, !r) -> !t
  %y = slm.mul %n, %w : (!t, !w) -> !t
  %z = slm.add %y, %b : (!t, !w) -> !t
  return %z, %d : !t, !t
}
