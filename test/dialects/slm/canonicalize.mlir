// RUN: slmc-opt %s --canonicalize --split-input-file | FileCheck %s

// Shape arithmetic folds to constants and slm.dims; consumers absorb known
// shape operands; the dims ops then die.

// CHECK-LABEL: func.func @shape_to_dims
// CHECK-NEXT: %[[D:.+]] = slm.dims <"batch", "seq", "64"> : tensor<3xi64>
// CHECK-NEXT: return %[[D]]
func.func @shape_to_dims(%arg0: tensor<?x?x64xf32, #slm.dims<"batch", "seq">>) -> tensor<3xi64> {
  %0 = slm.shape %arg0 {start = 0 : i64, end = 3 : i64} : (tensor<?x?x64xf32, #slm.dims<"batch", "seq">>) -> tensor<3xi64>
  return %0 : tensor<3xi64>
}

// -----

// A static part of a shape is a plain constant.
// CHECK-LABEL: func.func @static_shape
// CHECK-NEXT: %[[C:.+]] = slm.constant dense<64> : tensor<1xi64>
// CHECK-NEXT: return %[[C]]
func.func @static_shape(%arg0: tensor<2x?x64xf32, #slm.dims<"seq">>) -> tensor<1xi64> {
  %0 = slm.shape %arg0 {start = 2 : i64, end = 3 : i64} : (tensor<2x?x64xf32, #slm.dims<"seq">>) -> tensor<1xi64>
  return %0 : tensor<1xi64>
}

// -----

// x.view(x.size(0), x.size(-2), 4, 16): gather (with a negative index) and
// concat fold, the reshape absorbs its shape operand, nothing else is left.
// CHECK-LABEL: func.func @gather_concat_reshape
// CHECK-NEXT: %[[R:.+]] = slm.reshape %arg0 : (tensor<?x?x64xf32, #slm.dims<"batch", "seq">>) -> tensor<?x?x4x16xf32, #slm.dims<"batch", "seq">>
// CHECK-NEXT: return %[[R]]
func.func @gather_concat_reshape(%arg0: tensor<?x?x64xf32, #slm.dims<"batch", "seq">>) -> tensor<?x?x4x16xf32, #slm.dims<"batch", "seq">> {
  %s = slm.shape %arg0 {start = 0 : i64, end = 3 : i64} : (tensor<?x?x64xf32, #slm.dims<"batch", "seq">>) -> tensor<3xi64>
  %i0 = slm.constant dense<0> : tensor<1xi64>
  %i1 = slm.constant dense<-2> : tensor<1xi64>
  %b = slm.gather %s, %i0 {axis = 0 : i64} : (tensor<3xi64>, tensor<1xi64>) -> tensor<1xi64>
  %q = slm.gather %s, %i1 {axis = 0 : i64} : (tensor<3xi64>, tensor<1xi64>) -> tensor<1xi64>
  %c = slm.constant dense<[4, 16]> : tensor<2xi64>
  %t = slm.concat %b, %q, %c {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>, tensor<2xi64>) -> tensor<4xi64>
  %r = slm.reshape %arg0, %t : (tensor<?x?x64xf32, #slm.dims<"batch", "seq">>, tensor<4xi64>) -> tensor<?x?x4x16xf32, #slm.dims<"batch", "seq">>
  return %r : tensor<?x?x4x16xf32, #slm.dims<"batch", "seq">>
}

// -----

// A known shape that contradicts the result type is not absorbed.
// CHECK-LABEL: func.func @reshape_shape_mismatch
// CHECK-NEXT: %[[S:.+]] = slm.dims <"seq", "batch", "4", "16"> : tensor<4xi64>
// CHECK-NEXT: %[[R:.+]] = slm.reshape %arg0, %[[S]] : (tensor<?x?x64xf32, #slm.dims<"batch", "seq">>, tensor<4xi64>) -> tensor<?x?x4x16xf32, #slm.dims<"batch", "seq">>
// CHECK-NEXT: return %[[R]]
func.func @reshape_shape_mismatch(%arg0: tensor<?x?x64xf32, #slm.dims<"batch", "seq">>) -> tensor<?x?x4x16xf32, #slm.dims<"batch", "seq">> {
  %t = slm.dims <"seq", "batch", "4", "16"> : tensor<4xi64>
  %r = slm.reshape %arg0, %t : (tensor<?x?x64xf32, #slm.dims<"batch", "seq">>, tensor<4xi64>) -> tensor<?x?x4x16xf32, #slm.dims<"batch", "seq">>
  return %r : tensor<?x?x4x16xf32, #slm.dims<"batch", "seq">>
}

// -----

// reshape(reshape(x)) -> reshape(x)
// CHECK-LABEL: func.func @collapse_reshapes
// CHECK-NEXT: %[[R:.+]] = slm.reshape %arg0 : (tensor<?x?x64xf32, #slm.dims<"batch", "seq">>) -> tensor<?x64xf32, #slm.dims<"batch*seq">>
// CHECK-NEXT: return %[[R]]
func.func @collapse_reshapes(%arg0: tensor<?x?x64xf32, #slm.dims<"batch", "seq">>) -> tensor<?x64xf32, #slm.dims<"batch*seq">> {
  %0 = slm.reshape %arg0 : (tensor<?x?x64xf32, #slm.dims<"batch", "seq">>) -> tensor<?x?x4x16xf32, #slm.dims<"batch", "seq">>
  %1 = slm.reshape %0 : (tensor<?x?x4x16xf32, #slm.dims<"batch", "seq">>) -> tensor<?x64xf32, #slm.dims<"batch*seq">>
  return %1 : tensor<?x64xf32, #slm.dims<"batch*seq">>
}

// -----

// A reshape to its own type is a no-op.
// CHECK-LABEL: func.func @reshape_identity
// CHECK-NEXT: return %arg0
func.func @reshape_identity(%arg0: tensor<?x64xf32, #slm.dims<"n">>) -> tensor<?x64xf32, #slm.dims<"n">> {
  %0 = slm.reshape %arg0 : (tensor<?x64xf32, #slm.dims<"n">>) -> tensor<?x64xf32, #slm.dims<"n">>
  return %0 : tensor<?x64xf32, #slm.dims<"n">>
}

// -----

// Position ids: add(range(0), past) -> range(past), either operand order.
// CHECK-LABEL: func.func @range_plus_dims
// CHECK-NEXT: %[[A:.+]] = slm.range <"past"> {delta = 1 : i64} : tensor<?xi64, #slm.dims<"seq">>
// CHECK-NEXT: %[[B:.+]] = slm.range <"past + 3"> {delta = 2 : i64} : tensor<?xi64, #slm.dims<"seq">>
// CHECK-NEXT: return %[[A]], %[[B]]
func.func @range_plus_dims() -> (tensor<?xi64, #slm.dims<"seq">>, tensor<?xi64, #slm.dims<"seq">>) {
  %r = slm.range <"0"> {delta = 1 : i64} : tensor<?xi64, #slm.dims<"seq">>
  %p = slm.dims <"past"> : tensor<i64>
  %a = slm.add %r, %p : (tensor<?xi64, #slm.dims<"seq">>, tensor<i64>) -> tensor<?xi64, #slm.dims<"seq">>
  %r2 = slm.range <"3"> {delta = 2 : i64} : tensor<?xi64, #slm.dims<"seq">>
  %b = slm.add %p, %r2 : (tensor<i64>, tensor<?xi64, #slm.dims<"seq">>) -> tensor<?xi64, #slm.dims<"seq">>
  return %a, %b : tensor<?xi64, #slm.dims<"seq">>, tensor<?xi64, #slm.dims<"seq">>
}

// -----

// A small static range folds to its values.
// CHECK-LABEL: func.func @range_static
// CHECK-NEXT: %[[C:.+]] = slm.constant dense<[5, 3, 1]> : tensor<3xi64>
// CHECK-NEXT: return %[[C]]
func.func @range_static() -> tensor<3xi64> {
  %r = slm.range <"5"> {delta = -2 : i64} : tensor<3xi64>
  return %r : tensor<3xi64>
}

// -----

// Where(Equal(shape, -1), 1, shape): a dim is never -1, so the condition is
// known even for the symbolic batch; the expand absorbs the result.
// CHECK-LABEL: func.func @where_equal
// CHECK-NEXT: %[[X:.+]] = slm.expand %arg0 : (tensor<1x?x1xf32, #slm.dims<"seq">>) -> tensor<?x?x8xf32, #slm.dims<"batch", "seq">>
// CHECK-NEXT: return %[[X]]
func.func @where_equal(%arg0: tensor<1x?x1xf32, #slm.dims<"seq">>) -> tensor<?x?x8xf32, #slm.dims<"batch", "seq">> {
  %s = slm.dims <"batch", "-1", "8"> : tensor<3xi64>
  %m = slm.constant dense<-1> : tensor<i64>
  %e = slm.equal %s, %m : (tensor<3xi64>, tensor<i64>) -> tensor<3xi1>
  %one = slm.constant dense<1> : tensor<3xi64>
  %w = slm.where %e, %one, %s : (tensor<3xi1>, tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  %x = slm.expand %arg0, %w : (tensor<1x?x1xf32, #slm.dims<"seq">>, tensor<3xi64>) -> tensor<?x?x8xf32, #slm.dims<"batch", "seq">>
  return %x : tensor<?x?x8xf32, #slm.dims<"batch", "seq">>
}

// -----

// Equal of dims: identical expressions are equal, a constant difference
// decides, a dim is never negative.
// CHECK-LABEL: func.func @equal_dims
// CHECK-NEXT: %[[C:.+]] = slm.constant dense<[true, false, false]> : tensor<3xi1>
// CHECK-NEXT: return %[[C]]
func.func @equal_dims() -> tensor<3xi1> {
  %a = slm.dims <"seq", "seq + 1", "past + seq"> : tensor<3xi64>
  %b = slm.dims <"seq", "seq", "-2"> : tensor<3xi64>
  %c = slm.equal %a, %b : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi1>
  return %c : tensor<3xi1>
}

// -----

// An undecidable comparison (past + seq <= seq holds only for past = 0)
// does not fold.
// CHECK-LABEL: func.func @compare_undecided
// CHECK: slm.less_or_equal
func.func @compare_undecided() -> tensor<1xi1> {
  %a = slm.dims <"past + seq"> : tensor<1xi64>
  %b = slm.dims <"seq"> : tensor<1xi64>
  %c = slm.less_or_equal %a, %b : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi1>
  return %c : tensor<1xi1>
}

// -----

// CHECK-LABEL: func.func @compare_dims
// CHECK-NEXT: %[[C:.+]] = slm.constant dense<[true, false, true]> : tensor<3xi1>
// CHECK-NEXT: return %[[C]]
func.func @compare_dims() -> tensor<3xi1> {
  %a = slm.dims <"seq", "seq + 1", "seq"> : tensor<3xi64>
  %b = slm.dims <"seq", "seq", "seq + 2"> : tensor<3xi64>
  %c = slm.less_or_equal %a, %b : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi1>
  return %c : tensor<3xi1>
}

// -----

// Cast of symbolic values between integer types keeps them symbolic.
// CHECK-LABEL: func.func @cast_dims
// CHECK-NEXT: %[[D:.+]] = slm.dims <"batch", "seq + 1"> : tensor<2xi32>
// CHECK-NEXT: return %[[D]]
func.func @cast_dims() -> tensor<2xi32> {
  %s = slm.dims <"batch", "seq + 1"> : tensor<2xi64>
  %c = slm.cast %s : (tensor<2xi64>) -> tensor<2xi32>
  return %c : tensor<2xi32>
}

// -----

// Cast of constants: int to float, float to int (truncating), int to bool.
// CHECK-LABEL: func.func @cast_constants
// CHECK-DAG: %[[F:.+]] = slm.constant dense<[-1.000000e+00, 3.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[I:.+]] = slm.constant dense<[-1, 2]> : tensor<2xi64>
// CHECK-DAG: %[[B:.+]] = slm.constant dense<[false, true]> : tensor<2xi1>
// CHECK: return %[[F]], %[[I]], %[[B]]
func.func @cast_constants() -> (tensor<2xf32>, tensor<2xi64>, tensor<2xi1>) {
  %i = slm.constant dense<[-1, 3]> : tensor<2xi64>
  %f = slm.cast %i : (tensor<2xi64>) -> tensor<2xf32>
  %g = slm.constant dense<[-1.7, 2.5]> : tensor<2xf32>
  %t = slm.cast %g : (tensor<2xf32>) -> tensor<2xi64>
  %z = slm.constant dense<[0, 3]> : tensor<2xi64>
  %b = slm.cast %z : (tensor<2xi64>) -> tensor<2xi1>
  return %f, %t, %b : tensor<2xf32>, tensor<2xi64>, tensor<2xi1>
}

// -----

// Integer arithmetic on dims: products, exact division by constants,
// differences, max when one side is provably larger.
// CHECK-LABEL: func.func @arith_dims
// CHECK-NEXT: %[[D:.+]] = slm.dims <"batch*seq", "seq", "64", "past*seq + seq*seq - seq"> : tensor<4xi64>
// CHECK-NEXT: %[[M:.+]] = slm.dims <"seq + 1", "past + seq"> : tensor<2xi64>
// CHECK-NEXT: return %[[D]], %[[M]]
func.func @arith_dims() -> (tensor<4xi64>, tensor<2xi64>) {
  %s = slm.dims <"batch", "seq", "64", "past + seq"> : tensor<4xi64>
  %t = slm.dims <"seq", "2", "4", "seq"> : tensor<4xi64>
  %u = slm.dims <"1", "2", "4", "1"> : tensor<4xi64>
  %m = slm.mul %s, %t : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  %d = slm.div %m, %u : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  %v = slm.dims <"0", "0", "0", "seq"> : tensor<4xi64>
  %a = slm.sub %d, %v : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  %x = slm.dims <"seq", "past + seq"> : tensor<2xi64>
  %y = slm.dims <"seq + 1", "seq"> : tensor<2xi64>
  %mx = slm.max %x, %y : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  return %a, %mx : tensor<4xi64>, tensor<2xi64>
}

// -----

// Shape -> Slice -> Squeeze -> Unsqueeze stays a known value.
// CHECK-LABEL: func.func @squeeze_unsqueeze_slice
// CHECK-NEXT: %[[D:.+]] = slm.dims <"seq"> : tensor<1xi64>
// CHECK-NEXT: return %[[D]]
func.func @squeeze_unsqueeze_slice(%arg0: tensor<?x?x64xf32, #slm.dims<"batch", "seq">>) -> tensor<1xi64> {
  %s = slm.shape %arg0 {start = 0 : i64, end = 3 : i64} : (tensor<?x?x64xf32, #slm.dims<"batch", "seq">>) -> tensor<3xi64>
  %sl = slm.slice %s {starts = #slm.dims<"1">, ends = #slm.dims<"2">, steps = array<i64: 1>} : (tensor<3xi64>) -> tensor<1xi64>
  %q = slm.squeeze %sl {axes = array<i64: 0>} : (tensor<1xi64>) -> tensor<i64>
  %u = slm.unsqueeze %q {axes = array<i64: 0>} : (tensor<i64>) -> tensor<1xi64>
  return %u : tensor<1xi64>
}

// -----

// constant_of_shape absorbs a known symbolic shape; a static one folds to a
// splat constant.
// CHECK-LABEL: func.func @constant_of_shape
// CHECK-DAG: %[[A:.+]] = slm.constant_of_shape {value = 1.000000e+00 : f32} : () -> tensor<?x?xf32, #slm.dims<"batch", "seq">>
// CHECK-DAG: %[[B:.+]] = slm.constant dense<7> : tensor<2x3xi64>
// CHECK: return %[[A]], %[[B]]
func.func @constant_of_shape(%arg0: tensor<?x?xf32, #slm.dims<"batch", "seq">>) -> (tensor<?x?xf32, #slm.dims<"batch", "seq">>, tensor<2x3xi64>) {
  %s = slm.shape %arg0 {start = 0 : i64, end = 2 : i64} : (tensor<?x?xf32, #slm.dims<"batch", "seq">>) -> tensor<2xi64>
  %c = slm.constant_of_shape %s {value = 1.0 : f32} : (tensor<2xi64>) -> tensor<?x?xf32, #slm.dims<"batch", "seq">>
  %t = slm.constant dense<[2, 3]> : tensor<2xi64>
  %d = slm.constant_of_shape %t {value = 7 : i64} : (tensor<2xi64>) -> tensor<2x3xi64>
  return %c, %d : tensor<?x?xf32, #slm.dims<"batch", "seq">>, tensor<2x3xi64>
}

// -----

// Identity permutations, single-input concats and same-type casts vanish.
// CHECK-LABEL: func.func @identities
// CHECK-NEXT: return %arg0, %arg0, %arg0
func.func @identities(%arg0: tensor<?x4xf32, #slm.dims<"n">>) -> (tensor<?x4xf32, #slm.dims<"n">>, tensor<?x4xf32, #slm.dims<"n">>, tensor<?x4xf32, #slm.dims<"n">>) {
  %0 = slm.transpose %arg0 {perm = array<i64: 0, 1>} : (tensor<?x4xf32, #slm.dims<"n">>) -> tensor<?x4xf32, #slm.dims<"n">>
  %1 = slm.concat %arg0 {axis = 0 : i64} : (tensor<?x4xf32, #slm.dims<"n">>) -> tensor<?x4xf32, #slm.dims<"n">>
  %2 = slm.cast %arg0 : (tensor<?x4xf32, #slm.dims<"n">>) -> tensor<?x4xf32, #slm.dims<"n">>
  return %0, %1, %2 : tensor<?x4xf32, #slm.dims<"n">>, tensor<?x4xf32, #slm.dims<"n">>, tensor<?x4xf32, #slm.dims<"n">>
}

// -----

// Small float constants fold through elementwise ops.
// CHECK-LABEL: func.func @float_fold
// CHECK-NEXT: %[[C:.+]] = slm.constant dense<[5.000000e-01, 2.500000e-01]> : tensor<2xf32>
// CHECK-NEXT: return %[[C]]
func.func @float_fold() -> tensor<2xf32> {
  %a = slm.constant dense<[4.0, 16.0]> : tensor<2xf32>
  %s = slm.sqrt %a : (tensor<2xf32>) -> tensor<2xf32>
  %r = slm.reciprocal %s : (tensor<2xf32>) -> tensor<2xf32>
  return %r : tensor<2xf32>
}
