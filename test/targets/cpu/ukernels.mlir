// RUN: slmc-opt %s --slm-cpu-ukernels --split-input-file | FileCheck %s
// RUN: slmc-opt %s --slm-cpu-ukernels=symbol-prefix=slm_arm64_ --split-input-file \
// RUN:   | FileCheck %s --check-prefix=ARM
// The kernels' names come from symbol-prefix (slm_x86_ by default).
// ARM-NOT: slm_x86_
// ARM: func.func private @slm_arm64_sgemm(index, index
// ARM: call @slm_arm64_sgemm(
// ARM-NOT: slm_x86_

// A zero-filled linalg.matmul: the fill goes, the kernel overwrites C
// (flags 0; no bias: address 0). Identity layouts need no run-time checks.
// (Constants print as %cV or %cV_N: the flags are checked by name.)
// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[A:.*]]: memref<?x64xf32>, %[[B:.*]]: memref<64x32xf32>, %[[C:.*]]: memref<?x32xf32>)
// CHECK-NOT: linalg.fill
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[PA:.*]] = memref.extract_aligned_pointer_as_index %[[A]]
// CHECK-DAG: %[[PB:.*]] = memref.extract_aligned_pointer_as_index %[[B]]
// CHECK-DAG: %[[PC:.*]] = memref.extract_aligned_pointer_as_index %[[C]]
// CHECK-DAG: %{{.*}}, %{{.*}}, %[[SA:.*]]:2, %[[TA:.*]]:2 = memref.extract_strided_metadata %[[A]]
// CHECK-DAG: %{{.*}}, %{{.*}}, %[[SB:.*]]:2, %[[TB:.*]]:2 = memref.extract_strided_metadata %[[B]]
// CHECK-DAG: %{{.*}}, %{{.*}}, %[[SC:.*]]:2, %[[TC:.*]]:2 = memref.extract_strided_metadata %[[C]]
// CHECK-NOT: scf.if
// CHECK: call @slm_x86_sgemm(%[[C1]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[C0]], %[[TA]]#0, %{{.*}}, %[[C0]], %[[TB]]#0, %{{.*}}, %[[C0]], %[[TC]]#0, %[[C0]], %c0{{(_[0-9]+)?}}) : (index, index, index, index, index, index, index, index, index, index, index, index, index, index, index) -> ()
// CHECK-NOT: linalg.matmul
// CHECK: return
// CHECK: func.func private @slm_x86_sgemm(index, index, index, index, index, index, index, index, index, index, index, index, index, index, index)
func.func @matmul(%a: memref<?x64xf32>, %b: memref<64x32xf32>, %c: memref<?x32xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<?x32xf32>)
  linalg.matmul ins(%a, %b : memref<?x64xf32>, memref<64x32xf32>) outs(%c : memref<?x32xf32>)
  return
}

// -----

// Without a zero fill right before it, the kernel accumulates (flags 1).
// CHECK-LABEL: func.func @accumulate
// CHECK: call @slm_x86_sgemm({{.*}}, %c1{{(_[0-9]+)?}}) :
func.func @accumulate(%a: memref<8x16xf32>, %b: memref<16x4xf32>, %c: memref<8x4xf32>) {
  linalg.matmul ins(%a, %b : memref<8x16xf32>, memref<16x4xf32>) outs(%c : memref<8x4xf32>)
  return
}

// -----

// A fill of another value, or something in between that may write C: no
// folding.
// CHECK-LABEL: func.func @no_fold
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%[[C:.*]] :
// CHECK: memref.copy
// CHECK: call @slm_x86_sgemm({{.*}}, %c1{{(_[0-9]+)?}}) :
func.func @no_fold(%a: memref<8x16xf32>, %b: memref<16x4xf32>, %c: memref<8x4xf32>, %d: memref<8x4xf32>) {
  %one = arith.constant 1.0 : f32
  linalg.fill ins(%one : f32) outs(%c : memref<8x4xf32>)
  memref.copy %d, %c : memref<8x4xf32> to memref<8x4xf32>
  linalg.matmul ins(%a, %b : memref<8x16xf32>, memref<16x4xf32>) outs(%c : memref<8x4xf32>)
  return
}

// -----

// batch_matmul: batch strides from the leading dims.
// CHECK-LABEL: func.func @batch
// CHECK-DAG: %{{.*}}, %{{.*}}, %[[SA:.*]]:3, %[[TA:.*]]:3 = memref.extract_strided_metadata %arg0
// CHECK-DAG: %{{.*}}, %{{.*}}, %[[SB:.*]]:3, %[[TB:.*]]:3 = memref.extract_strided_metadata %arg1
// CHECK-DAG: %{{.*}}, %{{.*}}, %[[SC:.*]]:3, %[[TC:.*]]:3 = memref.extract_strided_metadata %arg2
// CHECK: call @slm_x86_sgemm(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[TA]]#0, %[[TA]]#1, %{{.*}}, %[[TB]]#0, %[[TB]]#1, %{{.*}}, %[[TC]]#0, %[[TC]]#1, %{{.*}}, %{{.*}})
// CHECK-NOT: linalg.batch_matmul
func.func @batch(%a: memref<9x?x64xf32>, %b: memref<9x64x?xf32>, %c: memref<9x?x?xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<9x?x?xf32>)
  linalg.batch_matmul ins(%a, %b : memref<9x?x64xf32>, memref<9x64x?xf32>) outs(%c : memref<9x?x?xf32>)
  return
}

// -----

// The contraction generic elementwise fusion makes of a matmul between
// reshapes: A [?x?x3x64] (m = d0 d1, k = d2 d3), B [3x64x576] (k, n = d4),
// C [?x?x576]. M and K are products of their dims; lda is the stride of
// A's last m dim.
#mapA = affine_map<(d0, d1, d4, d2, d3) -> (d0, d1, d2, d3)>
#mapB = affine_map<(d0, d1, d4, d2, d3) -> (d2, d3, d4)>
#mapC = affine_map<(d0, d1, d4, d2, d3) -> (d0, d1, d4)>
// CHECK-LABEL: func.func @fused_generic
// CHECK-DAG: %{{.*}}, %{{.*}}, %[[SA:.*]]:4, %[[TA:.*]]:4 = memref.extract_strided_metadata %arg0
// CHECK-DAG: %{{.*}}, %{{.*}}, %[[SC:.*]]:3, %[[TC:.*]]:3 = memref.extract_strided_metadata %arg2
// CHECK-DAG: %[[M0:.*]] = arith.muli %{{.*}}, %[[SC]]#0
// CHECK-DAG: %[[M:.*]] = arith.muli %[[M0]], %[[SC]]#1
// CHECK-DAG: %[[K0:.*]] = arith.muli %{{.*}}, %[[SA]]#2
// CHECK-DAG: %[[K:.*]] = arith.muli %[[K0]], %[[SA]]#3
// CHECK: call @slm_x86_sgemm(%{{.*}}, %[[M]], %{{.*}}, %[[K]], %{{.*}}, %{{.*}}, %[[TA]]#1,
// CHECK-NOT: linalg.generic
func.func @fused_generic(%a: memref<?x?x3x64xf32>, %b: memref<3x64x576xf32>, %c: memref<?x?x576xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<?x?x576xf32>)
  linalg.generic {indexing_maps = [#mapA, #mapB, #mapC],
                  iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%a, %b : memref<?x?x3x64xf32>, memref<3x64x576xf32>) outs(%c : memref<?x?x576xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Dynamic strides (a weight under a fully dynamic layout map): the call is
// guarded by the run-time layout; the else branch keeps the fill and the op.
// CHECK-LABEL: func.func @dynamic_layout
// CHECK: %{{.*}}, %{{.*}}, %{{.*}}:2, %[[TB:.*]]:2 = memref.extract_strided_metadata %arg1
// CHECK: %[[UNIT:.*]] = arith.cmpi eq, %[[TB]]#1, %{{.*}} : index
// CHECK: scf.if %[[UNIT]] {
// CHECK-NEXT: func.call @slm_x86_sgemm
// CHECK-NEXT: } else {
// CHECK-NEXT: linalg.fill
// CHECK-NEXT: linalg.matmul
// CHECK-NEXT: }
func.func @dynamic_layout(%a: memref<?x64xf32>, %b: memref<64x32xf32, strided<[?, ?], offset: ?>>, %c: memref<?x32xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<?x32xf32>)
  linalg.matmul ins(%a, %b : memref<?x64xf32>, memref<64x32xf32, strided<[?, ?], offset: ?>>) outs(%c : memref<?x32xf32>)
  return
}

// -----

// A zero buffer shared through copies (bufferization's way with one fill
// for several accumulators): the copy goes, the kernel overwrites. The
// last user writes the zero buffer in place: it accumulates into it.
// CHECK-LABEL: func.func @zero_copy
// CHECK: linalg.fill
// CHECK-NOT: memref.copy
// CHECK: call @slm_x86_sgemm({{.*}}, %c0{{(_[0-9]+)?}}) :
// CHECK: call @slm_x86_sgemm({{.*}}, %c1{{(_[0-9]+)?}}) :
func.func @zero_copy(%a: memref<8x16xf32>, %b: memref<16x4xf32>, %c: memref<8x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %z = memref.alloc() : memref<8x4xf32>
  linalg.fill ins(%zero : f32) outs(%z : memref<8x4xf32>)
  memref.copy %z, %c : memref<8x4xf32> to memref<8x4xf32>
  linalg.matmul ins(%a, %b : memref<8x16xf32>, memref<16x4xf32>) outs(%c : memref<8x4xf32>)
  linalg.matmul ins(%a, %b : memref<8x16xf32>, memref<16x4xf32>) outs(%z : memref<8x4xf32>)
  memref.dealloc %z : memref<8x4xf32>
  return
}

// -----

// B = transpose(W) (a tied embedding as the lm_head): the kernel reads W
// as B^T (flags 2) and the transpose goes.
// CHECK-LABEL: func.func @transposed_b
// CHECK-NOT: linalg.transpose
// CHECK: %{{.*}}, %{{.*}}, %{{.*}}:2, %[[TW:.*]]:2 = memref.extract_strided_metadata %arg1
// CHECK: call @slm_x86_sgemm(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[TW]]#0, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %c2{{(_[0-9]+)?}})
func.func @transposed_b(%a: memref<?x64xf32>, %w: memref<512x64xf32>, %c: memref<?x512xf32>) {
  %zero = arith.constant 0.0 : f32
  %t = memref.alloc() : memref<64x512xf32>
  linalg.transpose ins(%w : memref<512x64xf32>) outs(%t : memref<64x512xf32>) permutation = [1, 0]
  linalg.fill ins(%zero : f32) outs(%c : memref<?x512xf32>)
  linalg.matmul ins(%a, %t : memref<?x64xf32>, memref<64x512xf32>) outs(%c : memref<?x512xf32>)
  memref.dealloc %t : memref<64x512xf32>
  return
}

// -----

// Not for the kernel: f16, a broadcast operand, a body that is not
// out + a * b, a non-contiguous group, a column stride.
#bcast = affine_map<(d0, d1, d2) -> (0, d2)>
#id0 = affine_map<(d0, d1, d2) -> (d0, d2)>
#id1 = affine_map<(d0, d1, d2) -> (d2, d1)>
#id2 = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @no_match
// CHECK-NOT: call @slm_x86_sgemm
// CHECK: linalg.matmul
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK: linalg.matmul
// CHECK-NOT: call @slm_x86_sgemm
// CHECK: return
func.func @no_match(%a16: memref<4x8xf16>, %b16: memref<8x2xf16>, %c16: memref<4x2xf16>,
                    %a: memref<4x8xf32>, %b: memref<8x2xf32>, %c: memref<4x2xf32>,
                    %bs: memref<8x2xf32, strided<[4, 2]>>) {
  linalg.matmul ins(%a16, %b16 : memref<4x8xf16>, memref<8x2xf16>) outs(%c16 : memref<4x2xf16>)
  linalg.generic {indexing_maps = [#bcast, #id1, #id2], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x8xf32>, memref<8x2xf32>) outs(%c : memref<4x2xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id0, #id1, #id2], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x8xf32>, memref<8x2xf32>) outs(%c : memref<4x2xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %q = arith.mulf %p, %p : f32
    %s = arith.addf %acc, %q : f32
    linalg.yield %s : f32
  }
  linalg.matmul ins(%a, %bs : memref<4x8xf32>, memref<8x2xf32, strided<[4, 2]>>) outs(%c : memref<4x2xf32>)
  return
}
