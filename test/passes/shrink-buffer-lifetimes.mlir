// RUN: slmc-opt %s --slm-shrink-buffer-lifetimes --split-input-file | FileCheck %s

// Two layers' temporaries: each is allocated right before its first use and
// freed right after its last (through a view), so the second layer can reuse
// the first one's memory.
// CHECK-LABEL: func.func @layers
// CHECK:      %[[A:.*]] = memref.alloc(%arg0)
// CHECK-NEXT: linalg.fill {{.*}} outs(%[[A]]
// CHECK-NEXT: %[[V:.*]] = memref.collapse_shape %[[A]]
// CHECK-NEXT: memref.copy %[[V]], %arg1
// CHECK-NEXT: memref.dealloc %[[A]]
// CHECK-NEXT: %[[B:.*]] = memref.alloc(%arg0)
// CHECK-NEXT: linalg.fill {{.*}} outs(%[[B]]
// CHECK-NEXT: %[[W:.*]] = memref.collapse_shape %[[B]]
// CHECK-NEXT: memref.copy %[[W]], %arg2
// CHECK-NEXT: memref.dealloc %[[B]]
// CHECK-NEXT: return
func.func @layers(%n: index, %out0: memref<?xf32>, %out1: memref<?xf32>) {
  %c0 = arith.constant 0.0 : f32
  %a = memref.alloc(%n) : memref<?x1xf32>
  %b = memref.alloc(%n) : memref<?x1xf32>
  linalg.fill ins(%c0 : f32) outs(%a : memref<?x1xf32>)
  %va = memref.collapse_shape %a [[0, 1]] : memref<?x1xf32> into memref<?xf32>
  memref.copy %va, %out0 : memref<?xf32> to memref<?xf32>
  linalg.fill ins(%c0 : f32) outs(%b : memref<?x1xf32>)
  %vb = memref.collapse_shape %b [[0, 1]] : memref<?x1xf32> into memref<?xf32>
  memref.copy %vb, %out1 : memref<?xf32> to memref<?xf32>
  memref.dealloc %a : memref<?x1xf32>
  memref.dealloc %b : memref<?x1xf32>
  return
}

// -----

// A use inside a loop keeps the buffer alive until the loop ends; a loop
// result that is the buffer (a view of it) extends the range to its uses.
// CHECK-LABEL: func.func @loop
// CHECK:      %[[A:.*]] = memref.alloc()
// CHECK:      %[[R:.*]] = scf.for
// CHECK:      memref.copy %[[R]], %arg1
// CHECK-NEXT: memref.dealloc %[[A]]
// CHECK-NEXT: %[[B:.*]] = memref.alloc()
// CHECK-NEXT: memref.copy %arg1, %[[B]]
// CHECK-NEXT: memref.dealloc %[[B]]
func.func @loop(%n: index, %out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %a = memref.alloc() : memref<4xf32>
  %b = memref.alloc() : memref<4xf32>
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%it = %a) -> (memref<4xf32>) {
    memref.copy %out, %it : memref<4xf32> to memref<4xf32>
    scf.yield %it : memref<4xf32>
  }
  memref.copy %r, %out : memref<4xf32> to memref<4xf32>
  memref.copy %out, %b : memref<4xf32> to memref<4xf32>
  memref.dealloc %a : memref<4xf32>
  memref.dealloc %b : memref<4xf32>
  return
}

// -----

// A buffer whose address is taken as an integer (a kernel call may keep it)
// keeps its dealloc where it was.
// CHECK-LABEL: func.func @escapes
// CHECK:      memref.extract_aligned_pointer_as_index
// CHECK-NEXT: call @consume
// CHECK-NEXT: memref.copy
// CHECK-NEXT: memref.dealloc
func.func private @consume(index)
func.func @escapes(%out: memref<4xf32>) {
  %a = memref.alloc() : memref<4xf32>
  %p = memref.extract_aligned_pointer_as_index %a : memref<4xf32> -> index
  call @consume(%p) : (index) -> ()
  memref.copy %out, %out : memref<4xf32> to memref<4xf32>
  memref.dealloc %a : memref<4xf32>
  return
}
