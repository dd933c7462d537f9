// Shape computations and runtime shapes must be gone before the lowering.
//
// RUN: slmc-opt %s --convert-slm-to-linalg --split-input-file --verify-diagnostics

func.func @shape(%x: tensor<?x64xf32, #slm.dims<"seq">>) -> tensor<2xi64> {
  // expected-error @+1 {{'slm.shape' must be folded away before the linalg lowering}}
  %0 = slm.shape %x {start = 0 : i64, end = 2 : i64} : (tensor<?x64xf32, #slm.dims<"seq">>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

func.func @dims(%x: tensor<?x64xf32, #slm.dims<"seq">>) -> tensor<2xi64> {
  // expected-error @+1 {{'slm.dims' must be folded away before the linalg lowering}}
  %0 = slm.dims <"seq", "64"> : tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

func.func @reshape_runtime_shape(%x: tensor<?x64xf32, #slm.dims<"seq">>, %s: tensor<2xi64>) -> tensor<?x8xf32, #slm.dims<"seq*8">> {
  // expected-error @+1 {{slm.reshape still reads its shape from a tensor}}
  %0 = slm.reshape %x, %s : (tensor<?x64xf32, #slm.dims<"seq">>, tensor<2xi64>) -> tensor<?x8xf32, #slm.dims<"seq*8">>
  return %0 : tensor<?x8xf32, #slm.dims<"seq*8">>
}

// -----

func.func @expand_runtime_shape(%x: tensor<64xf32>, %s: tensor<2xi64>, %y: tensor<?xf32, #slm.dims<"seq">>) -> tensor<?x64xf32, #slm.dims<"seq">> {
  // expected-error @+1 {{slm.expand still reads its shape from a tensor}}
  %0 = slm.expand %x, %s : (tensor<64xf32>, tensor<2xi64>) -> tensor<?x64xf32, #slm.dims<"seq">>
  return %0 : tensor<?x64xf32, #slm.dims<"seq">>
}

// -----

func.func @constant_of_shape_runtime_shape(%s: tensor<2xi64>, %y: tensor<?xf32, #slm.dims<"seq">>) -> tensor<?x4xf32, #slm.dims<"seq">> {
  // expected-error @+1 {{slm.constant_of_shape still reads its shape from a tensor}}
  %0 = slm.constant_of_shape %s {value = 0.0 : f32} : (tensor<2xi64>) -> tensor<?x4xf32, #slm.dims<"seq">>
  return %0 : tensor<?x4xf32, #slm.dims<"seq">>
}

// -----

// A symbol that no argument shape binds.
func.func @unbound_symbol(%x: tensor<4xf32>) -> tensor<?xi64, #slm.dims<"n">> {
  // expected-error @+1 {{symbol 'n' is not bound by the function's argument shapes}}
  %0 = slm.range #slm.dims<"0"> {delta = 1 : i64} : tensor<?xi64, #slm.dims<"n">>
  return %0 : tensor<?xi64, #slm.dims<"n">>
}
