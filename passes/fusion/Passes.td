//===- Passes.td - slm fusion passes -----------------------*- tablegen -*-===//
//
// Fusion passes run on the slm dialect right after import cleanup: they
// recognise the decomposed forms exporters emit and replace them with one
// slm op each. addFusionPasses (Passes.h) runs them in order.
//
//===----------------------------------------------------------------------===//
#ifndef SLMC_FUSION_PASSES_TD
#define SLMC_FUSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def FuseActivations : Pass<"slm-fuse-activations", "mlir::ModuleOp"> {
  let summary = "Fuse x*sigmoid(x) into slm.silu and GELU's erf/tanh forms into slm.gelu";
  let description = [{
    SiLU: `mul(x, sigmoid(x))` in either operand order. GELU:
    `0.5 * x * (1 + erf(x / sqrt(2)))` (or `x * 1/sqrt(2)`) and
    `0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))` (x^3 as
    pow(x, 3) or x*x*x; also factored as `x * (1 + 0.044715 * x^2)`), with
    the 0.5 applied to x, to the sum or to the product. Constants must be splats within a relative 1e-3 of the exact
    value. Internal values with other users are left alone.
  }];
}

def FuseNorms : Pass<"slm-fuse-norms", "mlir::ModuleOp"> {
  let summary = "Fuse decomposed RMSNorm and LayerNorm into slm.rms_norm / slm.layer_norm";
  let description = [{
    RMSNorm: `x * rsqrt(mean(x^2) + eps) * w` with x^2 as pow(x, 2) or
    mul(x, x); the reciprocal square root as reciprocal(sqrt), div(1, sqrt)
    or `div(x, sqrt(...))`; casts to f32 around the normalization stay
    outside (the norm runs in the inner type, the scale multiply is kept
    where the exporter put it only if it is in another type); Gemma's
    `(1 + w)` becomes the scale operand `add(w, 1)`.
    LayerNorm: `d = x - mean(x)`, `d / sqrt(mean(d^2) + eps) * w + b`.
    The reduction must be over the trailing dims, eps a constant splat,
    and every intermediate used only inside the pattern.
  }];
}

def FuseMlp : Pass<"slm-fuse-mlp", "mlir::ModuleOp"> {
  let summary = "Fuse gated MLPs into slm.gated_mlp";
  let description = [{
    `down(act(x . w_gate) * (x . w_up))` with act one of slm.silu, slm.gelu
    (run after slm-fuse-activations), in either order of the product; also
    Phi-3's fused gate_up projection whose result is sliced into the gate
    (first half) and up (second half) halves. The projections must be 2-D
    weights used as the right operand of slm.matmul.
  }];
}

def FuseRotary : Pass<"slm-fuse-rotary", "mlir::ModuleOp"> {
  let summary = "Fuse rotary position embeddings into slm.rotary";
  let description = [{
    `x * cos + rot(x) * sin` with rot the rotate-half form
    (concat(neg(x[.., h:]), x[.., :h])) or the interleaved (GPT-J) form
    (reshape(concat(unsqueeze(neg(x[.., 1::2])), unsqueeze(x[.., 0::2])))),
    in any operand order; then partial rotary (Phi-3 style:
    concat(rotary(x[.., :r]), x[.., r:])) becomes one op with rotary_dim r.
    cos/sin stay as computed by the graph. Intermediates with other users
    are left alone.
  }];
}

def FuseAttention : Pass<"slm-fuse-attention", "mlir::ModuleOp"> {
  let summary = "Fuse decomposed scaled-dot-product attention into slm.attention";
  let description = [{
    From `matmul(softmax(q . K^T * scale + mask, last axis), V)`: GQA head
    repetition (unsqueeze/expand/reshape) and concat with the past cache
    on K and V are absorbed, scale factors on the scores, q or K fold into
    `scale`, and the additive mask `where(cond, 0, lowest)` must be
    provably causal (position ranges), padding (gather of attention_mask)
    or both; other masks are left alone. See FuseAttention.cpp.
  }];
}

def FuseLinear : Pass<"slm-fuse-linear", "mlir::ModuleOp"> {
  let summary = "Projections become slm.linear with their bias, activation and residual add";
  let description = [{
    slm.matmul on a static 2-D f32 right operand, and slm.gemm with alpha 1,
    A not transposed and C absent or a [N] bias with beta 1 (transB reads B
    through an slm.transpose), become slm.linear; a reshape of its input
    that keeps the last dim moves behind it. Then, while the result
    has one user: `+ b` with b of shape [N] becomes the bias, slm.silu /
    slm.gelu the activation, `+ r` with r of the result's type the residual
    (not after an activation), also behind a reshape that regroups the
    leading dims (the residual is reshaped to match). A residual add after
    slm.gated_mlp becomes
    its residual operand. Run after the other fusions (slm-fuse-mlp and
    slm-fuse-attention match slm.matmul).
  }];
}

def MergeProjections : Pass<"slm-merge-projections", "mlir::ModuleOp"> {
  let summary = "Merge projections of the same input (Q/K/V, gate/up) into one";
  let description = [{
    slm.linear ops that read the same value, have no residual, the same
    activation and stored weights (`slm.weight`) of the same reduction size,
    all with stored biases or none, become one slm.linear on the weights
    (and biases) concatenated along N, followed by an slm.split; its
    location names every merged layer ("q_proj+k_proj+v_proj"). A
    slm.gated_mlp with separate stored gate and up weights gets one fused
    gate_up weight. The concatenations are slm.concat ops of weights, which
    compile folds into stored weights.
  }];
}

#endif // SLMC_FUSION_PASSES_TD
