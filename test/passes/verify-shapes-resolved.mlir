// RUN: slmc-opt %s --slm-verify-shapes-resolved -split-input-file -verify-diagnostics

func.func @shape_left(%x: tensor<?x64xf32, #slm.dims<"seq">>) -> tensor<2xi64> {
  // expected-error @+1 {{shape computation survived: 'slm.shape' reads a tensor shape at run time}}
  %s = slm.shape %x {start = 0, end = 2} : (tensor<?x64xf32, #slm.dims<"seq">>) -> tensor<2xi64>
  return %s : tensor<2xi64>
}

// -----

func.func @reshape_operand(%x: tensor<?x64xf32, #slm.dims<"seq">>, %s: tensor<2xi64>) -> tensor<?x64xf32, #slm.dims<"seq">> {
  // expected-error @+1 {{'slm.reshape' takes its target shape from a tensor}}
  %r = slm.reshape %x, %s : (tensor<?x64xf32, #slm.dims<"seq">>, tensor<2xi64>) -> tensor<?x64xf32, #slm.dims<"seq">>
  return %r : tensor<?x64xf32, #slm.dims<"seq">>
}

// -----

// Clean IR passes.
func.func @clean(%x: tensor<?x64xf32, #slm.dims<"seq">>) -> tensor<?x64xf32, #slm.dims<"seq">> {
  return %x : tensor<?x64xf32, #slm.dims<"seq">>
}
