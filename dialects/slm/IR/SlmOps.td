//===- SlmOps.td - slm ops ---------------------------------*- tablegen -*-===//
//
// Core ops: faithful to ONNX semantics, with every opset's attribute/input
// forms resolved at import (axes are attributes, bounds may be symbolic).
//
//===----------------------------------------------------------------------===//
#ifndef SLM_OPS_TD
#define SLM_OPS_TD

include "dialects/slm/IR/SlmDialect.td"
include "dialects/slm/IR/SlmAttrs.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/DestinationStyleOpInterface.td"

class Slm_Op<string mnemonic, list<Trait> traits = []>
    : Op<Slm_Dialect, mnemonic, !listconcat(traits, [Pure])>;

/// Ops whose result types follow from operands and attributes.
class Slm_InferredOp<string mnemonic, list<Trait> traits = []>
    : Slm_Op<mnemonic, !listconcat(traits,
        [InferTypeOpAdaptor])>;

def Slm_Tensor : RankedTensorOf<[AnyType]>;
def Slm_IntTensor : RankedTensorOf<[AnySignlessInteger]>;

//===----------------------------------------------------------------------===//
// Leaves: weights, constants, symbolic integers
//===----------------------------------------------------------------------===//

def Slm_WeightOp : Slm_Op<"weight"> {
  let summary = "A handle to a tensor in the WeightStore";
  let description = [{
    Refers by name to an initializer whose bytes stay in the WeightStore
    (mmapped ONNX raw_data or external data). The IR never holds the data.
    ```mlir
    %w = slm.weight @"model.embed_tokens.weight" : tensor<512x64xf32>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$name);
  let results = (outs Slm_Tensor:$result);
  let assemblyFormat = "$name attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Slm_ConstantOp : Slm_Op<"constant",
    [ConstantLike, AllTypesMatch<["value", "result"]>]> {
  let summary = "A small constant held inline";
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Slm_Tensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def Slm_DimsOp : Slm_Op<"dims", [ConstantLike]> {
  let summary = "A 0-D or 1-D integer tensor of symbolic dimension values";
  let description = [{
    What `Shape` and the integer arithmetic on it fold to while symbolic
    dims are involved. It exists only during import and canonicalization:
    consumers (reshape, expand, slice, range, ...) absorb it into their
    result types and attributes, after which it is dead.
    ```mlir
    %s = slm.dims <"batch_size", "sequence_length", "64"> : tensor<3xi64>
    ```
  }];
  let arguments = (ins Slm_DimsAttr:$value);
  let results = (outs Slm_IntTensor:$result);
  let assemblyFormat = "$value attr-dict `:` type($result)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

class Slm_BinaryOp<string mnemonic, list<Trait> traits = []>
    : Slm_InferredOp<mnemonic, traits> {
  let summary = "Elementwise `" # mnemonic # "` with ONNX broadcasting";
  let arguments = (ins Slm_Tensor:$lhs, Slm_Tensor:$rhs);
  let results = (outs Slm_Tensor:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Slm_AddOp : Slm_BinaryOp<"add", [Commutative]> {
  let hasCanonicalizer = 1;
}
def Slm_SubOp : Slm_BinaryOp<"sub">;
def Slm_MulOp : Slm_BinaryOp<"mul", [Commutative]>;
def Slm_DivOp : Slm_BinaryOp<"div">;
def Slm_PowOp : Slm_BinaryOp<"pow">;
def Slm_MaxOp : Slm_BinaryOp<"max", [Commutative]>;
def Slm_MinOp : Slm_BinaryOp<"min", [Commutative]>;
def Slm_AndOp : Slm_BinaryOp<"and", [Commutative]>;
def Slm_OrOp : Slm_BinaryOp<"or", [Commutative]>;
def Slm_EqualOp : Slm_BinaryOp<"equal", [Commutative]>;
def Slm_LessOp : Slm_BinaryOp<"less">;
def Slm_LessOrEqualOp : Slm_BinaryOp<"less_or_equal">;
def Slm_GreaterOp : Slm_BinaryOp<"greater">;
def Slm_GreaterOrEqualOp : Slm_BinaryOp<"greater_or_equal">;

class Slm_UnaryOp<string mnemonic, list<Trait> traits = []>
    : Slm_InferredOp<mnemonic, traits> {
  let summary = "Elementwise `" # mnemonic # "`";
  let arguments = (ins Slm_Tensor:$input);
  let results = (outs Slm_Tensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Slm_NegOp : Slm_UnaryOp<"neg">;
def Slm_NotOp : Slm_UnaryOp<"not">;
def Slm_AbsOp : Slm_UnaryOp<"abs">;
def Slm_SqrtOp : Slm_UnaryOp<"sqrt">;
def Slm_ReciprocalOp : Slm_UnaryOp<"reciprocal">;
def Slm_ExpOp : Slm_UnaryOp<"exp">;
def Slm_LogOp : Slm_UnaryOp<"log">;
def Slm_CosOp : Slm_UnaryOp<"cos">;
def Slm_SinOp : Slm_UnaryOp<"sin">;
def Slm_TanhOp : Slm_UnaryOp<"tanh">;
def Slm_ErfOp : Slm_UnaryOp<"erf">;
def Slm_SigmoidOp : Slm_UnaryOp<"sigmoid">;
def Slm_ReluOp : Slm_UnaryOp<"relu">;
def Slm_SiluOp : Slm_UnaryOp<"silu">;
def Slm_IsNaNOp : Slm_UnaryOp<"is_nan">;

def Slm_GeluOp : Slm_InferredOp<"gelu"> {
  let summary = "GELU; `approximate` is \"none\" (erf) or \"tanh\"";
  let arguments = (ins Slm_Tensor:$input,
                   DefaultValuedStrAttr<StrAttr, "none">:$approximate);
  let results = (outs Slm_Tensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Slm_CastOp : Slm_Op<"cast"> {
  let summary = "Elementwise conversion to the result's element type";
  let arguments = (ins Slm_Tensor:$input);
  let results = (outs Slm_Tensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def Slm_ClipOp : Slm_InferredOp<"clip"> {
  let summary = "Elementwise clamp to [min, max] (either may be absent)";
  let arguments = (ins Slm_Tensor:$input, OptionalAttr<F64Attr>:$min,
                   OptionalAttr<F64Attr>:$max);
  let results = (outs Slm_Tensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
}

def Slm_WhereOp : Slm_InferredOp<"where"> {
  let summary = "Elementwise select with ONNX broadcasting";
  let arguments = (ins Slm_Tensor:$condition, Slm_Tensor:$x, Slm_Tensor:$y);
  let results = (outs Slm_Tensor:$result);
  let assemblyFormat =
      "$condition `,` $x `,` $y attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Reductions and normalizations
//===----------------------------------------------------------------------===//

class Slm_ReduceOp<string mnemonic> : Slm_InferredOp<mnemonic> {
  let summary = "`" # mnemonic # "` over `axes` (non-negative, sorted)";
  let arguments = (ins Slm_Tensor:$input, DenseI64ArrayAttr:$axes,
                   DefaultValuedAttr<BoolAttr, "true">:$keepdims);
  let results = (outs Slm_Tensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Slm_ReduceMeanOp : Slm_ReduceOp<"reduce_mean">;
def Slm_ReduceSumOp : Slm_ReduceOp<"reduce_sum">;
def Slm_ReduceMaxOp : Slm_ReduceOp<"reduce_max">;
def Slm_ReduceMinOp : Slm_ReduceOp<"reduce_min">;

def Slm_SoftmaxOp : Slm_InferredOp<"softmax"> {
  let summary = "Softmax along `axis` (non-negative)";
  let arguments = (ins Slm_Tensor:$input, I64Attr:$axis);
  let results = (outs Slm_Tensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Slm_LayerNormOp : Slm_InferredOp<"layer_norm"> {
  let summary = "Layer normalization over the dims from `axis` to the last";
  let arguments = (ins Slm_Tensor:$input, Slm_Tensor:$scale,
                   Optional<Slm_Tensor>:$bias, I64Attr:$axis, F64Attr:$epsilon);
  let results = (outs Slm_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $scale (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Slm_RmsNormOp : Slm_InferredOp<"rms_norm"> {
  let summary = "x * rsqrt(mean(x^2 over dims from `axis`) + epsilon) * scale";
  let arguments = (ins Slm_Tensor:$input, Slm_Tensor:$scale, I64Attr:$axis,
                   F64Attr:$epsilon);
  let results = (outs Slm_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $scale attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Slm_CumSumOp : Slm_InferredOp<"cumsum"> {
  let summary = "Cumulative sum along `axis`";
  let arguments = (ins Slm_Tensor:$input, I64Attr:$axis,
                   DefaultValuedAttr<BoolAttr, "false">:$exclusive,
                   DefaultValuedAttr<BoolAttr, "false">:$reverse);
  let results = (outs Slm_Tensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Slm_ArgMaxOp : Slm_InferredOp<"argmax"> {
  let summary = "Index of the maximum along `axis` (int64)";
  let arguments = (ins Slm_Tensor:$input, I64Attr:$axis,
                   DefaultValuedAttr<BoolAttr, "true">:$keepdims,
                   DefaultValuedAttr<BoolAttr, "false">:$select_last_index);
  let results = (outs Slm_IntTensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Slm_TopKOp : Slm_InferredOp<"topk"> {
  let summary = "The `k` largest (or smallest) values along `axis` and their indices";
  let arguments = (ins Slm_Tensor:$input, I64Attr:$k, I64Attr:$axis,
                   DefaultValuedAttr<BoolAttr, "true">:$largest,
                   DefaultValuedAttr<BoolAttr, "true">:$sorted);
  let results = (outs Slm_Tensor:$values, Slm_IntTensor:$indices);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

def Slm_MatMulOp : Slm_InferredOp<"matmul"> {
  let summary = "numpy.matmul: batched, broadcasting, 1-D operands promoted";
  let arguments = (ins Slm_Tensor:$lhs, Slm_Tensor:$rhs);
  let results = (outs Slm_Tensor:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def Slm_GemmOp : Slm_InferredOp<"gemm"> {
  let summary = "alpha * op(A) * op(B) + beta * C (ONNX Gemm, 2-D)";
  let arguments = (ins Slm_Tensor:$a, Slm_Tensor:$b, Optional<Slm_Tensor>:$c,
                   DefaultValuedAttr<F64Attr, "1.0">:$alpha,
                   DefaultValuedAttr<F64Attr, "1.0">:$beta,
                   DefaultValuedAttr<BoolAttr, "false">:$transA,
                   DefaultValuedAttr<BoolAttr, "false">:$transB);
  let results = (outs Slm_Tensor:$result);
  let assemblyFormat = [{
    $a `,` $b (`,` $c^)? attr-dict `:` functional-type(operands, results)
  }];
}

def Slm_EinsumOp : Slm_InferredOp<"einsum"> {
  let summary = "Einstein summation (explicit or implicit output form)";
  let arguments = (ins Variadic<Slm_Tensor>:$inputs, StrAttr:$equation);
  let results = (outs Slm_Tensor:$result);
  let assemblyFormat =
      "$inputs attr-dict `:` functional-type(operands, results)";
}

// Gated MLP (fusion-a): made by slm-fuse-mlp, decomposed again inside
// convert-slm-to-linalg (passes/conversion/FusedOps.cpp).
def Slm_GatedMlpOp : Slm_InferredOp<"gated_mlp", [AttrSizedOperandSegments]> {
  let summary = "down(act(x . w_gate) * (x . w_up)) (+ residual), weights [K, N] as ONNX MatMul's B";
  let description = [{
    `activation` is "silu", "gelu" (erf) or "gelu_tanh". With `fused_gate_up`
    there is no `w_up`: `w_gate` is [K, 2I], its first half the gate and its
    second half the up projection (Phi-3's gate_up_proj). Weights may have
    another element type than `x` (quantized weights); the result has x's.
    `residual` (the result's type) is added to the down projection
    (slm-fuse-linear folds the block's residual add into it).
    ```mlir
    %y = slm.gated_mlp %x gate %wg up %wu down %wd {activation = "silu"}
        : (tensor<?x64xf32>, tensor<64x128xf32>, tensor<64x128xf32>,
           tensor<128x64xf32>) -> tensor<?x64xf32>
    ```
  }];
  let arguments = (ins Slm_Tensor:$x, Slm_Tensor:$w_gate, Optional<Slm_Tensor>:$w_up,
                   Slm_Tensor:$w_down, Optional<Slm_Tensor>:$residual,
                   StrAttr:$activation, UnitAttr:$fused_gate_up);
  let results = (outs Slm_Tensor:$result);
  let assemblyFormat = [{
    $x `gate` $w_gate (`up` $w_up^)? `down` $w_down (`residual` $residual^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

// Projection with its epilogue (fusion-e): made by slm-fuse-linear, lowered
// to slm.linear_kernel where the target has a matmul kernel with epilogues,
// otherwise decomposed again (passes/conversion/FusedOps.cpp).
def Slm_LinearOp : Slm_InferredOp<"linear", [AttrSizedOperandSegments]> {
  let summary = "act(x . W + bias) + residual: a projection and its epilogue";
  let description = [{
    `x` is [..., K], `weight` a static 2-D [K, N] tensor (ONNX MatMul's B;
    quantized weights keep their #slm.quant encoding), `bias` [N] and
    `residual` the result's shape. `activation` is "none", "silu", "gelu"
    (erf) or "gelu_tanh"; a residual goes only with "none" (the kernels add
    the residual as their accumulator, before any activation could apply).
    ```mlir
    %y = slm.linear %x, %w bias %b {activation = "gelu"}
        : (tensor<?x64xf32>, tensor<64x256xf32>, tensor<256xf32>) -> tensor<?x256xf32>
    %z = slm.linear %h, %wo residual %x
        : (tensor<?x64xf32>, tensor<64x64xf32>, tensor<?x64xf32>) -> tensor<?x64xf32>
    ```
  }];
  let arguments = (ins Slm_Tensor:$x, Slm_Tensor:$weight, Optional<Slm_Tensor>:$bias,
                   Optional<Slm_Tensor>:$residual,
                   DefaultValuedStrAttr<StrAttr, "none">:$activation);
  let results = (outs Slm_Tensor:$result);
  let assemblyFormat = [{
    $x `,` $weight (`bias` $bias^)? (`residual` $residual^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

// Rotary embedding and attention (fusion-b): made by slm-fuse-rotary and
// slm-fuse-attention, lowered in passes/conversion/Attention.cpp.
def Slm_RotaryOp : Slm_InferredOp<"rotary"> {
  let summary = "Rotary position embedding of the first `rotary_dim` features";
  let description = [{
    `x` is [..., S, D]; `cos` and `sin` broadcast to [..., S, rotary_dim]
    (the exporters' gathered tables, computed outside the op). With
    r = rotary_dim and h = r / 2, for d < r:
      rotate-half: out[d] = x[d] * cos[d] + (d < h ? -x[d + h] : x[d - h]) * sin[d]
      interleaved: out[2i] = x[2i] * cos[2i] - x[2i+1] * sin[2i],
                   out[2i+1] = x[2i+1] * cos[2i+1] + x[2i] * sin[2i+1]
    and out[d] = x[d] for d >= r (partial rotary, Phi-3 style).
  }];
  let arguments = (ins Slm_Tensor:$x, Slm_Tensor:$cos, Slm_Tensor:$sin,
                   I64Attr:$rotary_dim,
                   DefaultValuedAttr<BoolAttr, "false">:$interleaved);
  let results = (outs Slm_Tensor:$result);
  let assemblyFormat = [{
    $x `,` $cos `,` $sin attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Slm_AttentionOp : Slm_Op<"attention", [AttrSizedOperandSegments]> {
  let summary = "Scaled dot-product attention with GQA, masks and a KV cache";
  let description = [{
    q [B, Hq, S, D]; k, v [B, Hkv, S, D] (this step's keys and values);
    optionally past_key, past_value [B, Hkv, P, D]. Results: `output`
    [B, Hq, S, D] (heads not yet merged: the graph's transpose + reshape
    stay outside) and `present_key`, `present_value` [B, Hkv, P + S, D] =
    concat(past, new) along the sequence (just k and v without a past).
    Query head h reads KV head h / (Hq / Hkv) (GQA, repeat_kv order).

    With T = P + S keys, `mask` is "none", "causal" (key j visible to query
    i iff j <= i + T - S) or "causal+padding" (also attention_mask[b, j] !=
    0; `attention_mask` is the [B, T] integer input). Scores are
    q . k * scale; hidden keys get the lowest f32 added, as in the exported
    graphs, so a query that sees no key at all averages every value.
  }];
  let arguments = (ins Slm_Tensor:$q, Slm_Tensor:$k, Slm_Tensor:$v,
                   Optional<Slm_Tensor>:$past_key, Optional<Slm_Tensor>:$past_value,
                   Optional<Slm_IntTensor>:$attention_mask,
                   StrAttr:$mask, F64Attr:$scale);
  let results = (outs Slm_Tensor:$output, Slm_Tensor:$present_key,
                  Slm_Tensor:$present_value);
  let assemblyFormat = [{
    $q `,` $k `,` $v (`past` `(` $past_key^ `,` $past_value `)`)?
    (`mask` `(` $attention_mask^ `)`)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

// The attention computation alone, in destination style on tensors or
// memrefs (built by the lowering when the target has an attention kernel;
// x86 turns the bufferized form into a micro-kernel call).
def Slm_AttentionCoreOp : Op<Slm_Dialect, "attention_core", [
    DestinationStyleOpInterface, DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "out = attention(q, k, v) with slm.attention's mask semantics";
  let description = [{
    q [B, Hq, S, D], k/v [B, Hkv, T, D] (the present cache), optional
    attention_mask [B, T] (i64), `init` [B, Hq, S, D] (overwritten).
  }];
  let arguments = (ins AnyShaped:$q, AnyShaped:$k, AnyShaped:$v, AnyShaped:$init,
                   Optional<AnyShaped>:$attention_mask, StrAttr:$mask, F64Attr:$scale);
  let results = (outs Variadic<AnyRankedTensor>:$result);
  let assemblyFormat = [{
    $q `,` $k `,` $v `init` `(` $init `)` (`mask` `(` $attention_mask^ `)`)?
    attr-dict `:` functional-type(operands, results)
  }];
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() { return getInitMutable(); }
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def Slm_ShapeOp : Slm_InferredOp<"shape"> {
  let summary = "The dims [start, end) of the input as a 1-D int64 tensor";
  let arguments = (ins Slm_Tensor:$input, I64Attr:$start, I64Attr:$end);
  let results = (outs Slm_IntTensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def Slm_ReshapeOp : Slm_Op<"reshape"> {
  let summary = "Reshape to the result type, or to a runtime `shape`";
  let description = [{
    Without `shape`, the result type (static or symbolic dims) is the whole
    story. A `shape` operand only appears before canonicalization: once it
    folds to constants or `slm.dims`, it is absorbed. ONNX's 0 and -1 entries
    are resolved at import.
  }];
  let arguments = (ins Slm_Tensor:$input, Optional<Slm_IntTensor>:$shape);
  let results = (outs Slm_Tensor:$result);
  let assemblyFormat = [{
    $input (`,` $shape^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

def Slm_ExpandOp : Slm_Op<"expand"> {
  let summary = "Broadcast to the result type, or to a runtime `shape`";
  let arguments = (ins Slm_Tensor:$input, Optional<Slm_IntTensor>:$shape);
  let results = (outs Slm_Tensor:$result);
  let assemblyFormat = [{
    $input (`,` $shape^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

def Slm_ConstantOfShapeOp : Slm_Op<"constant_of_shape"> {
  let summary = "A tensor of the result type filled with `value`";
  let arguments = (ins Optional<Slm_IntTensor>:$shape, TypedAttrInterface:$value);
  let results = (outs Slm_Tensor:$result);
  let assemblyFormat = [{
    ($shape^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

def Slm_RangeOp : Slm_Op<"range"> {
  let summary = "start, start + delta, ... (length = the result's only dim)";
  let arguments = (ins Slm_DimsAttr:$start, I64Attr:$delta);
  let results = (outs Slm_Tensor:$result);
  let assemblyFormat = "$start attr-dict `:` type($result)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def Slm_TransposeOp : Slm_InferredOp<"transpose"> {
  let summary = "Permute dims: result dim i = input dim perm[i]";
  let arguments = (ins Slm_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Slm_Tensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def Slm_SqueezeOp : Slm_InferredOp<"squeeze"> {
  let summary = "Remove the unit dims `axes` (non-negative, sorted)";
  let arguments = (ins Slm_Tensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs Slm_Tensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def Slm_UnsqueezeOp : Slm_InferredOp<"unsqueeze"> {
  let summary = "Insert unit dims at `axes` of the result (sorted)";
  let arguments = (ins Slm_Tensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs Slm_Tensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def Slm_ConcatOp : Slm_InferredOp<"concat"> {
  let summary = "Concatenate along `axis` (non-negative)";
  let arguments = (ins Variadic<Slm_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Slm_Tensor:$result);
  let assemblyFormat =
      "$inputs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def Slm_SliceOp : Slm_Op<"slice"> {
  let summary = "Strided slice with normalized, possibly symbolic bounds";
  let description = [{
    One entry of `starts`, `ends`, `steps` per dim of the input, already
    clamped to [0, dim] at import (ONNX's negative and out-of-range bounds
    resolved).
  }];
  let arguments = (ins Slm_Tensor:$input, Slm_DimsAttr:$starts,
                   Slm_DimsAttr:$ends, DenseI64ArrayAttr:$steps);
  let results = (outs Slm_Tensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def Slm_SplitOp : Slm_Op<"split"> {
  let summary = "Split along `axis` into results of the sizes in their types";
  let arguments = (ins Slm_Tensor:$input, I64Attr:$axis);
  let results = (outs Variadic<Slm_Tensor>:$results);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Slm_GatherOp : Slm_InferredOp<"gather"> {
  let summary = "ONNX Gather along `axis` (negative indices wrap)";
  let arguments = (ins Slm_Tensor:$data, Slm_IntTensor:$indices, I64Attr:$axis);
  let results = (outs Slm_Tensor:$result);
  let assemblyFormat =
      "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def Slm_GatherNDOp : Slm_InferredOp<"gather_nd"> {
  let summary = "ONNX GatherND";
  let arguments = (ins Slm_Tensor:$data, Slm_IntTensor:$indices,
                   DefaultValuedAttr<I64Attr, "0">:$batch_dims);
  let results = (outs Slm_Tensor:$result);
  let assemblyFormat =
      "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Slm_ScatterNDOp : Slm_InferredOp<"scatter_nd"> {
  let summary = "ONNX ScatterND; `reduction` is none, add, mul, max or min";
  let arguments = (ins Slm_Tensor:$data, Slm_IntTensor:$indices,
                   Slm_Tensor:$updates,
                   DefaultValuedStrAttr<StrAttr, "none">:$reduction);
  let results = (outs Slm_Tensor:$result);
  let assemblyFormat = [{
    $data `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Slm_TriluOp : Slm_InferredOp<"trilu"> {
  let summary = "Keep the upper (or lower) triangle from diagonal `k`";
  let arguments = (ins Slm_Tensor:$input, Slm_DimsAttr:$k,
                   DefaultValuedAttr<BoolAttr, "true">:$upper);
  let results = (outs Slm_Tensor:$result);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Projection kernel and quantized gather (lowered forms)
//===----------------------------------------------------------------------===//

def Slm_LinearKernelOp : Op<Slm_Dialect, "linear_kernel", [
    DestinationStyleOpInterface,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "init[M, N] = act(input[M, K] x W + bias) (+ init): a projection kernel call";
  let description = [{
    What convert-slm-to-linalg{linear-kernel} makes of an `slm.linear` (and
    of quantized projections): a destination-style op on plain tensors
    (after bufferization: on memrefs, with no results) that a target
    rewrites into its micro-kernel call, the epilogue included. The weight
    is either the packed bytes of a quantized weight (`tensor<?xi8>` laid
    out by the target, `quant` its encoding) or an f32 matrix [K, N]
    (`transposed_weight`: [N, K], a tied embedding read as the lm_head).
    `k` and `n` are the logical shape; the input is 2-D with unit inner
    stride; `bias` is [N]. With `accumulate` the result is added to init's
    contents (a residual) and `activation` must be "none".

    ```mlir
    %y = slm.linear_kernel ins(%x, %w : tensor<?x576xf32>, tensor<?xi8>)
           outs(%init : tensor<?x1536xf32>)
           {quant = #slm.quant<"int4-g32", axis = 0>, k = 576 : i64, n = 1536 : i64}
           -> tensor<?x1536xf32>
    ```
  }];
  let arguments = (ins AnyShaped:$input, AnyShaped:$weight, Optional<AnyShaped>:$bias,
                   AnyShaped:$init, OptionalAttr<Slm_QuantAttr>:$quant, I64Attr:$k,
                   I64Attr:$n, DefaultValuedStrAttr<StrAttr, "none">:$activation,
                   UnitAttr:$accumulate, UnitAttr:$transposed_weight);
  let results = (outs Variadic<AnyRankedTensor>:$result);
  let assemblyFormat = [{
    `ins` `(` $input `,` $weight `:` type($input) `,` type($weight) `)`
    (`bias` `(` $bias^ `:` type($bias) `)`)?
    `outs` `(` $init `:` type($init) `)` attr-dict (`->` type($result)^)?
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() { return getInitMutable(); }
  }];
}

def Slm_QuantizedGatherOp : Op<Slm_Dialect, "quantized_gather", [
    DestinationStyleOpInterface, DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "init[i, :] = row indices[i] of a quantized [N, K] table, dequantized";
  let description = [{
    What convert-slm-to-linalg makes of an `slm.gather` (axis 0) from a
    quantized embedding table: `indices` are i64 in [0, n) (negative ones
    already wrapped), `weight` the packed bytes, `init` [count, k] f32.
    Destination style like slm.linear_kernel.
  }];
  let arguments = (ins AnyShaped:$indices, AnyShaped:$weight, AnyShaped:$init,
                   Slm_QuantAttr:$quant, I64Attr:$k, I64Attr:$n);
  let results = (outs Variadic<AnyRankedTensor>:$result);
  let assemblyFormat = [{
    `ins` `(` $indices `,` $weight `:` type($indices) `,` type($weight) `)`
    `outs` `(` $init `:` type($init) `)` attr-dict (`->` type($result)^)?
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() { return getInitMutable(); }
  }];
}

#endif // SLM_OPS_TD
