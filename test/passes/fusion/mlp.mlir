// RUN: slmc-opt %s --slm-fuse-mlp | FileCheck %s

!x = tensor<?x?x64xf32, #slm.dims<"b", "s">>
!h = tensor<?x?x128xf32, #slm.dims<"b", "s">>
!h2 = tensor<?x?x256xf32, #slm.dims<"b", "s">>

// Llama: down(silu(x . wg) * (x . wu)).
// CHECK-LABEL: func @llama
// CHECK-NEXT: %[[R:.*]] = slm.gated_mlp %arg0 gate %arg1 up %arg2 down %arg3 {activation = "silu"}
// CHECK-NEXT: return %[[R]]
func.func @llama(%x: !x, %wg: tensor<64x128xf32>, %wu: tensor<64x128xf32>, %wd: tensor<128x64xf32>) -> !x {
  %g = slm.matmul %x, %wg : (!x, tensor<64x128xf32>) -> !h
  %u = slm.matmul %x, %wu : (!x, tensor<64x128xf32>) -> !h
  %a = slm.silu %g : (!h) -> !h
  %m = slm.mul %a, %u : (!h, !h) -> !h
  %y = slm.matmul %m, %wd : (!h, tensor<128x64xf32>) -> !x
  return %y : !x
}

// Product commuted, GELU (tanh) activation (Gemma).
// CHECK-LABEL: func @gemma
// CHECK-NEXT: %[[R:.*]] = slm.gated_mlp %arg0 gate %arg1 up %arg2 down %arg3 {activation = "gelu_tanh"}
// CHECK-NEXT: return %[[R]]
func.func @gemma(%x: !x, %wg: tensor<64x128xf32>, %wu: tensor<64x128xf32>, %wd: tensor<128x64xf32>) -> !x {
  %u = slm.matmul %x, %wu : (!x, tensor<64x128xf32>) -> !h
  %g = slm.matmul %x, %wg : (!x, tensor<64x128xf32>) -> !h
  %a = slm.gelu %g {approximate = "tanh"} : (!h) -> !h
  %m = slm.mul %u, %a : (!h, !h) -> !h
  %y = slm.matmul %m, %wd : (!h, tensor<128x64xf32>) -> !x
  return %y : !x
}

// Erf GELU.
// CHECK-LABEL: func @gelu_erf
// CHECK: slm.gated_mlp {{.*}} {activation = "gelu"}
func.func @gelu_erf(%x: !x, %wg: tensor<64x128xf32>, %wu: tensor<64x128xf32>, %wd: tensor<128x64xf32>) -> !x {
  %u = slm.matmul %x, %wu : (!x, tensor<64x128xf32>) -> !h
  %g = slm.matmul %x, %wg : (!x, tensor<64x128xf32>) -> !h
  %a = slm.gelu %g : (!h) -> !h
  %m = slm.mul %u, %a : (!h, !h) -> !h
  %y = slm.matmul %m, %wd : (!h, tensor<128x64xf32>) -> !x
  return %y : !x
}

// Phi-3: one gate_up projection split in two, gate first.
// CHECK-LABEL: func @phi3
// CHECK-NEXT: %[[R:.*]] = slm.gated_mlp %arg0 gate %arg1 down %arg2 {activation = "silu", fused_gate_up}
// CHECK-NEXT: return %[[R]]
func.func @phi3(%x: !x, %wgu: tensor<64x256xf32>, %wd: tensor<128x64xf32>) -> !x {
  %gu = slm.matmul %x, %wgu : (!x, tensor<64x256xf32>) -> !h2
  %s:2 = slm.split %gu {axis = 2 : i64} : (!h2) -> (!h, !h)
  %a = slm.silu %s#0 : (!h) -> !h
  %m = slm.mul %s#1, %a : (!h, !h) -> !h
  %y = slm.matmul %m, %wd : (!h, tensor<128x64xf32>) -> !x
  return %y : !x
}

// The activation on the second half: that is not Phi-3's order, no fusion.
// CHECK-LABEL: func @phi3_swapped_halves
// CHECK-NOT: slm.gated_mlp
func.func @phi3_swapped_halves(%x: !x, %wgu: tensor<64x256xf32>, %wd: tensor<128x64xf32>) -> !x {
  %gu = slm.matmul %x, %wgu : (!x, tensor<64x256xf32>) -> !h2
  %s:2 = slm.split %gu {axis = 2 : i64} : (!h2) -> (!h, !h)
  %a = slm.silu %s#1 : (!h) -> !h
  %m = slm.mul %s#0, %a : (!h, !h) -> !h
  %y = slm.matmul %m, %wd : (!h, tensor<128x64xf32>) -> !x
  return %y : !x
}

// Gate and up read different inputs: not an MLP.
// CHECK-LABEL: func @different_inputs
// CHECK-NOT: slm.gated_mlp
func.func @different_inputs(%x: !x, %x2: !x, %wg: tensor<64x128xf32>, %wu: tensor<64x128xf32>, %wd: tensor<128x64xf32>) -> !x {
  %g = slm.matmul %x, %wg : (!x, tensor<64x128xf32>) -> !h
  %u = slm.matmul %x2, %wu : (!x, tensor<64x128xf32>) -> !h
  %a = slm.silu %g : (!h) -> !h
  %m = slm.mul %a, %u : (!h, !h) -> !h
  %y = slm.matmul %m, %wd : (!h, tensor<128x64xf32>) -> !x
  return %y : !x
}

// The gate projection is also returned: must not fuse.
// CHECK-LABEL: func @shared_gate
// CHECK-NOT: slm.gated_mlp
func.func @shared_gate(%x: !x, %wg: tensor<64x128xf32>, %wu: tensor<64x128xf32>, %wd: tensor<128x64xf32>) -> (!x, !h) {
  %g = slm.matmul %x, %wg : (!x, tensor<64x128xf32>) -> !h
  %u = slm.matmul %x, %wu : (!x, tensor<64x128xf32>) -> !h
  %a = slm.silu %g : (!h) -> !h
  %m = slm.mul %a, %u : (!h, !h) -> !h
  %y = slm.matmul %m, %wd : (!h, tensor<128x64xf32>) -> !x
  return %y, %g : !x, !h
}

// A sigmoid gate (not an activation the op knows): no fusion.
// CHECK-LABEL: func @sigmoid_gate
// CHECK-NOT: slm.gated_mlp
func.func @sigmoid_gate(%x: !x, %wg: tensor<64x128xf32>, %wu: tensor<64x128xf32>, %wd: tensor<128x64xf32>) -> !x {
  %g = slm.matmul %x, %wg : (!x, tensor<64x128xf32>) -> !h
  %u = slm.matmul %x, %wu : (!x, tensor<64x128xf32>) -> !h
  %a = slm.sigmoid %g : (!h) -> !h
  %m = slm.mul %a, %u : (!h, !h) -> !h
  %y = slm.matmul %m, %wd : (!h, tensor<128x64xf32>) -> !x
  return %y : !x
}
