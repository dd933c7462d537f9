// RUN: slmc-opt %s --slm-results-to-destinations | FileCheck %s

// CHECK-LABEL: func.func @main(
// CHECK-SAME: %[[X:.*]]: tensor<?xf32>, %[[OUT:.*]]: tensor<?xf32> {bufferization.writable = true, slm.output = "y"})
// CHECK-NOT: ->
// CHECK: %[[R:.*]] = arith.addf
// CHECK: bufferization.materialize_in_destination %[[R]] in %[[OUT]]
// CHECK: return{{$}}
func.func @main(%x: tensor<?xf32>) -> (tensor<?xf32> {slm.name = "y"}) {
  %r = arith.addf %x, %x : tensor<?xf32>
  return %r : tensor<?xf32>
}

// Private functions keep their results.
// CHECK-LABEL: func.func private @helper(%{{.*}}: tensor<4xf32>) -> tensor<4xf32>
func.func private @helper(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
