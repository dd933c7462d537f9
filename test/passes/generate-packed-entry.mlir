// RUN: slmc-opt %s --slm-generate-packed-entry | FileCheck %s

// args[i] points to an int64 (index parameter) or a memref descriptor.
// CHECK: llvm.func @slm_main(%[[ARGV:[a-z0-9]*]]: !llvm.ptr)
// CHECK: %[[P0:.*]] = llvm.getelementptr %[[ARGV]][0]
// CHECK: %[[Q0:.*]] = llvm.load %[[P0]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[N:.*]] = llvm.load %[[Q0]] : !llvm.ptr -> i64
// CHECK: %[[P1:.*]] = llvm.getelementptr %[[ARGV]][1]
// CHECK: %[[D:.*]] = llvm.load %[[P1]] : !llvm.ptr -> !llvm.ptr
// CHECK: llvm.call @_mlir_ciface_main(%[[N]], %[[D]])
llvm.func @_mlir_ciface_main(%n: i64, %desc: !llvm.ptr) {
  llvm.return
}
