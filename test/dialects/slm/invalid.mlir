// RUN: slmc-opt %s -split-input-file -verify-diagnostics

func.func @reduce_axis_out_of_range(%arg0: tensor<4x8xf32>) -> tensor<4x1xf32> {
  // expected-error @+1 {{'slm.reduce_mean' op axis 2 out of range for rank 2}}
  %0 = slm.reduce_mean %arg0 {axes = array<i64: 2>} : (tensor<4x8xf32>) -> tensor<4x1xf32>
  return %0 : tensor<4x1xf32>
}

// -----

func.func @reduce_axes_unsorted(%arg0: tensor<4x8xf32>) -> tensor<1x1xf32> {
  // expected-error @+1 {{'slm.reduce_sum' op axes must be sorted and unique}}
  %0 = slm.reduce_sum %arg0 {axes = array<i64: 1, 0>} : (tensor<4x8xf32>) -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}

// -----

func.func @softmax_axis(%arg0: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'slm.softmax' op axis 2 out of range for rank 2}}
  %0 = slm.softmax %arg0 {axis = 2 : i64} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @concat_axis(%arg0: tensor<4xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'slm.concat' op axis 1 out of range for rank 1}}
  %0 = slm.concat %arg0, %arg0 {axis = 1 : i64} : (tensor<4xf32>, tensor<4xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @transpose_not_a_permutation(%arg0: tensor<4x8xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{'slm.transpose' op perm is not a permutation}}
  %0 = slm.transpose %arg0 {perm = array<i64: 0, 0>} : (tensor<4x8xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @transpose_perm_length(%arg0: tensor<4x8xf32>) -> tensor<8x4xf32> {
  // expected-error @+2 {{slm.transpose: perm has 3 entries for rank 2}}
  // expected-error @+1 {{'slm.transpose' op failed to infer returned types}}
  %0 = slm.transpose %arg0 {perm = array<i64: 1, 0, 2>} : (tensor<4x8xf32>) -> tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

// -----

func.func @slice_bounds_count(%arg0: tensor<?x8xf32, #slm.dims<"n">>) -> tensor<?x4xf32, #slm.dims<"n">> {
  // expected-error @+1 {{'slm.slice' op needs one start, end and step per input dim (rank 2)}}
  %0 = slm.slice %arg0 {starts = #slm.dims<"0">, ends = #slm.dims<"4">, steps = array<i64: 1>} : (tensor<?x8xf32, #slm.dims<"n">>) -> tensor<?x4xf32, #slm.dims<"n">>
  return %0 : tensor<?x4xf32, #slm.dims<"n">>
}

// -----

func.func @slice_zero_step(%arg0: tensor<8xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'slm.slice' op step must not be 0}}
  %0 = slm.slice %arg0 {starts = #slm.dims<"0">, ends = #slm.dims<"4">, steps = array<i64: 0>} : (tensor<8xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @dims_count() -> tensor<3xi64> {
  // expected-error @+1 {{'slm.dims' op has 2 values for 3 elements}}
  %0 = slm.dims <"batch", "seq"> : tensor<3xi64>
  return %0 : tensor<3xi64>
}

// -----

func.func @dims_rank() -> tensor<1x2xi64> {
  // expected-error @+1 {{'slm.dims' op result must be a static 0-D or 1-D integer tensor}}
  %0 = slm.dims <"batch", "seq"> : tensor<1x2xi64>
  return %0 : tensor<1x2xi64>
}

// -----

func.func @dims_bad_expression() -> tensor<1xi64> {
  // expected-error @+1 {{invalid dimension expression 'batch +'}}
  %0 = slm.dims <"batch +"> : tensor<1xi64>
  return %0 : tensor<1xi64>
}

// -----

func.func @reshape_element_count(%arg0: tensor<4x10xf32>) -> tensor<6x7xf32> {
  // expected-error @+1 {{'slm.reshape' op changes the number of elements from 40 to 42}}
  %0 = slm.reshape %arg0 : (tensor<4x10xf32>) -> tensor<6x7xf32>
  return %0 : tensor<6x7xf32>
}

// -----

func.func @reshape_element_type(%arg0: tensor<4x10xf32>) -> tensor<40xf16> {
  // expected-error @+1 {{'slm.reshape' op changes the element type}}
  %0 = slm.reshape %arg0 : (tensor<4x10xf32>) -> tensor<40xf16>
  return %0 : tensor<40xf16>
}

// -----

func.func @reshape_shape_length(%arg0: tensor<4x10xf32>, %s: tensor<3xi64>) -> tensor<40xf32> {
  // expected-error @+1 {{'slm.reshape' op shape has 3 entries for a result of rank 1}}
  %0 = slm.reshape %arg0, %s : (tensor<4x10xf32>, tensor<3xi64>) -> tensor<40xf32>
  return %0 : tensor<40xf32>
}

// -----

func.func @reshape_unnamed_dim(%arg0: tensor<4x10xf32>) -> tensor<?xf32> {
  // expected-error @+1 {{'slm.reshape' op result type must have named dims (#slm.dims)}}
  %0 = slm.reshape %arg0 : (tensor<4x10xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @expand_shape_length(%a: tensor<4xf32>, %s: tensor<3xi64>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'slm.expand' op shape has 3 entries for a result of rank 2}}
  %0 = slm.expand %a, %s : (tensor<4xf32>, tensor<3xi64>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @constant_of_shape_value_type(%v: tensor<2xi64>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'slm.constant_of_shape' op value type 'i64' differs from the result element type}}
  %0 = slm.constant_of_shape %v {value = 1 : i64} : (tensor<2xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @split_sizes(%arg0: tensor<?x10xf32, #slm.dims<"n">>) -> (tensor<?x3xf32, #slm.dims<"n">>, tensor<?x8xf32, #slm.dims<"n">>) {
  // expected-error @+1 {{'slm.split' op result sizes add up to 11, not 10}}
  %0:2 = slm.split %arg0 {axis = 1 : i64} : (tensor<?x10xf32, #slm.dims<"n">>) -> (tensor<?x3xf32, #slm.dims<"n">>, tensor<?x8xf32, #slm.dims<"n">>)
  return %0#0, %0#1 : tensor<?x3xf32, #slm.dims<"n">>, tensor<?x8xf32, #slm.dims<"n">>
}

// -----

func.func @squeeze_non_unit(%arg0: tensor<4x1xf32>) -> tensor<1xf32> {
  // expected-error @+1 {{'slm.squeeze' op squeezes dim 0 of size 4}}
  %0 = slm.squeeze %arg0 {axes = array<i64: 0>} : (tensor<4x1xf32>) -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

func.func @unsqueeze_repeated_axes(%a: tensor<4xf32>) -> tensor<4x1xf32> {
  // expected-error @+1 {{'slm.unsqueeze' op axes must be sorted and unique}}
  %0 = slm.unsqueeze %a {axes = array<i64: 1, 1>} : (tensor<4xf32>) -> tensor<4x1xf32>
  return %0 : tensor<4x1xf32>
}

// -----

func.func @shape_bounds(%a: tensor<4x8xf32>) -> tensor<2xi64> {
  // expected-error @+1 {{'slm.shape' op [start, end) = [1, 3) out of range for rank 2}}
  %0 = slm.shape %a {start = 1 : i64, end = 3 : i64} : (tensor<4x8xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

func.func @range_delta() -> tensor<4xi64> {
  // expected-error @+1 {{'slm.range' op delta must not be 0}}
  %0 = slm.range <"0"> {delta = 0 : i64} : tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

func.func @range_start_count() -> tensor<4xi64> {
  // expected-error @+1 {{'slm.range' op start must hold one value}}
  %0 = slm.range <"0", "1"> {delta = 1 : i64} : tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

func.func @trilu_rank(%arg0: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'slm.trilu' op input must have rank >= 2}}
  %0 = slm.trilu %arg0 {k = #slm.dims<"0">} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @gelu_mode(%arg0: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'slm.gelu' op approximate must be "none" or "tanh", got "fast"}}
  %0 = slm.gelu %arg0 {approximate = "fast"} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @scatter_reduction(%d: tensor<4x8xf32>, %i: tensor<2x1xi64>, %u: tensor<2x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'slm.scatter_nd' op unknown reduction 'avg'}}
  %0 = slm.scatter_nd %d, %i, %u {reduction = "avg"} : (tensor<4x8xf32>, tensor<2x1xi64>, tensor<2x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @weight_dynamic() -> tensor<?xf32> {
  // expected-error @+1 {{'slm.weight' op weight w must have a static shape}}
  %0 = slm.weight @w : tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @cast_changes_shape(%arg0: tensor<4xf32>) -> tensor<5xf16> {
  // expected-error @+1 {{'slm.cast' op changes the shape}}
  %0 = slm.cast %arg0 : (tensor<4xf32>) -> tensor<5xf16>
  return %0 : tensor<5xf16>
}

// -----

// Inferred result types are checked, symbolic dims included.
func.func @add_wrong_symbol(%a: tensor<?x8xf32, #slm.dims<"n">>) -> tensor<?x8xf32, #slm.dims<"m">> {
  // expected-error @+2 {{'slm.add' op inferred type(s) 'tensor<?x8xf32, #slm.dims<"n">>' are incompatible with return type(s) of operation 'tensor<?x8xf32, #slm.dims<"m">>'}}
  // expected-error @+1 {{'slm.add' op failed to infer returned types}}
  %0 = slm.add %a, %a : (tensor<?x8xf32, #slm.dims<"n">>, tensor<?x8xf32, #slm.dims<"n">>) -> tensor<?x8xf32, #slm.dims<"m">>
  return %0 : tensor<?x8xf32, #slm.dims<"m">>
}

// -----

func.func @add_no_broadcast(%a: tensor<4x8xf32>, %b: tensor<3xf32>) -> tensor<4x8xf32> {
  // expected-error @+2 {{slm.add: dims 8 and 3 do not broadcast}}
  // expected-error @+1 {{'slm.add' op failed to infer returned types}}
  %0 = slm.add %a, %b : (tensor<4x8xf32>, tensor<3xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @matmul_contraction(%a: tensor<4x8xf32>, %b: tensor<7x2xf32>) -> tensor<4x2xf32> {
  // expected-error @+2 {{slm.matmul: contraction dims differ: 8 vs 7}}
  // expected-error @+1 {{'slm.matmul' op failed to infer returned types}}
  %0 = slm.matmul %a, %b : (tensor<4x8xf32>, tensor<7x2xf32>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

func.func @gather_nd_index_depth(%d: tensor<4x8xf32>, %i: tensor<2x3xi64>) -> tensor<2xf32> {
  // expected-error @+2 {{slm.gather_nd: the last indices dim must be a constant <= data rank - batch_dims}}
  // expected-error @+1 {{'slm.gather_nd' op failed to infer returned types}}
  %0 = slm.gather_nd %d, %i : (tensor<4x8xf32>, tensor<2x3xi64>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @einsum_ellipsis(%a: tensor<4x8xf32>) -> tensor<4xf32> {
  // expected-error @+2 {{slm.einsum: unsupported equation 'i...->i' (ellipsis is not supported)}}
  // expected-error @+1 {{'slm.einsum' op failed to infer returned types}}
  %0 = slm.einsum %a {equation = "i...->i"} : (tensor<4x8xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
