// RUN: slmc-opt %s --slm-expand-shape-to-reinterpret-cast --expand-strided-metadata | FileCheck %s

// Two dynamic dims in one group (batch x sequence): upstream's
// expand-strided-metadata crashes on this in MLIR 22.
// CHECK-LABEL: func.func @batch_seq
// CHECK: %[[C64:.*]] = arith.constant 64 : index
// CHECK: %[[BASE:.*]], %{{.*}}, %{{.*}}:2, %[[STRIDES:.*]]:2 = memref.extract_strided_metadata %arg0
// CHECK: %[[S0:.*]] = arith.muli %arg2, %[[C64]] : index
// CHECK: memref.reinterpret_cast %[[BASE]] to offset: [0], sizes: [%arg1, %arg2, 64], strides: [%[[S0]], 64, 1]
func.func @batch_seq(%x: memref<?x64xf32>, %b: index, %s: index) -> memref<?x?x64xf32> {
  %e = memref.expand_shape %x [[0, 1], [2]] output_shape [%b, %s, 64] : memref<?x64xf32> into memref<?x?x64xf32>
  return %e : memref<?x?x64xf32>
}
