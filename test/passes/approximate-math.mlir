// RUN: slmc-opt %s --slm-approximate-math | FileCheck %s

// exp, tanh and erf become polynomials; sin/cos stay (rotary angles are large).
// CHECK-LABEL: func.func @f
// CHECK-NOT: math.exp
// CHECK-NOT: math.tanh
// CHECK-NOT: math.erf
// CHECK: math.sin
// CHECK: math.cos
func.func @f(%x: f32) -> (f32, f32, f32, f32, f32) {
  %e = math.exp %x : f32
  %t = math.tanh %x : f32
  %r = math.erf %x : f32
  %s = math.sin %x : f32
  %c = math.cos %x : f32
  return %e, %t, %r, %s, %c : f32, f32, f32, f32, f32
}
