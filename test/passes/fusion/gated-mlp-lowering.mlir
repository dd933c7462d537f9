// RUN: slmc-opt %s --convert-slm-to-linalg -split-input-file | FileCheck %s

// slm.gated_mlp lowers as its decomposition: the gate projection and its
// SiLU, the up projection, multiply, the down projection.
// CHECK-LABEL: func.func @main
// CHECK-NOT: {{= slm\.}}
// CHECK: linalg.matmul
// CHECK: math.exp
// CHECK: linalg.matmul
// CHECK: arith.mulf %in, %in_{{[0-9]+}} : f32
// CHECK: linalg.matmul {{.*}} -> tensor<?x64xf32>
// CHECK-NOT: {{= slm\.}}
func.func @main(%x: tensor<?x64xf32, #slm.dims<"s">>) -> tensor<?x64xf32, #slm.dims<"s">> {
  %wg = slm.weight @wg : tensor<64x128xf32>
  %wu = slm.weight @wu : tensor<64x128xf32>
  %wd = slm.weight @wd : tensor<128x64xf32>
  %y = slm.gated_mlp %x gate %wg up %wu down %wd {activation = "silu"} : (tensor<?x64xf32, #slm.dims<"s">>, tensor<64x128xf32>, tensor<64x128xf32>, tensor<128x64xf32>) -> tensor<?x64xf32, #slm.dims<"s">>
  return %y : tensor<?x64xf32, #slm.dims<"s">>
}

// -----

// Fused gate_up: one matmul, its halves extracted, GELU (tanh) on the first.
// CHECK-LABEL: func.func @main
// CHECK: linalg.matmul {{.*}} -> tensor<?x256xf32>
// CHECK-DAG: tensor.extract_slice %{{.*}}[0, 0] [%{{.*}}, 128] [1, 1]
// CHECK-DAG: tensor.extract_slice %{{.*}}[0, 128] [%{{.*}}, 128] [1, 1]
// CHECK: math.tanh
// CHECK: linalg.matmul {{.*}} -> tensor<?x64xf32>
// CHECK-NOT: {{= slm\.}}
func.func @main(%x: tensor<?x64xf32, #slm.dims<"s">>) -> tensor<?x64xf32, #slm.dims<"s">> {
  %wgu = slm.weight @wgu : tensor<64x256xf32>
  %wd = slm.weight @wd : tensor<128x64xf32>
  %y = slm.gated_mlp %x gate %wgu down %wd {activation = "gelu_tanh", fused_gate_up} : (tensor<?x64xf32, #slm.dims<"s">>, tensor<64x256xf32>, tensor<128x64xf32>) -> tensor<?x64xf32, #slm.dims<"s">>
  return %y : tensor<?x64xf32, #slm.dims<"s">>
}
