// RUN: slmc-opt %s --slm-x86-quantized-ukernels --split-input-file | FileCheck %s
// RUN: slmc-opt %s --slm-x86-quantized-ukernels --split-input-file --convert-to-llvm \
// RUN:   | FileCheck %s --check-prefix=LLVM

// slm.quantized_matmul on memrefs becomes a call of slm_x86_qmatmul(M, N, K,
// A, lda, W, C, ldc, format, group, bias, flags): int4 is format 2, groups of
// 32, no bias (0), weight-only (flags 0); unit inner strides are asserted.

// CHECK-LABEL: func.func @int4
// CHECK-SAME: (%[[A:.*]]: memref<?x64xf32>, %[[W:.*]]: memref<?xi8>, %[[C:.*]]: memref<?x128xf32>)
// (Constants print as %cV or %cV_N: they are checked by name.)
// CHECK-DAG: %{{.*}}, %{{.*}}, %[[SA:.*]]:2, %[[TA:.*]]:2 = memref.extract_strided_metadata %[[A]]
// CHECK-DAG: %{{.*}}, %{{.*}}, %[[SC:.*]]:2, %[[TC:.*]]:2 = memref.extract_strided_metadata %[[C]]
// CHECK: cf.assert %{{.*}}, "slm.quantized_matmul: rows must have unit stride"
// CHECK: call @slm_x86_qmatmul(%[[SC]]#0, %c128{{(_[0-9]+)?}}, %c64{{(_[0-9]+)?}}, %{{.*}}, %[[TA]]#0, %{{.*}}, %{{.*}}, %[[TC]]#0, %c2{{(_[0-9]+)?}}, %c32{{(_[0-9]+)?}}, %c0{{(_[0-9]+)?}}, %c0{{(_[0-9]+)?}})
// CHECK-NOT: slm.quantized_matmul
// LLVM-LABEL: llvm.func @int4
// LLVM: llvm.call @slm_x86_qmatmul
func.func @int4(%a: memref<?x64xf32>, %w: memref<?xi8>, %c: memref<?x128xf32>) {
  slm.quantized_matmul ins(%a, %w : memref<?x64xf32>, memref<?xi8>) outs(%c : memref<?x128xf32>)
      {k = 64 : i64, n = 128 : i64, quant = #slm.quant<"int4-g32", axis = 0>}
  return
}

// -----

// w8a8-dynamic: int8 per channel (format 1, group 0) with int8 activations
// per row (flags 4).

// CHECK-LABEL: func.func @w8a8
// CHECK: call @slm_x86_qmatmul({{.*}}, %c1{{(_[0-9]+)?}}, %c0{{(_[0-9]+)?}}, %c0{{(_[0-9]+)?}}, %c4{{(_[0-9]+)?}})
func.func @w8a8(%a: memref<?x64xf32>, %w: memref<?xi8>, %c: memref<?x32xf32>) {
  slm.quantized_matmul ins(%a, %w : memref<?x64xf32>, memref<?xi8>) outs(%c : memref<?x32xf32>)
      {k = 64 : i64, n = 32 : i64, quant = #slm.quant<"w8a8-dynamic", axis = 1>}
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
