// RUN: slmc-opt %s --slm-cpu-linear-ukernels --split-input-file | FileCheck %s
// RUN: slmc-opt %s --slm-cpu-linear-ukernels --split-input-file --convert-to-llvm \
// RUN:   | FileCheck %s --check-prefix=LLVM

// slm.linear_kernel with a quantized weight becomes a call of
// slm_x86_qmatmul(M, N, K, A, lda, W, C, ldc, format, group, bias, flags):
// int4 is format 2, groups of 32, no bias (0), weight-only (flags 0); unit
// inner strides are asserted.

// CHECK-LABEL: func.func @int4
// CHECK-SAME: (%[[A:.*]]: memref<?x64xf32>, %[[W:.*]]: memref<?xi8>, %[[C:.*]]: memref<?x128xf32>)
// (Constants print as %cV or %cV_N: they are checked by name.)
// CHECK-DAG: %{{.*}}, %{{.*}}, %[[SA:.*]]:2, %[[TA:.*]]:2 = memref.extract_strided_metadata %[[A]]
// CHECK-DAG: %{{.*}}, %{{.*}}, %[[SC:.*]]:2, %[[TC:.*]]:2 = memref.extract_strided_metadata %[[C]]
// CHECK: cf.assert %{{.*}}, "slm.linear_kernel: rows must have unit stride"
// CHECK: call @slm_x86_qmatmul(%[[SC]]#0, %c128{{(_[0-9]+)?}}, %c64{{(_[0-9]+)?}}, %{{.*}}, %[[TA]]#0, %{{.*}}, %{{.*}}, %[[TC]]#0, %c2{{(_[0-9]+)?}}, %c32{{(_[0-9]+)?}}, %c0{{(_[0-9]+)?}}, %c0{{(_[0-9]+)?}})
// CHECK-NOT: slm.linear_kernel
// LLVM-LABEL: llvm.func @int4
// LLVM: llvm.call @slm_x86_qmatmul
func.func @int4(%a: memref<?x64xf32>, %w: memref<?xi8>, %c: memref<?x128xf32>) {
  slm.linear_kernel ins(%a, %w : memref<?x64xf32>, memref<?xi8>) outs(%c : memref<?x128xf32>)
      {k = 64 : i64, n = 128 : i64, quant = #slm.quant<"int4-g32", axis = 0>}
  return
}

// -----

// w8a8-dynamic: int8 per channel (format 1, group 0) with int8 activations
// per row (flags 4).

// CHECK-LABEL: func.func @w8a8
// CHECK: call @slm_x86_qmatmul({{.*}}, %c1{{(_[0-9]+)?}}, %c0{{(_[0-9]+)?}}, %c0{{(_[0-9]+)?}}, %c4{{(_[0-9]+)?}})
func.func @w8a8(%a: memref<?x64xf32>, %w: memref<?xi8>, %c: memref<?x32xf32>) {
  slm.linear_kernel ins(%a, %w : memref<?x64xf32>, memref<?xi8>) outs(%c : memref<?x32xf32>)
      {k = 64 : i64, n = 32 : i64, quant = #slm.quant<"w8a8-dynamic", axis = 1>}
  return
}

// -----

// The epilogue rides in the call: the bias address and, in flags, the
// activation (SiLU = 3 << 3 = 24) or, for a residual in init, accumulate (1).
// An f32 weight calls slm_x86_sgemm(1, M, N, K, A, 0, lda, W, 0, ldw, C, 0,
// ldc, bias, flags), transposed_weight adding SLM_UK_TRANS_B (2).

// CHECK-LABEL: func.func @epilogues
// CHECK-SAME: (%[[A:.*]]: memref<?x64xf32>, %[[W:.*]]: memref<?xi8>, %[[B:.*]]: memref<128xf32>, %[[F:.*]]: memref<64x128xf32>, %[[E:.*]]: memref<128x64xf32>, %[[C:.*]]: memref<?x128xf32>)
// CHECK: %[[BP:.*]] = memref.extract_aligned_pointer_as_index %[[B]]
// CHECK: call @slm_x86_qmatmul({{.*}}, %c2{{(_[0-9]+)?}}, %c32{{(_[0-9]+)?}}, %{{.*}}, %c24{{(_[0-9]+)?}})
// CHECK: call @slm_x86_sgemm(%c1{{(_[0-9]+)?}}, %{{.*}}, %c128{{(_[0-9]+)?}}, %c64{{(_[0-9]+)?}}, {{.*}}, %c1{{(_[0-9]+)?}}) : (index, index, index, index, index, index, index, index, index, index, index, index, index, index, index) -> ()
// CHECK: call @slm_x86_sgemm({{.*}}, %c2{{(_[0-9]+)?}}) :
// CHECK-NOT: slm.linear_kernel
func.func @epilogues(%a: memref<?x64xf32>, %w: memref<?xi8>, %b: memref<128xf32>, %f: memref<64x128xf32>, %e: memref<128x64xf32>, %c: memref<?x128xf32>) {
  slm.linear_kernel ins(%a, %w : memref<?x64xf32>, memref<?xi8>) bias(%b : memref<128xf32>) outs(%c : memref<?x128xf32>)
      {k = 64 : i64, n = 128 : i64, quant = #slm.quant<"int4-g32", axis = 0>, activation = "silu"}
  slm.linear_kernel ins(%a, %f : memref<?x64xf32>, memref<64x128xf32>) outs(%c : memref<?x128xf32>)
      {k = 64 : i64, n = 128 : i64, accumulate}
  slm.linear_kernel ins(%a, %e : memref<?x64xf32>, memref<128x64xf32>) outs(%c : memref<?x128xf32>)
      {k = 64 : i64, n = 128 : i64, transposed_weight}
  return
}

// -----

// slm.quantized_gather becomes slm_x86_qgather(count, ids, N, K, W, out,
// format, group) after a density assertion.

// CHECK-LABEL: func.func @gather
// CHECK: cf.assert %{{.*}}, "slm.quantized_gather: indices and rows must be dense"
// CHECK: call @slm_x86_qgather(%{{.*}}, %{{.*}}, %c512{{(_[0-9]+)?}}, %c64{{(_[0-9]+)?}}, %{{.*}}, %{{.*}}, %c2{{(_[0-9]+)?}}, %c32{{(_[0-9]+)?}}) : (index, index, index, index, index, index, index, index) -> ()
func.func @gather(%ids: memref<?xi64>, %w: memref<?xi8>, %out: memref<?x64xf32>) {
  slm.quantized_gather ins(%ids, %w : memref<?xi64>, memref<?xi8>) outs(%out : memref<?x64xf32>)
      {k = 64 : i64, n = 512 : i64, quant = #slm.quant<"int4-g32", axis = 1>}
  return
}
