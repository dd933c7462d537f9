// RUN: slmc-opt %s --slm-fuse-linear --split-input-file | FileCheck %s
// RUN: slmc-opt %s --slm-fuse-linear --split-input-file --mlir-print-op-generic | slmc-opt --split-input-file | FileCheck %s --check-prefix=ROUNDTRIP

!x = tensor<?x?x64xf32, #slm.dims<"b", "s">>
!y = tensor<?x?x256xf32, #slm.dims<"b", "s">>

// A bare projection.
// CHECK-LABEL: func @plain
// CHECK-NEXT: %[[R:.*]] = slm.linear %arg0, %arg1 : (
// CHECK-NEXT: return %[[R]]
// ROUNDTRIP-LABEL: func @plain
// ROUNDTRIP: slm.linear
func.func @plain(%x: !x, %w: tensor<64x256xf32>) -> !y {
  %y = slm.matmul %x, %w : (!x, tensor<64x256xf32>) -> !y
  return %y : !y
}

// GPT-2's MLP: bias (either operand order) then GELU.
// CHECK-LABEL: func @bias_gelu
// CHECK-NEXT: %[[R:.*]] = slm.linear %arg0, %arg1 bias %arg2 {activation = "gelu_tanh"}
// CHECK-NEXT: return %[[R]]
func.func @bias_gelu(%x: !x, %w: tensor<64x256xf32>, %b: tensor<256xf32>) -> !y {
  %p = slm.matmul %x, %w : (!x, tensor<64x256xf32>) -> !y
  %q = slm.add %b, %p : (tensor<256xf32>, !y) -> !y
  %a = slm.gelu %q {approximate = "tanh"} : (!y) -> !y
  return %a : !y
}

// SiLU directly on the projection.
// CHECK-LABEL: func @silu
// CHECK-NEXT: %[[R:.*]] = slm.linear %arg0, %arg1 {activation = "silu"}
func.func @silu(%x: !x, %w: tensor<64x256xf32>) -> !y {
  %p = slm.matmul %x, %w : (!x, tensor<64x256xf32>) -> !y
  %a = slm.silu %p : (!y) -> !y
  return %a : !y
}

// Bias, then the residual (o_proj of a biased model): both fold.
// CHECK-LABEL: func @bias_residual
// CHECK-NEXT: %[[R:.*]] = slm.linear %arg1, %arg2 bias %arg3 residual %arg0 :
// CHECK-NEXT: return %[[R]]
func.func @bias_residual(%h: !x, %x: !x, %w: tensor<64x64xf32>, %b: tensor<64xf32>) -> !x {
  %p = slm.matmul %x, %w : (!x, tensor<64x64xf32>) -> !x
  %q = slm.add %p, %b : (!x, tensor<64xf32>) -> !x
  %r = slm.add %h, %q : (!x, !x) -> !x
  return %r : !x
}

// ONNX Gemm with transB and a bias (TorchScript nn.Linear on 2-D input).
// CHECK-LABEL: func @gemm
// CHECK-NEXT: %[[T:.*]] = slm.transpose %arg1 {perm = array<i64: 1, 0>}
// CHECK-NEXT: %[[R:.*]] = slm.linear %arg0, %[[T]] bias %arg2 :
// CHECK-NEXT: return %[[R]]
func.func @gemm(%x: tensor<4x64xf32>, %w: tensor<256x64xf32>, %b: tensor<256xf32>) -> tensor<4x256xf32> {
  %y = slm.gemm %x, %w, %b {transB = true} : (tensor<4x64xf32>, tensor<256x64xf32>, tensor<256xf32>) -> tensor<4x256xf32>
  return %y : tensor<4x256xf32>
}

// The residual add after a gated MLP becomes its residual operand.
// CHECK-LABEL: func @mlp_residual
// CHECK-NEXT: %[[R:.*]] = slm.gated_mlp %arg1 gate %arg2 up %arg3 down %arg4 residual %arg0 {activation = "silu"}
// CHECK-NEXT: return %[[R]]
func.func @mlp_residual(%h: !x, %x: !x, %wg: tensor<64x128xf32>, %wu: tensor<64x128xf32>, %wd: tensor<128x64xf32>) -> !x {
  %m = slm.gated_mlp %x gate %wg up %wu down %wd {activation = "silu"} : (!x, tensor<64x128xf32>, tensor<64x128xf32>, tensor<128x64xf32>) -> !x
  %r = slm.add %m, %h : (!x, !x) -> !x
  return %r : !x
}

// -----

!x = tensor<?x?x64xf32, #slm.dims<"b", "s">>
!y = tensor<?x?x256xf32, #slm.dims<"b", "s">>

// Must not fuse: the projection's result has another user.
// CHECK-LABEL: func @shared
// CHECK: slm.linear %arg0, %arg1 :
// CHECK: slm.add
func.func @shared(%x: !x, %w: tensor<64x256xf32>, %b: tensor<256xf32>) -> (!y, !y) {
  %p = slm.matmul %x, %w : (!x, tensor<64x256xf32>) -> !y
  %q = slm.add %p, %b : (!y, tensor<256xf32>) -> !y
  return %p, %q : !y, !y
}

// Must not fuse: an add that broadcasts the projection ([S, N] + [B, S, N]
// is not a residual of the result's type, [1, N] is not a [N] bias).
// CHECK-LABEL: func @broadcasts
// CHECK: slm.linear %arg0, %arg1 :
// CHECK-NEXT: slm.add
// CHECK-LABEL: func @row_bias
// CHECK: slm.linear %arg0, %arg1 :
// CHECK-NEXT: slm.add
func.func @broadcasts(%x: tensor<4x64xf32>, %w: tensor<64x256xf32>, %r: tensor<2x4x256xf32>) -> tensor<2x4x256xf32> {
  %p = slm.matmul %x, %w : (tensor<4x64xf32>, tensor<64x256xf32>) -> tensor<4x256xf32>
  %q = slm.add %p, %r : (tensor<4x256xf32>, tensor<2x4x256xf32>) -> tensor<2x4x256xf32>
  return %q : tensor<2x4x256xf32>
}
func.func @row_bias(%x: !x, %w: tensor<64x256xf32>, %b: tensor<1x256xf32>) -> !y {
  %p = slm.matmul %x, %w : (!x, tensor<64x256xf32>) -> !y
  %q = slm.add %p, %b : (!y, tensor<1x256xf32>) -> !y
  return %q : !y
}

// Must not fuse: a residual after the activation (the kernels add the
// residual as their accumulator).
// CHECK-LABEL: func @act_then_residual
// CHECK: slm.linear %arg1, %arg2 {activation = "silu"}
// CHECK-NEXT: slm.add
func.func @act_then_residual(%h: !x, %x: !x, %w: tensor<64x64xf32>) -> !x {
  %p = slm.matmul %x, %w : (!x, tensor<64x64xf32>) -> !x
  %a = slm.silu %p : (!x) -> !x
  %r = slm.add %a, %h : (!x, !x) -> !x
  return %r : !x
}

// Not a projection: a weight that is not 2-D static (attention scores), a
// gemm with alpha != 1.
// CHECK-LABEL: func @not_projections
// CHECK: slm.matmul
// CHECK: slm.gemm
// CHECK-NOT: slm.linear
func.func @not_projections(%q: tensor<2x4x8xf32>, %k: tensor<2x8x4xf32>, %a: tensor<4x64xf32>, %w: tensor<64x8xf32>) -> (tensor<2x4x4xf32>, tensor<4x8xf32>) {
  %s = slm.matmul %q, %k : (tensor<2x4x8xf32>, tensor<2x8x4xf32>) -> tensor<2x4x4xf32>
  %g = slm.gemm %a, %w {alpha = 0.5 : f64} : (tensor<4x64xf32>, tensor<64x8xf32>) -> tensor<4x8xf32>
  return %s, %g : tensor<2x4x4xf32>, tensor<4x8xf32>
}

// -----

// GPT-2's Conv1D: view(-1, K) . W + b, view back, then GELU / the residual.
// The reshapes move behind the projection and cancel; the epilogue folds.
// CHECK-LABEL: func @conv1d
// CHECK-NEXT: %[[A:.*]] = slm.linear %arg0, %arg1 bias %arg2 {activation = "gelu"} : ({{.*}}) -> tensor<?x?x256xf32, #slm.dims<"b", "s">>
// CHECK-NEXT: %[[R:.*]] = slm.linear %[[A]], %arg3 bias %arg4 residual %arg0 : ({{.*}}) -> tensor<?x?x64xf32, #slm.dims<"b", "s">>
// CHECK-NEXT: return %[[R]]
!x = tensor<?x?x64xf32, #slm.dims<"b", "s">>
!x2 = tensor<?x64xf32, #slm.dims<"b * s">>
!h = tensor<?x?x256xf32, #slm.dims<"b", "s">>
!h2 = tensor<?x256xf32, #slm.dims<"b * s">>
func.func @conv1d(%x: !x, %wfc: tensor<64x256xf32>, %bfc: tensor<256xf32>, %wproj: tensor<256x64xf32>, %bproj: tensor<64xf32>) -> !x {
  %x2 = slm.reshape %x : (!x) -> !x2
  %f = slm.gemm %x2, %wfc, %bfc : (!x2, tensor<64x256xf32>, tensor<256xf32>) -> !h2
  %f3 = slm.reshape %f : (!h2) -> !h
  %g = slm.gelu %f3 : (!h) -> !h
  %g2 = slm.reshape %g : (!h) -> !h2
  %p = slm.gemm %g2, %wproj, %bproj : (!h2, tensor<256x64xf32>, tensor<64xf32>) -> !x2
  %p3 = slm.reshape %p : (!x2) -> !x
  %r = slm.add %x, %p3 : (!x, !x) -> !x
  return %r : !x
}

// -----

// GPT-2's attention output projection reads the merged heads as 2-D; the
// residual is reshaped to the projection's rows and accumulated into.
// CHECK-LABEL: func @rows_residual
// CHECK-NEXT: %[[R:.*]] = slm.reshape %arg0 : (tensor<?x?x64xf32, {{.*}}>) -> tensor<?x64xf32, #slm.dims<"b*s">>
// CHECK-NEXT: %[[Y:.*]] = slm.linear %arg1, %arg2 bias %arg3 residual %[[R]]
// CHECK-NEXT: %[[O:.*]] = slm.reshape %[[Y]] : (tensor<?x64xf32, {{.*}}>) -> tensor<?x?x64xf32, #slm.dims<"b", "s">>
// CHECK-NEXT: return %[[O]]
!x = tensor<?x?x64xf32, #slm.dims<"b", "s">>
!x2 = tensor<?x64xf32, #slm.dims<"b * s">>
func.func @rows_residual(%h: !x, %a: !x2, %w: tensor<64x64xf32>, %b: tensor<64xf32>) -> !x {
  %p = slm.gemm %a, %w, %b : (!x2, tensor<64x64xf32>, tensor<64xf32>) -> !x2
  %p3 = slm.reshape %p : (!x2) -> !x
  %r = slm.add %h, %p3 : (!x, !x) -> !x
  return %r : !x
}
