// RUN: slmc-opt %s --slm-outline-kernels | FileCheck %s

// Two identical elementwise ops (one per "layer") share one kernel; the
// constant is cloned into it; the entry keeps allocations and calls.
// CHECK-LABEL: func.func @main
// CHECK: call @[[K:kernel_0_generic]](%arg0, %[[A:.*]]) : (memref<4xf32>, memref<4xf32>) -> ()
// CHECK: call @[[K]](%[[A]], %arg1) : (memref<4xf32>, memref<4xf32>) -> ()
// CHECK-NOT: linalg.generic
// CHECK: func.func private @[[K]](%{{.*}}: memref<4xf32>, %{{.*}}: memref<4xf32>)
// CHECK: arith.constant 2.0
// CHECK: linalg.generic
// CHECK-NOT: func.func private @kernel_1
#id = affine_map<(d0) -> (d0)>
func.func @main(%x: memref<4xf32>, %out: memref<4xf32>) {
  %two = arith.constant 2.0 : f32
  %a = memref.alloc() : memref<4xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%x : memref<4xf32>) outs(%a : memref<4xf32>) {
  ^bb0(%i: f32, %o: f32):
    %m = arith.mulf %i, %two : f32
    linalg.yield %m : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%a : memref<4xf32>) outs(%out : memref<4xf32>) {
  ^bb0(%i: f32, %o: f32):
    %m = arith.mulf %i, %two : f32
    linalg.yield %m : f32
  }
  memref.dealloc %a : memref<4xf32>
  return
}

// RUN: slmc-opt %s --slm-outline-kernels=profile | FileCheck %s --check-prefix=PROF
// PROF: module attributes {slm.kernel_names = ["kernel_0_generic"]}
// PROF: %[[ID:.*]] = arith.constant 0 : i64
// PROF: call @slm_rt_kernel_begin(%[[ID]])
// PROF-NEXT: call @kernel_0_generic
// PROF-NEXT: call @slm_rt_kernel_end(%[[ID]])
// PROF: func.func private @slm_rt_kernel_begin(i64)
