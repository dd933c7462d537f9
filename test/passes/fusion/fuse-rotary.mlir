// RUN: slmc-opt --slm-fuse-rotary --split-input-file %s | FileCheck %s

// Rotate-half (Llama/Qwen2 dynamo form), add and mul operands swapped.
// CHECK-LABEL: func @rotate_half
// CHECK: %[[R:.*]] = slm.rotary %arg0, %arg1, %arg2 {rotary_dim = 16 : i64}
// CHECK-NOT: slm.neg
// CHECK: return %[[R]]
func.func @rotate_half(%x: tensor<1x4x?x16xf32, #slm.dims<"s">>, %cos: tensor<1x1x?x16xf32, #slm.dims<"s">>, %sin: tensor<1x1x?x16xf32, #slm.dims<"s">>) -> tensor<1x4x?x16xf32, #slm.dims<"s">> {
  %hi = slm.slice %x {ends = #slm.dims<"1", "4", "s", "16">, starts = #slm.dims<"0", "0", "0", "8">, steps = array<i64: 1, 1, 1, 1>} : (tensor<1x4x?x16xf32, #slm.dims<"s">>) -> tensor<1x4x?x8xf32, #slm.dims<"s">>
  %neg = slm.neg %hi : (tensor<1x4x?x8xf32, #slm.dims<"s">>) -> tensor<1x4x?x8xf32, #slm.dims<"s">>
  %lo = slm.slice %x {ends = #slm.dims<"1", "4", "s", "8">, starts = #slm.dims<"0", "0", "0", "0">, steps = array<i64: 1, 1, 1, 1>} : (tensor<1x4x?x16xf32, #slm.dims<"s">>) -> tensor<1x4x?x8xf32, #slm.dims<"s">>
  %rot = slm.concat %neg, %lo {axis = 3 : i64} : (tensor<1x4x?x8xf32, #slm.dims<"s">>, tensor<1x4x?x8xf32, #slm.dims<"s">>) -> tensor<1x4x?x16xf32, #slm.dims<"s">>
  %a = slm.mul %sin, %rot : (tensor<1x1x?x16xf32, #slm.dims<"s">>, tensor<1x4x?x16xf32, #slm.dims<"s">>) -> tensor<1x4x?x16xf32, #slm.dims<"s">>
  %b = slm.mul %x, %cos : (tensor<1x4x?x16xf32, #slm.dims<"s">>, tensor<1x1x?x16xf32, #slm.dims<"s">>) -> tensor<1x4x?x16xf32, #slm.dims<"s">>
  %r = slm.add %a, %b : (tensor<1x4x?x16xf32, #slm.dims<"s">>, tensor<1x4x?x16xf32, #slm.dims<"s">>) -> tensor<1x4x?x16xf32, #slm.dims<"s">>
  return %r : tensor<1x4x?x16xf32, #slm.dims<"s">>
}

// -----

// Partial rotary (Phi-3 style): the first 8 of 16 features rotate.
// CHECK-LABEL: func @partial
// CHECK: %[[R:.*]] = slm.rotary %arg0, %arg1, %arg2 {rotary_dim = 8 : i64} : (tensor<2x3x5x16xf32>, tensor<1x1x5x8xf32>, tensor<1x1x5x8xf32>) -> tensor<2x3x5x16xf32>
// CHECK-NOT: slm.concat
// CHECK: return %[[R]]
func.func @partial(%x: tensor<2x3x5x16xf32>, %cos: tensor<1x1x5x8xf32>, %sin: tensor<1x1x5x8xf32>) -> tensor<2x3x5x16xf32> {
  %xr = slm.slice %x {ends = #slm.dims<"2", "3", "5", "8">, starts = #slm.dims<"0", "0", "0", "0">, steps = array<i64: 1, 1, 1, 1>} : (tensor<2x3x5x16xf32>) -> tensor<2x3x5x8xf32>
  %xp = slm.slice %x {ends = #slm.dims<"2", "3", "5", "16">, starts = #slm.dims<"0", "0", "0", "8">, steps = array<i64: 1, 1, 1, 1>} : (tensor<2x3x5x16xf32>) -> tensor<2x3x5x8xf32>
  %hi = slm.slice %xr {ends = #slm.dims<"2", "3", "5", "8">, starts = #slm.dims<"0", "0", "0", "4">, steps = array<i64: 1, 1, 1, 1>} : (tensor<2x3x5x8xf32>) -> tensor<2x3x5x4xf32>
  %neg = slm.neg %hi : (tensor<2x3x5x4xf32>) -> tensor<2x3x5x4xf32>
  %lo = slm.slice %xr {ends = #slm.dims<"2", "3", "5", "4">, starts = #slm.dims<"0", "0", "0", "0">, steps = array<i64: 1, 1, 1, 1>} : (tensor<2x3x5x8xf32>) -> tensor<2x3x5x4xf32>
  %rot = slm.concat %neg, %lo {axis = 3 : i64} : (tensor<2x3x5x4xf32>, tensor<2x3x5x4xf32>) -> tensor<2x3x5x8xf32>
  %a = slm.mul %xr, %cos : (tensor<2x3x5x8xf32>, tensor<1x1x5x8xf32>) -> tensor<2x3x5x8xf32>
  %b = slm.mul %rot, %sin : (tensor<2x3x5x8xf32>, tensor<1x1x5x8xf32>) -> tensor<2x3x5x8xf32>
  %r = slm.add %a, %b : (tensor<2x3x5x8xf32>, tensor<2x3x5x8xf32>) -> tensor<2x3x5x8xf32>
  %out = slm.concat %r, %xp {axis = 3 : i64} : (tensor<2x3x5x8xf32>, tensor<2x3x5x8xf32>) -> tensor<2x3x5x16xf32>
  return %out : tensor<2x3x5x16xf32>
}

// -----

// Interleaved (GPT-J style): pairs (2i, 2i+1).
// CHECK-LABEL: func @interleaved
// CHECK: slm.rotary %arg0, %arg1, %arg2 {interleaved = true, rotary_dim = 8 : i64}
func.func @interleaved(%x: tensor<1x2x3x8xf32>, %cos: tensor<1x1x3x8xf32>, %sin: tensor<1x1x3x8xf32>) -> tensor<1x2x3x8xf32> {
  %odd = slm.slice %x {ends = #slm.dims<"1", "2", "3", "8">, starts = #slm.dims<"0", "0", "0", "1">, steps = array<i64: 1, 1, 1, 2>} : (tensor<1x2x3x8xf32>) -> tensor<1x2x3x4xf32>
  %even = slm.slice %x {ends = #slm.dims<"1", "2", "3", "8">, starts = #slm.dims<"0", "0", "0", "0">, steps = array<i64: 1, 1, 1, 2>} : (tensor<1x2x3x8xf32>) -> tensor<1x2x3x4xf32>
  %neg = slm.neg %odd : (tensor<1x2x3x4xf32>) -> tensor<1x2x3x4xf32>
  %u0 = slm.unsqueeze %neg {axes = array<i64: 4>} : (tensor<1x2x3x4xf32>) -> tensor<1x2x3x4x1xf32>
  %u1 = slm.unsqueeze %even {axes = array<i64: 4>} : (tensor<1x2x3x4xf32>) -> tensor<1x2x3x4x1xf32>
  %st = slm.concat %u0, %u1 {axis = 4 : i64} : (tensor<1x2x3x4x1xf32>, tensor<1x2x3x4x1xf32>) -> tensor<1x2x3x4x2xf32>
  %rot = slm.reshape %st : (tensor<1x2x3x4x2xf32>) -> tensor<1x2x3x8xf32>
  %a = slm.mul %x, %cos : (tensor<1x2x3x8xf32>, tensor<1x1x3x8xf32>) -> tensor<1x2x3x8xf32>
  %b = slm.mul %rot, %sin : (tensor<1x2x3x8xf32>, tensor<1x1x3x8xf32>) -> tensor<1x2x3x8xf32>
  %r = slm.add %a, %b : (tensor<1x2x3x8xf32>, tensor<1x2x3x8xf32>) -> tensor<1x2x3x8xf32>
  return %r : tensor<1x2x3x8xf32>
}

// -----

// Negative: the rotated half is also used elsewhere (shared intermediate).
// CHECK-LABEL: func @shared_intermediate
// CHECK-NOT: slm.rotary
func.func @shared_intermediate(%x: tensor<1x2x3x8xf32>, %cos: tensor<1x1x3x8xf32>, %sin: tensor<1x1x3x8xf32>) -> (tensor<1x2x3x8xf32>, tensor<1x2x3x8xf32>) {
  %hi = slm.slice %x {ends = #slm.dims<"1", "2", "3", "8">, starts = #slm.dims<"0", "0", "0", "4">, steps = array<i64: 1, 1, 1, 1>} : (tensor<1x2x3x8xf32>) -> tensor<1x2x3x4xf32>
  %neg = slm.neg %hi : (tensor<1x2x3x4xf32>) -> tensor<1x2x3x4xf32>
  %lo = slm.slice %x {ends = #slm.dims<"1", "2", "3", "4">, starts = #slm.dims<"0", "0", "0", "0">, steps = array<i64: 1, 1, 1, 1>} : (tensor<1x2x3x8xf32>) -> tensor<1x2x3x4xf32>
  %rot = slm.concat %neg, %lo {axis = 3 : i64} : (tensor<1x2x3x4xf32>, tensor<1x2x3x4xf32>) -> tensor<1x2x3x8xf32>
  %a = slm.mul %x, %cos : (tensor<1x2x3x8xf32>, tensor<1x1x3x8xf32>) -> tensor<1x2x3x8xf32>
  %b = slm.mul %rot, %sin : (tensor<1x2x3x8xf32>, tensor<1x1x3x8xf32>) -> tensor<1x2x3x8xf32>
  %r = slm.add %a, %b : (tensor<1x2x3x8xf32>, tensor<1x2x3x8xf32>) -> tensor<1x2x3x8xf32>
  return %r, %rot : tensor<1x2x3x8xf32>, tensor<1x2x3x8xf32>
}

// -----

// Negative: the halves are swapped (concat(x_lo, -x_hi) is not rotate-half).
// CHECK-LABEL: func @wrong_halves
// CHECK-NOT: slm.rotary
func.func @wrong_halves(%x: tensor<1x2x3x8xf32>, %cos: tensor<1x1x3x8xf32>, %sin: tensor<1x1x3x8xf32>) -> tensor<1x2x3x8xf32> {
  %hi = slm.slice %x {ends = #slm.dims<"1", "2", "3", "4">, starts = #slm.dims<"0", "0", "0", "0">, steps = array<i64: 1, 1, 1, 1>} : (tensor<1x2x3x8xf32>) -> tensor<1x2x3x4xf32>
  %neg = slm.neg %hi : (tensor<1x2x3x4xf32>) -> tensor<1x2x3x4xf32>
  %lo = slm.slice %x {ends = #slm.dims<"1", "2", "3", "8">, starts = #slm.dims<"0", "0", "0", "4">, steps = array<i64: 1, 1, 1, 1>} : (tensor<1x2x3x8xf32>) -> tensor<1x2x3x4xf32>
  %rot = slm.concat %neg, %lo {axis = 3 : i64} : (tensor<1x2x3x4xf32>, tensor<1x2x3x4xf32>) -> tensor<1x2x3x8xf32>
  %a = slm.mul %x, %cos : (tensor<1x2x3x8xf32>, tensor<1x1x3x8xf32>) -> tensor<1x2x3x8xf32>
  %b = slm.mul %rot, %sin : (tensor<1x2x3x8xf32>, tensor<1x1x3x8xf32>) -> tensor<1x2x3x8xf32>
  %r = slm.add %a, %b : (tensor<1x2x3x8xf32>, tensor<1x2x3x8xf32>) -> tensor<1x2x3x8xf32>
  return %r : tensor<1x2x3x8xf32>
}
