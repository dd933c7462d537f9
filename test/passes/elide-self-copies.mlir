// RUN: slmc-opt %s --slm-elide-self-copies | FileCheck %s

// A copy from one argument into a view of another is guarded by a check of
// their start addresses (the KV cache kept in place makes them equal).
// CHECK-LABEL: func.func @append
// CHECK: %[[SV:.*]] = memref.subview %arg2
// CHECK: %[[A:.*]] = memref.extract_aligned_pointer_as_index %arg1
// CHECK: %[[B:.*]] = memref.extract_aligned_pointer_as_index %[[SV]]
// CHECK: %[[NE:.*]] = arith.cmpi ne
// CHECK: scf.if %[[NE]] {
// CHECK-NEXT: memref.copy %arg1, %[[SV]]
func.func @append(%p: index, %past: memref<2x?x4xf32, strided<[?, ?, ?], offset: ?>>,
                  %present: memref<2x?x4xf32, strided<[?, ?, ?], offset: ?>>) {
  %sv = memref.subview %present[0, 0, 0] [2, %p, 4] [1, 1, 1] : memref<2x?x4xf32, strided<[?, ?, ?], offset: ?>> to memref<2x?x4xf32, strided<[?, ?, ?], offset: ?>>
  memref.copy %past, %sv : memref<2x?x4xf32, strided<[?, ?, ?], offset: ?>> to memref<2x?x4xf32, strided<[?, ?, ?], offset: ?>>
  return
}

// Copies from or into local buffers cannot alias: untouched.
// CHECK-LABEL: func.func @local
// CHECK-NOT: scf.if
// CHECK: memref.copy
func.func @local(%x: memref<4xf32>) {
  %a = memref.alloc() : memref<4xf32>
  memref.copy %x, %a : memref<4xf32> to memref<4xf32>
  return
}
