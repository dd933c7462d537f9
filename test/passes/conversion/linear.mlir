// RUN: slmc-opt %s --convert-slm-to-linalg=linear-kernel=1 -split-input-file | FileCheck %s --check-prefix=KERNEL
// RUN: slmc-opt %s --convert-slm-to-linalg -split-input-file | FileCheck %s --check-prefix=DECOMPOSED

// slm.linear with a bias and GELU: one slm.linear_kernel on the rows of x
// where the target has the kernel; otherwise matmul, bias add, GELU.
// KERNEL-LABEL: func.func @main
// KERNEL: %[[ROWS:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : tensor<?x?x64xf32> into tensor<?x64xf32>
// KERNEL: %[[INIT:.*]] = tensor.empty(%{{.*}}) : tensor<?x256xf32>
// KERNEL: %[[Y:.*]] = slm.linear_kernel ins(%[[ROWS]], %{{.*}} : tensor<?x64xf32>, tensor<64x256xf32>) bias(%{{.*}} : tensor<256xf32>) outs(%[[INIT]] : tensor<?x256xf32>) {activation = "gelu", k = 64 : i64, n = 256 : i64} -> tensor<?x256xf32>
// KERNEL: tensor.expand_shape %[[Y]]
// KERNEL-NOT: linalg.matmul
// DECOMPOSED-LABEL: func.func @main
// DECOMPOSED: linalg.matmul
// DECOMPOSED: arith.addf
// DECOMPOSED: math.erf
// DECOMPOSED-NOT: slm.linear_kernel
func.func @main(%x: tensor<?x?x64xf32, #slm.dims<"b", "s">>) -> tensor<?x?x256xf32, #slm.dims<"b", "s">> {
  %w = slm.weight @w : tensor<64x256xf32>
  %b = slm.weight @b : tensor<256xf32>
  %y = slm.linear %x, %w bias %b {activation = "gelu"} : (tensor<?x?x64xf32, #slm.dims<"b", "s">>, tensor<64x256xf32>, tensor<256xf32>) -> tensor<?x?x256xf32, #slm.dims<"b", "s">>
  return %y : tensor<?x?x256xf32, #slm.dims<"b", "s">>
}

// -----

// A residual is the kernel's accumulator (init = the residual's rows); a
// tied embedding read through a transpose is passed as stored.
// KERNEL-LABEL: func.func @main
// KERNEL: %[[R:.*]] = tensor.collapse_shape %arg3
// KERNEL: slm.linear_kernel ins(%{{.*}}, %arg4 : tensor<?x64xf32>, tensor<100x64xf32>) outs(%[[R]] : tensor<?x100xf32>) {accumulate, k = 64 : i64, n = 100 : i64, transposed_weight}
// DECOMPOSED-LABEL: func.func @main
// DECOMPOSED: linalg.transpose
// DECOMPOSED: linalg.matmul
// DECOMPOSED: arith.addf
func.func @main(%x: tensor<?x?x64xf32, #slm.dims<"b", "s">>, %r: tensor<?x?x100xf32, #slm.dims<"b", "s">>) -> tensor<?x?x100xf32, #slm.dims<"b", "s">> {
  %e = slm.weight @embed : tensor<100x64xf32>
  %t = slm.transpose %e {perm = array<i64: 1, 0>} : (tensor<100x64xf32>) -> tensor<64x100xf32>
  %y = slm.linear %x, %t residual %r : (tensor<?x?x64xf32, #slm.dims<"b", "s">>, tensor<64x100xf32>, tensor<?x?x100xf32, #slm.dims<"b", "s">>) -> tensor<?x?x100xf32, #slm.dims<"b", "s">>
  return %y : tensor<?x?x100xf32, #slm.dims<"b", "s">>
}

// -----

// A gated MLP: gate projection with SiLU as its epilogue, up projection,
// product, down projection accumulating into the residual.
// KERNEL-LABEL: func.func @main
// KERNEL: slm.linear_kernel {{.*}} {activation = "silu", k = 64 : i64, n = 128 : i64}
// KERNEL: slm.linear_kernel {{.*}} {k = 64 : i64, n = 128 : i64}
// KERNEL: arith.mulf
// KERNEL: slm.linear_kernel {{.*}} {accumulate, k = 128 : i64, n = 64 : i64}
func.func @main(%x: tensor<?x64xf32, #slm.dims<"s">>, %h: tensor<?x64xf32, #slm.dims<"s">>) -> tensor<?x64xf32, #slm.dims<"s">> {
  %wg = slm.weight @wg : tensor<64x128xf32>
  %wu = slm.weight @wu : tensor<64x128xf32>
  %wd = slm.weight @wd : tensor<128x64xf32>
  %y = slm.gated_mlp %x gate %wg up %wu down %wd residual %h {activation = "silu"} : (tensor<?x64xf32, #slm.dims<"s">>, tensor<64x128xf32>, tensor<64x128xf32>, tensor<128x64xf32>, tensor<?x64xf32, #slm.dims<"s">>) -> tensor<?x64xf32, #slm.dims<"s">>
  return %y : tensor<?x64xf32, #slm.dims<"s">>
}
