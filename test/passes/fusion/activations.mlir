// RUN: slmc-opt %s --slm-fuse-activations | FileCheck %s

!t = tensor<?x64xf32, #slm.dims<"s">>
!s = tensor<f32>

// CHECK-LABEL: func @silu
// CHECK-NEXT: %[[R:.*]] = slm.silu %arg0
// CHECK-NEXT: return %[[R]]
func.func @silu(%x: !t) -> !t {
  %s = slm.sigmoid %x : (!t) -> !t
  %m = slm.mul %x, %s : (!t, !t) -> !t
  return %m : !t
}

// CHECK-LABEL: func @silu_commuted
// CHECK-NEXT: %[[R:.*]] = slm.silu %arg0
// CHECK-NEXT: return %[[R]]
func.func @silu_commuted(%x: !t) -> !t {
  %s = slm.sigmoid %x : (!t) -> !t
  %m = slm.mul %s, %x : (!t, !t) -> !t
  return %m : !t
}

// The sigmoid is used elsewhere: fusing would compute it twice.
// CHECK-LABEL: func @silu_shared_sigmoid
// CHECK: slm.sigmoid
// CHECK-NOT: slm.silu
func.func @silu_shared_sigmoid(%x: !t) -> (!t, !t) {
  %s = slm.sigmoid %x : (!t) -> !t
  %m = slm.mul %x, %s : (!t, !t) -> !t
  return %m, %s : !t, !t
}

// x * sigmoid(y) is not SiLU.
// CHECK-LABEL: func @silu_other_input
// CHECK: slm.sigmoid
// CHECK-NOT: slm.silu
func.func @silu_other_input(%x: !t, %y: !t) -> !t {
  %s = slm.sigmoid %y : (!t) -> !t
  %m = slm.mul %x, %s : (!t, !t) -> !t
  return %m : !t
}

// Dynamo's erf form: (x * 0.5) * (1 + erf(x * 0.7071)).
// CHECK-LABEL: func @gelu_erf
// CHECK-NEXT: %[[R:.*]] = slm.gelu %arg0 :
// CHECK-NEXT: return %[[R]]
func.func @gelu_erf(%x: !t) -> !t {
  %half = slm.constant dense<0.5> : tensor<f32>
  %one = slm.constant dense<1.0> : tensor<f32>
  %c = slm.constant dense<0.707106769> : tensor<f32>
  %a = slm.mul %x, %c : (!t, !s) -> !t
  %e = slm.erf %a : (!t) -> !t
  %p = slm.add %e, %one : (!t, !s) -> !t
  %h = slm.mul %x, %half : (!t, !s) -> !t
  %r = slm.mul %h, %p : (!t, !t) -> !t
  return %r : !t
}

// TorchScript's erf form: x / sqrt(2), (x * (1 + erf)) * 0.5, 1 on the left.
// CHECK-LABEL: func @gelu_erf_div
// CHECK-NEXT: %[[R:.*]] = slm.gelu %arg0 :
// CHECK-NEXT: return %[[R]]
func.func @gelu_erf_div(%x: !t) -> !t {
  %half = slm.constant dense<0.5> : tensor<f32>
  %one = slm.constant dense<1.0> : tensor<1xf32>
  %c = slm.constant dense<1.41421354> : tensor<f32>
  %a = slm.div %x, %c : (!t, !s) -> !t
  %e = slm.erf %a : (!t) -> !t
  %p = slm.add %one, %e : (tensor<1xf32>, !t) -> !t
  %h = slm.mul %x, %p : (!t, !t) -> !t
  %r = slm.mul %h, %half : (!t, !s) -> !t
  return %r : !t
}

// Division by 2 instead of a multiply by 0.5.
// CHECK-LABEL: func @gelu_erf_div2
// CHECK-NEXT: %[[R:.*]] = slm.gelu %arg0 :
// CHECK-NEXT: return %[[R]]
func.func @gelu_erf_div2(%x: !t) -> !t {
  %two = slm.constant dense<2.0> : tensor<f32>
  %one = slm.constant dense<1.0> : tensor<f32>
  %c = slm.constant dense<1.41421354> : tensor<f32>
  %a = slm.div %x, %c : (!t, !s) -> !t
  %e = slm.erf %a : (!t) -> !t
  %p = slm.add %e, %one : (!t, !s) -> !t
  %h = slm.mul %x, %p : (!t, !t) -> !t
  %r = slm.div %h, %two : (!t, !s) -> !t
  return %r : !t
}

// Factored tanh form: sqrt(2/pi) * x * (1 + 0.044715 * x * x).
// CHECK-LABEL: func @gelu_tanh_factored
// CHECK-NEXT: %[[R:.*]] = slm.gelu %arg0 {approximate = "tanh"}
// CHECK-NEXT: return %[[R]]
func.func @gelu_tanh_factored(%x: !t) -> !t {
  %k = slm.constant dense<0.044715> : tensor<f32>
  %c = slm.constant dense<0.797884583> : tensor<f32>
  %one = slm.constant dense<1.0> : tensor<f32>
  %half = slm.constant dense<0.5> : tensor<f32>
  %x2 = slm.mul %x, %x : (!t, !t) -> !t
  %m = slm.mul %k, %x2 : (!s, !t) -> !t
  %f = slm.add %one, %m : (!s, !t) -> !t
  %xf = slm.mul %x, %f : (!t, !t) -> !t
  %u = slm.mul %c, %xf : (!s, !t) -> !t
  %th = slm.tanh %u : (!t) -> !t
  %p = slm.add %th, %one : (!t, !s) -> !t
  %h = slm.mul %x, %half : (!t, !s) -> !t
  %r = slm.mul %h, %p : (!t, !t) -> !t
  return %r : !t
}

// Must not fuse: the factored form with x^3 inside (that is not GELU).
// CHECK-LABEL: func @gelu_tanh_factored_wrong_power
// CHECK-NOT: slm.gelu
func.func @gelu_tanh_factored_wrong_power(%x: !t) -> !t {
  %three = slm.constant dense<3.0> : tensor<f32>
  %k = slm.constant dense<0.044715> : tensor<f32>
  %c = slm.constant dense<0.797884583> : tensor<f32>
  %one = slm.constant dense<1.0> : tensor<f32>
  %half = slm.constant dense<0.5> : tensor<f32>
  %x3 = slm.pow %x, %three : (!t, !s) -> !t
  %m = slm.mul %k, %x3 : (!s, !t) -> !t
  %f = slm.add %one, %m : (!s, !t) -> !t
  %xf = slm.mul %x, %f : (!t, !t) -> !t
  %u = slm.mul %c, %xf : (!s, !t) -> !t
  %th = slm.tanh %u : (!t) -> !t
  %p = slm.add %th, %one : (!t, !s) -> !t
  %h = slm.mul %x, %half : (!t, !s) -> !t
  %r = slm.mul %h, %p : (!t, !t) -> !t
  return %r : !t
}

// GPT-2 (dynamo): pow(x, 3) * 0.044715 + x, * sqrt(2/pi), tanh, + 1, (x * 0.5) * .
// CHECK-LABEL: func @gelu_tanh
// CHECK-NEXT: %[[R:.*]] = slm.gelu %arg0 {approximate = "tanh"}
// CHECK-NEXT: return %[[R]]
func.func @gelu_tanh(%x: !t) -> !t {
  %three = slm.constant dense<3.0> : tensor<f32>
  %k = slm.constant dense<0.044715> : tensor<f32>
  %c = slm.constant dense<0.797884583> : tensor<f32>
  %one = slm.constant dense<1.0> : tensor<f32>
  %half = slm.constant dense<0.5> : tensor<f32>
  %p3 = slm.pow %x, %three : (!t, !s) -> !t
  %m = slm.mul %p3, %k : (!t, !s) -> !t
  %s = slm.add %x, %m : (!t, !t) -> !t
  %u = slm.mul %s, %c : (!t, !s) -> !t
  %th = slm.tanh %u : (!t) -> !t
  %p = slm.add %th, %one : (!t, !s) -> !t
  %h = slm.mul %x, %half : (!t, !s) -> !t
  %r = slm.mul %h, %p : (!t, !t) -> !t
  return %r : !t
}

// x^3 as x * x * x, constants on the left, 0.5 applied to the sum.
// CHECK-LABEL: func @gelu_tanh_mul_cube
// CHECK-NEXT: %[[R:.*]] = slm.gelu %arg0 {approximate = "tanh"}
// CHECK-NEXT: return %[[R]]
func.func @gelu_tanh_mul_cube(%x: !t) -> !t {
  %k = slm.constant dense<0.044715> : tensor<f32>
  %c = slm.constant dense<0.797884583> : tensor<f32>
  %one = slm.constant dense<1.0> : tensor<f32>
  %half = slm.constant dense<0.5> : tensor<f32>
  %x2 = slm.mul %x, %x : (!t, !t) -> !t
  %x3 = slm.mul %x2, %x : (!t, !t) -> !t
  %m = slm.mul %k, %x3 : (!s, !t) -> !t
  %s = slm.add %m, %x : (!t, !t) -> !t
  %u = slm.mul %c, %s : (!s, !t) -> !t
  %th = slm.tanh %u : (!t) -> !t
  %p = slm.add %one, %th : (!s, !t) -> !t
  %ph = slm.mul %half, %p : (!s, !t) -> !t
  %r = slm.mul %x, %ph : (!t, !t) -> !t
  return %r : !t
}

// Wrong constant (0.04 instead of 0.044715): not GELU.
// CHECK-LABEL: func @gelu_tanh_wrong_constant
// CHECK: slm.tanh
// CHECK-NOT: slm.gelu
func.func @gelu_tanh_wrong_constant(%x: !t) -> !t {
  %three = slm.constant dense<3.0> : tensor<f32>
  %k = slm.constant dense<0.04> : tensor<f32>
  %c = slm.constant dense<0.797884583> : tensor<f32>
  %one = slm.constant dense<1.0> : tensor<f32>
  %half = slm.constant dense<0.5> : tensor<f32>
  %p3 = slm.pow %x, %three : (!t, !s) -> !t
  %m = slm.mul %p3, %k : (!t, !s) -> !t
  %s = slm.add %x, %m : (!t, !t) -> !t
  %u = slm.mul %s, %c : (!t, !s) -> !t
  %th = slm.tanh %u : (!t) -> !t
  %p = slm.add %th, %one : (!t, !s) -> !t
  %h = slm.mul %x, %half : (!t, !s) -> !t
  %r = slm.mul %h, %p : (!t, !t) -> !t
  return %r : !t
}

// The erf result is also returned: must not fuse.
// CHECK-LABEL: func @gelu_shared_intermediate
// CHECK: slm.erf
// CHECK-NOT: slm.gelu
func.func @gelu_shared_intermediate(%x: !t) -> (!t, !t) {
  %half = slm.constant dense<0.5> : tensor<f32>
  %one = slm.constant dense<1.0> : tensor<f32>
  %c = slm.constant dense<0.707106769> : tensor<f32>
  %a = slm.mul %x, %c : (!t, !s) -> !t
  %e = slm.erf %a : (!t) -> !t
  %p = slm.add %e, %one : (!t, !s) -> !t
  %h = slm.mul %x, %half : (!t, !s) -> !t
  %r = slm.mul %h, %p : (!t, !t) -> !t
  return %r, %e : !t, !t
}

// erf of another value than the one multiplied: not GELU.
// CHECK-LABEL: func @gelu_two_inputs
// CHECK: slm.erf
// CHECK-NOT: slm.gelu
func.func @gelu_two_inputs(%x: !t, %y: !t) -> !t {
  %half = slm.constant dense<0.5> : tensor<f32>
  %one = slm.constant dense<1.0> : tensor<f32>
  %c = slm.constant dense<0.707106769> : tensor<f32>
  %a = slm.mul %y, %c : (!t, !s) -> !t
  %e = slm.erf %a : (!t) -> !t
  %p = slm.add %e, %one : (!t, !s) -> !t
  %h = slm.mul %x, %half : (!t, !s) -> !t
  %r = slm.mul %h, %p : (!t, !t) -> !t
  return %r : !t
}
