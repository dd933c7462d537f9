#!/usr/bin/python3
"""Writes a small Llama-architecture decoder as ONNX, with random weights.

The graph is built node by node with onnx.helper, in the shapes the PyTorch
exporters produce for HF LlamaForCausalLM (attn_implementation="eager"):

  --style dynamo       like torch.onnx.export(dynamo=True): initializers for
                       every constant, Shape(start, end), Range/LessOrEqual/
                       Where causal mask, Reciprocal(Sqrt) in RMSNorm.
  --style torchscript  like the TorchScript exporter: Constant nodes, long
                       Shape->Gather->Unsqueeze->Concat chains feeding
                       Reshape/Expand, ConstantOfShape + Trilu causal mask,
                       Where(Equal(shape, -1), 1, shape) before Expand,
                       Div(1, Sqrt) in RMSNorm.

Every shape is computed at run time from Shape ops, so the model works for
any batch, sequence and past length. --test-data DIR writes the ONNX
backend-test layout with expected outputs from a plain numpy implementation
of the same Llama forward (the oracle where ONNX Runtime is not available);
--check also runs the graph itself through a small numpy ONNX interpreter and
compares the two.

  tools/slmc-make-llama.py -o model.onnx
  tools/slmc-make-llama.py --flavour decode --style torchscript --test-data out/
"""

import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F32_MIN = float(np.finfo(np.float32).min)
INT64_MAX = np.iinfo(np.int64).max


class Config:
    def __init__(self, layers, hidden, heads, kv_heads, intermediate, vocab,
                 rms_eps=1e-5, rope_theta=10000.0):
        if hidden % heads:
            raise ValueError("--hidden must be a multiple of --heads")
        if heads % kv_heads:
            raise ValueError("--heads must be a multiple of --kv-heads")
        self.layers = layers
        self.hidden = hidden
        self.heads = heads
        self.kv_heads = kv_heads
        self.intermediate = intermediate
        self.vocab = vocab
        self.head_dim = hidden // heads
        if self.head_dim % 2:
            raise ValueError("the head dim (hidden / heads) must be even")
        self.rms_eps = rms_eps
        self.rope_theta = rope_theta


# ---------------------------------------------------------------------------
# Weights (HF layout: Linear weights are [out, in])
# ---------------------------------------------------------------------------

def make_weights(cfg, seed):
    rng = np.random.RandomState(seed)
    hd = cfg.head_dim

    def linear(out_f, in_f):
        return (rng.standard_normal((out_f, in_f)) / np.sqrt(in_f)).astype(np.float32)

    def norm():
        return (1.0 + 0.1 * rng.standard_normal(cfg.hidden)).astype(np.float32)

    w = {"model.embed_tokens.weight":
         rng.standard_normal((cfg.vocab, cfg.hidden)).astype(np.float32)}
    for i in range(cfg.layers):
        p = "model.layers.%d." % i
        w[p + "input_layernorm.weight"] = norm()
        w[p + "self_attn.q_proj.weight"] = linear(cfg.heads * hd, cfg.hidden)
        w[p + "self_attn.k_proj.weight"] = linear(cfg.kv_heads * hd, cfg.hidden)
        w[p + "self_attn.v_proj.weight"] = linear(cfg.kv_heads * hd, cfg.hidden)
        w[p + "self_attn.o_proj.weight"] = linear(cfg.hidden, cfg.heads * hd)
        w[p + "post_attention_layernorm.weight"] = norm()
        w[p + "mlp.gate_proj.weight"] = linear(cfg.intermediate, cfg.hidden)
        w[p + "mlp.up_proj.weight"] = linear(cfg.intermediate, cfg.hidden)
        w[p + "mlp.down_proj.weight"] = linear(cfg.hidden, cfg.intermediate)
    w["model.norm.weight"] = norm()
    w["lm_head.weight"] = linear(cfg.vocab, cfg.hidden)
    # The rotary buffer, as HF computes it (float32).
    w["model.rotary_emb.inv_freq"] = (1.0 / (np.float32(cfg.rope_theta) ** (
        np.arange(0, hd, 2, dtype=np.int64).astype(np.float32) / np.float32(hd)))
    ).astype(np.float32)
    return w


# ---------------------------------------------------------------------------
# numpy reference: HF LlamaForCausalLM forward, eager attention, float32
# ---------------------------------------------------------------------------

def reference_forward(cfg, w, input_ids, attention_mask=None, position_ids=None,
                      past=None):
    """Returns (logits, [(present_key, present_value)] or None)."""
    b, s = input_ids.shape
    hd, nh, nkv = cfg.head_dim, cfg.heads, cfg.kv_heads
    past_len = past[0][0].shape[2] if past else 0
    total = past_len + s
    if position_ids is None:
        position_ids = np.arange(past_len, total, dtype=np.int64)[None, :]
    f32 = np.float32

    def rms_norm(x, weight):
        var = np.mean(np.power(x, f32(2.0)), axis=-1, keepdims=True)
        return weight * (x * (f32(1.0) / np.sqrt(var + f32(cfg.rms_eps))))

    def rotate_half(x):
        half = x.shape[-1] // 2
        return np.concatenate([-x[..., half:], x[..., :half]], axis=-1)

    # Rotary: cos/sin [b or 1, s, hd].
    inv = w["model.rotary_emb.inv_freq"][None, :, None]
    pos = position_ids[:, None, :].astype(f32)
    freqs = np.matmul(inv, pos).transpose(0, 2, 1)
    emb = np.concatenate([freqs, freqs], axis=-1)
    cos, sin = np.cos(emb)[:, None], np.sin(emb)[:, None]

    # Mask [b or 1, 1, s, total]: min where the key is in the future or padding.
    q_pos = np.arange(past_len, total)[:, None]
    k_pos = np.arange(total)[None, :]
    allowed = (k_pos <= q_pos)[None, None]
    if attention_mask is not None:
        allowed = allowed & (attention_mask[:, None, None, :] != 0)
    mask = np.where(allowed, f32(0.0), f32(F32_MIN)).astype(f32)

    x = w["model.embed_tokens.weight"][input_ids]
    presents = []
    scale = f32(hd ** -0.5)
    for i in range(cfg.layers):
        p = "model.layers.%d." % i
        h = rms_norm(x, w[p + "input_layernorm.weight"])
        q = (h @ w[p + "self_attn.q_proj.weight"].T).reshape(b, s, nh, hd).transpose(0, 2, 1, 3)
        k = (h @ w[p + "self_attn.k_proj.weight"].T).reshape(b, s, nkv, hd).transpose(0, 2, 1, 3)
        v = (h @ w[p + "self_attn.v_proj.weight"].T).reshape(b, s, nkv, hd).transpose(0, 2, 1, 3)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if past:
            k = np.concatenate([past[i][0], k], axis=2)
            v = np.concatenate([past[i][1], v], axis=2)
        presents.append((k, v))
        rep = nh // nkv
        kr = np.repeat(k, rep, axis=1)
        vr = np.repeat(v, rep, axis=1)
        scores = np.matmul(q, kr.transpose(0, 1, 3, 2)) * scale + mask
        scores = scores - scores.max(axis=-1, keepdims=True)
        probs = np.exp(scores)
        probs = probs / probs.sum(axis=-1, keepdims=True)
        attn = np.matmul(probs, vr).transpose(0, 2, 1, 3).reshape(b, s, nh * hd)
        x = x + attn @ w[p + "self_attn.o_proj.weight"].T
        h = rms_norm(x, w[p + "post_attention_layernorm.weight"])
        gate = h @ w[p + "mlp.gate_proj.weight"].T
        up = h @ w[p + "mlp.up_proj.weight"].T
        silu = gate * (f32(1.0) / (f32(1.0) + np.exp(-gate)))
        x = x + (silu * up) @ w[p + "mlp.down_proj.weight"].T
    x = rms_norm(x, w["model.norm.weight"])
    logits = (x @ w["lm_head.weight"].T).astype(f32)
    return logits, (presents if past is not None else None)


# ---------------------------------------------------------------------------
# Graph construction
# ---------------------------------------------------------------------------

class Builder:
    """Appends nodes; constants become initializers (dynamo) or Constant
    nodes (torchscript)."""

    INLINE_LIMIT = 1024  # bytes: larger tensors are stored as raw_data

    def __init__(self, style, opset):
        self.style = style
        self.opset = opset
        self.nodes = []
        self.initializers = []
        self.counter = 0
        self.scope = ""
        self.const_cache = {}

    def fresh(self, hint):
        self.counter += 1
        if self.style == "dynamo":
            return "%s_%d" % (hint, self.counter)
        return "/%s%s_%d_output_0" % (self.scope, hint, self.counter)

    def node(self, op, inputs, outputs=1, out=None, **attrs):
        outs = [out] if out else [self.fresh(op.lower()) for _ in range(outputs)]
        if self.style == "dynamo":
            name = "node_%s_%d" % (op, self.counter)
        else:
            name = "/%s%s_%d" % (self.scope, op, self.counter)
        self.nodes.append(helper.make_node(op, list(inputs), outs, name=name, **attrs))
        return outs[0] if outputs == 1 else outs

    @staticmethod
    def tensor(name, array):
        array = np.asarray(array)
        if array.nbytes > Builder.INLINE_LIMIT:
            return numpy_helper.from_array(array, name)
        dtype = helper.np_dtype_to_tensor_dtype(array.dtype) \
            if hasattr(helper, "np_dtype_to_tensor_dtype") \
            else onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[array.dtype]
        return helper.make_tensor(name, dtype, array.shape, array.ravel().tolist())

    def weight(self, name, array):
        self.initializers.append(self.tensor(name, array))
        return name

    def const(self, value, dtype=np.int64):
        array = np.asarray(value, dtype=dtype)
        key = (array.dtype.str, array.shape, array.tobytes())
        if self.style == "dynamo":
            # The dynamo exporter shares one initializer per distinct value.
            if key not in self.const_cache:
                self.counter += 1
                self.const_cache[key] = self.weight("val_%d" % self.counter, array)
            return self.const_cache[key]
        # TorchScript emits a Constant node at each use.
        return self.node("Constant", [], value=self.tensor("value", array))

    # --- shape arithmetic ---------------------------------------------------

    def dim(self, x, i):
        """Dim i of x as a 1-D int64 tensor [1]."""
        if self.style == "dynamo" and self.opset >= 15:
            return self.node("Shape", [x], start=i, end=i + 1)
        return self.node("Unsqueeze", [self.dim_scalar(x, i), self.const([0])])

    def dim_scalar(self, x, i):
        """Dim i of x as an int64 scalar."""
        if self.style == "dynamo" and self.opset >= 15:
            return self.node("Squeeze", [self.node("Shape", [x], start=i, end=i + 1)])
        shape = self.node("Shape", [x])
        return self.node("Gather", [shape, self.const(i)], axis=0)

    def shape_of(self, parts):
        """Concat of 1-D pieces: tensor names or python ints."""
        ins = [p if isinstance(p, str) else self.const([p]) for p in parts]
        return self.node("Concat", ins, axis=0)

    def reshape(self, x, parts):
        kw = {"allowzero": 0} if self.style == "dynamo" and self.opset >= 14 else {}
        return self.node("Reshape", [x, self.shape_of(parts)], **kw)

    def expand(self, x, parts):
        shape = self.shape_of(parts)
        if self.style == "torchscript" and any(isinstance(p, int) and p == -1
                                               for p in parts):
            # torch's expand(-1) as the TorchScript exporter writes it.
            is_neg = self.node("Equal", [shape, self.const([-1] * len(parts))])
            ones = self.node("ConstantOfShape", [self.const([len(parts)])],
                             value=self.tensor("value", np.array([1], np.int64)))
            shape = self.node("Where", [is_neg, ones, shape])
        return self.node("Expand", [x, shape])

    def unsqueeze(self, x, axes):
        return self.node("Unsqueeze", [x, self.const(list(axes))])

    def reduce_mean_last(self, x):
        if self.opset >= 18:
            return self.node("ReduceMean", [x, self.const([-1])], keepdims=1)
        return self.node("ReduceMean", [x], axes=[-1], keepdims=1)


def build_model(cfg, weights, flavour, style, opset):
    g = Builder(style, opset)
    hd, nh, nkv = cfg.head_dim, cfg.heads, cfg.kv_heads
    decode = flavour == "decode"
    dynamo = style == "dynamo"

    inputs = [helper.make_tensor_value_info("input_ids", TensorProto.INT64,
                                            ["batch_size", "sequence_length"])]
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT,
                                             ["batch_size", "sequence_length", cfg.vocab])]
    if decode:
        inputs.append(helper.make_tensor_value_info(
            "attention_mask", TensorProto.INT64, ["batch_size", "total_sequence_length"]))
        inputs.append(helper.make_tensor_value_info(
            "position_ids", TensorProto.INT64, ["batch_size", "sequence_length"]))
        for i in range(cfg.layers):
            for kv in ("key", "value"):
                inputs.append(helper.make_tensor_value_info(
                    "past_key_values.%d.%s" % (i, kv), TensorProto.FLOAT,
                    ["batch_size", nkv, "past_sequence_length", hd]))
                outputs.append(helper.make_tensor_value_info(
                    "present.%d.%s" % (i, kv), TensorProto.FLOAT,
                    ["batch_size", nkv, "past_sequence_length + sequence_length", hd]))

    # Linear weights are stored transposed ([in, out]) for MatMul, under the
    # exporters' generated names.
    def linear_weight(hf_name):
        g.counter += 1
        name = ("val_%d" if dynamo else "onnx::MatMul_%d") % g.counter
        return g.weight(name, np.ascontiguousarray(weights[hf_name].T))

    # --- sizes, all from Shape ------------------------------------------------
    g.scope = "model/"
    batch = g.dim("input_ids", 0)          # [1]
    seq = g.dim("input_ids", 1)            # [1]
    seq_s = g.dim_scalar("input_ids", 1)   # scalar
    if decode:
        past_s = g.dim_scalar("past_key_values.0.key", 2)
        total_s = g.node("Add", [past_s, seq_s])
    else:
        past_s = None
        total_s = seq_s
    if dynamo:
        total = g.node("Reshape", [total_s, g.const([-1])])
    else:
        total = g.unsqueeze(total_s, [0])

    embed = g.weight("model.embed_tokens.weight", weights["model.embed_tokens.weight"])
    x = g.node("Gather", [embed, "input_ids"], axis=0)

    # --- position ids ---------------------------------------------------------
    if decode:
        positions = "position_ids"
    else:
        start = g.const(0)
        pos = g.node("Range", [start, total_s, g.const(1)])
        positions = g.unsqueeze(pos, [0])

    # --- rotary cos / sin: [b, s, hd] -------------------------------------------
    inv_freq = weights["model.rotary_emb.inv_freq"]
    if dynamo:
        inv = g.weight("expand_%d" % g.counter, inv_freq.reshape(1, -1, 1))
    else:
        # inv_freq[None, :, None].float().expand(position_ids.shape[0], -1, 1)
        inv0 = g.weight("model.rotary_emb.inv_freq", inv_freq)
        inv0 = g.unsqueeze(inv0, [0, 2])
        inv = g.expand(inv0, [g.dim(positions, 0), -1, 1])
    pos_f = g.node("Cast", [g.unsqueeze(positions, [1])], to=TensorProto.FLOAT)
    freqs = g.node("Transpose", [g.node("MatMul", [inv, pos_f])], perm=[0, 2, 1])
    emb = g.node("Concat", [freqs, freqs], axis=-1)
    cos = g.unsqueeze(g.node("Cos", [emb]), [1])
    sin = g.unsqueeze(g.node("Sin", [emb]), [1])

    # --- causal (+ padding) mask: [b, 1, s, total] ------------------------------
    if dynamo:
        kv_idx = g.node("Range", [g.const(0), total_s, g.const(1)])
        q_idx = g.node("Range", [g.const(0), seq_s, g.const(1)])
        if decode:
            q_idx = g.node("Add", [q_idx, past_s])
        allowed = g.node("LessOrEqual", [g.unsqueeze(kv_idx, [0, 1, 2]),
                                         g.unsqueeze(q_idx, [0, 1, 3])])
        if decode:
            am = g.node("Cast", ["attention_mask"], to=TensorProto.BOOL)
            allowed = g.node("And", [allowed, g.unsqueeze(am, [1, 2])])
        allowed = g.expand(allowed, [batch, 1, seq, total])
        mask = g.node("Where", [allowed, g.const(0.0, np.float32),
                                g.const(F32_MIN, np.float32)])
    else:
        full = g.node("ConstantOfShape", [g.shape_of([seq, total])],
                      value=g.tensor("value", np.array([F32_MIN], np.float32)))
        k = g.node("Add", [past_s, g.const(1)]) if decode else g.const(1)
        causal = g.node("Trilu", [full, k], upper=1)
        causal = g.expand(g.unsqueeze(causal, [0, 1]), [batch, 1, seq, total])
        if decode:
            am = g.unsqueeze("attention_mask", [1, 2])
            padding = g.node("Equal", [am, g.const(0)])
            mask = g.node("Where", [padding, g.const(F32_MIN, np.float32), causal])
        else:
            mask = causal

    def rms_norm(v, weight_name):
        sq = g.node("Pow", [v, g.const(2.0, np.float32)])
        mean = g.reduce_mean_last(sq)
        var = g.node("Add", [mean, g.const(cfg.rms_eps, np.float32)])
        root = g.node("Sqrt", [var])
        if dynamo:
            inv_rms = g.node("Reciprocal", [root])
        else:
            inv_rms = g.node("Div", [g.const(1.0, np.float32), root])
        normed = g.node("Mul", [v, inv_rms])
        wname = g.weight(weight_name, weights[weight_name])
        return g.node("Mul", [wname, normed])

    def rotary(t):
        half = hd // 2
        x1 = g.node("Slice", [t, g.const([0]), g.const([half]), g.const([3]), g.const([1])])
        x2 = g.node("Slice", [t, g.const([half]), g.const([INT64_MAX]), g.const([3]),
                              g.const([1])])
        rot = g.node("Concat", [g.node("Neg", [x2]), x1], axis=-1)
        return g.node("Add", [g.node("Mul", [t, cos]), g.node("Mul", [rot, sin])])

    def heads(t):
        # view(*input_shape, -1, head_dim).transpose(1, 2)
        t = g.reshape(t, [batch, seq, -1, hd])
        return g.node("Transpose", [t], perm=[0, 2, 1, 3])

    def repeat_kv(t):
        rep = nh // nkv
        if rep == 1:
            return t
        length = g.dim(t, 2)
        t = g.expand(g.unsqueeze(t, [2]), [batch, nkv, rep, length, hd])
        return g.reshape(t, [batch, nh, length, hd])

    scale = g.const(hd ** -0.5, np.float32)
    for i in range(cfg.layers):
        p = "model.layers.%d." % i
        g.scope = "model/layers.%d/" % i
        h = rms_norm(x, p + "input_layernorm.weight")
        g.scope = "model/layers.%d/self_attn/" % i
        q = heads(g.node("MatMul", [h, linear_weight(p + "self_attn.q_proj.weight")]))
        k = heads(g.node("MatMul", [h, linear_weight(p + "self_attn.k_proj.weight")]))
        v = heads(g.node("MatMul", [h, linear_weight(p + "self_attn.v_proj.weight")]))
        q = rotary(q)
        k = rotary(k)
        if decode:
            k = g.node("Concat", ["past_key_values.%d.key" % i, k], axis=-2,
                       out="present.%d.key" % i)
            v = g.node("Concat", ["past_key_values.%d.value" % i, v], axis=-2,
                       out="present.%d.value" % i)
        kr = repeat_kv(k)
        vr = repeat_kv(v)
        scores = g.node("MatMul", [q, g.node("Transpose", [kr], perm=[0, 1, 3, 2])])
        scores = g.node("Add", [g.node("Mul", [scores, scale]), mask])
        probs = g.node("Softmax", [scores], axis=-1)
        attn = g.node("Transpose", [g.node("MatMul", [probs, vr])], perm=[0, 2, 1, 3])
        attn = g.reshape(attn, [batch, seq, -1])
        attn = g.node("MatMul", [attn, linear_weight(p + "self_attn.o_proj.weight")])
        g.scope = "model/layers.%d/" % i
        x = g.node("Add", [x, attn])
        h = rms_norm(x, p + "post_attention_layernorm.weight")
        g.scope = "model/layers.%d/mlp/" % i
        gate = g.node("MatMul", [h, linear_weight(p + "mlp.gate_proj.weight")])
        silu = g.node("Mul", [gate, g.node("Sigmoid", [gate])])
        up = g.node("MatMul", [h, linear_weight(p + "mlp.up_proj.weight")])
        down = g.node("MatMul", [g.node("Mul", [silu, up]),
                                 linear_weight(p + "mlp.down_proj.weight")])
        g.scope = "model/layers.%d/" % i
        x = g.node("Add", [x, down])
    g.scope = "model/"
    x = rms_norm(x, "model.norm.weight")
    g.scope = ""
    g.scope = "lm_head/"
    g.node("MatMul", [x, linear_weight("lm_head.weight")], out="logits")

    graph = helper.make_graph(g.nodes, "main_graph", inputs, outputs, g.initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="slmc-make-llama",
                              producer_version="0.1")
    model.ir_version = 8
    return model


# ---------------------------------------------------------------------------
# A small numpy ONNX interpreter (for --check: the graph against the reference)
# ---------------------------------------------------------------------------

def _attrs(node):
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def run_graph(model, feeds):
    env = dict(feeds)
    for init in model.graph.initializer:
        env[init.name] = numpy_helper.to_array(init)
    opset = next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
    for node in model.graph.node:
        a = _attrs(node)
        x = [env[n] if n else None for n in node.input]
        op = node.op_type
        if op == "Constant":
            r = numpy_helper.to_array(a["value"])
        elif op == "Shape":
            shape = np.array(x[0].shape, np.int64)
            r = shape[a.get("start", 0):a.get("end", len(shape))]
        elif op == "Gather":
            r = np.take(x[0], x[1], axis=a.get("axis", 0))
        elif op == "Squeeze":
            axes = tuple(x[1]) if len(x) > 1 else \
                tuple(i for i, d in enumerate(x[0].shape) if d == 1)
            r = np.squeeze(x[0], axis=axes)
        elif op == "Unsqueeze":
            r = x[0]
            for ax in sorted(int(v) % (x[0].ndim + len(x[1])) for v in x[1]):
                r = np.expand_dims(r, ax)
        elif op == "Concat":
            r = np.concatenate(x, axis=a["axis"])
        elif op == "Reshape":
            shape = [int(d) for d in x[1]]
            shape = [x[0].shape[i] if d == 0 and not a.get("allowzero", 0) else d
                     for i, d in enumerate(shape)]
            r = x[0].reshape(shape)
        elif op == "Expand":
            r = x[0] * np.ones(tuple(int(d) for d in x[1]), x[0].dtype)
        elif op == "ConstantOfShape":
            value = numpy_helper.to_array(a["value"]) if "value" in a else np.zeros(1, np.float32)
            r = np.full(tuple(int(d) for d in x[0]), value[0], value.dtype)
        elif op == "Range":
            r = np.arange(x[0], x[1], x[2]).astype(x[0].dtype)
        elif op == "Trilu":
            k = int(x[1]) if len(x) > 1 else 0
            r = np.triu(x[0], k) if a.get("upper", 1) else np.tril(x[0], k)
        elif op == "Where":
            r = np.where(x[0], x[1], x[2])
        elif op == "Cast":
            to = a["to"]
            r = x[0].astype(bool if to == TensorProto.BOOL
                            else helper.tensor_dtype_to_np_dtype(to)
                            if hasattr(helper, "tensor_dtype_to_np_dtype")
                            else onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[to])
        elif op in ("Add", "Sub", "Mul", "Div", "Pow", "Equal", "LessOrEqual", "And"):
            fn = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply,
                  "Div": np.divide, "Pow": np.power, "Equal": np.equal,
                  "LessOrEqual": np.less_equal, "And": np.logical_and}[op]
            r = fn(x[0], x[1])
            if op in ("Add", "Sub", "Mul", "Div", "Pow"):
                r = r.astype(x[0].dtype)
        elif op in ("Neg", "Sqrt", "Reciprocal", "Cos", "Sin", "Identity"):
            fn = {"Neg": np.negative, "Sqrt": np.sqrt, "Cos": np.cos, "Sin": np.sin,
                  "Reciprocal": lambda v: np.float32(1.0) / v,
                  "Identity": lambda v: v}[op]
            r = fn(x[0])
        elif op == "Sigmoid":
            r = np.float32(1.0) / (np.float32(1.0) + np.exp(-x[0]))
        elif op == "ReduceMean":
            axes = tuple(int(v) for v in (x[1] if opset >= 18 else a["axes"]))
            r = np.mean(x[0], axis=axes, keepdims=bool(a.get("keepdims", 1)))
        elif op == "MatMul":
            r = np.matmul(x[0], x[1])
        elif op == "Transpose":
            r = np.transpose(x[0], a["perm"])
        elif op == "Slice":
            sl = [slice(None)] * x[0].ndim
            for st, en, ax, sp in zip(x[1], x[2], x[3], x[4]):
                sl[int(ax)] = slice(int(st), int(min(en, x[0].shape[int(ax)])), int(sp))
            r = x[0][tuple(sl)]
        elif op == "Softmax":
            e = np.exp(x[0] - x[0].max(axis=a.get("axis", -1), keepdims=True))
            r = e / e.sum(axis=a.get("axis", -1), keepdims=True)
        else:
            raise NotImplementedError("run_graph: no evaluator for " + op)
        env[node.output[0]] = np.asarray(r)
    return [env[o.name] for o in model.graph.output]


# ---------------------------------------------------------------------------
# Test data
# ---------------------------------------------------------------------------

def make_test_inputs(cfg, flavour, seed, batch, seq, past):
    """Returns an ordered list of (name, array) matching the graph inputs."""
    rng = np.random.RandomState(seed + 1000)
    ids = rng.randint(0, cfg.vocab, size=(batch, seq)).astype(np.int64)
    feeds = [("input_ids", ids)]
    if flavour == "decode":
        mask = np.ones((batch, past + seq), np.int64)
        if batch > 1 and past > 0:
            mask[-1, 0] = 0  # left padding in the last row
        feeds.append(("attention_mask", mask))
        feeds.append(("position_ids",
                      np.tile(np.arange(past, past + seq, dtype=np.int64), (batch, 1))))
        for i in range(cfg.layers):
            for kv in ("key", "value"):
                feeds.append(("past_key_values.%d.%s" % (i, kv),
                              rng.standard_normal((batch, cfg.kv_heads, past,
                                                   cfg.head_dim)).astype(np.float32)))
    return feeds


def reference_outputs(cfg, weights, flavour, feeds):
    d = dict(feeds)
    if flavour == "prefill":
        logits, _ = reference_forward(cfg, weights, d["input_ids"])
        return [("logits", logits)]
    past = [(d["past_key_values.%d.key" % i], d["past_key_values.%d.value" % i])
            for i in range(cfg.layers)]
    logits, presents = reference_forward(cfg, weights, d["input_ids"],
                                         d["attention_mask"], d["position_ids"], past)
    outs = [("logits", logits)]
    for i, (k, v) in enumerate(presents):
        outs += [("present.%d.key" % i, k), ("present.%d.value" % i, v)]
    return outs


def validate(model):
    """onnx.checker.check_model; for opsets newer than this onnx package knows,
    on a copy rewritten to the newest opset it knows (the only op used here
    whose signature changed since opset 17 is ReduceMean: axes moved from an
    attribute to an input in opset 18)."""
    known = onnx.defs.onnx_opset_version()
    opset = next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
    if opset <= known:
        onnx.checker.check_model(model, full_check=True)
        return
    copy = onnx.ModelProto()
    copy.CopyFrom(model)
    consts = {t.name: numpy_helper.to_array(t) for t in copy.graph.initializer}
    for node in copy.graph.node:
        if node.op_type == "Constant":
            consts[node.output[0]] = numpy_helper.to_array(node.attribute[0].t)
    for node in copy.graph.node:
        if node.op_type == "ReduceMean" and len(node.input) > 1:
            axes = [int(a) for a in consts[node.input[1]]]
            del node.input[1:]
            node.attribute.append(helper.make_attribute("axes", axes))
    for o in copy.opset_import:
        if o.domain in ("", "ai.onnx"):
            o.version = known
    onnx.checker.check_model(copy, full_check=True)


def save_model(model, path, external):
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    if external:
        location = os.path.basename(path) + ".data"
        data = os.path.join(folder, location)
        if os.path.exists(data):
            os.remove(data)  # onnx appends to an existing file
        onnx.save(model, path, save_as_external_data=True,
                  all_tensors_to_one_file=True, location=location,
                  size_threshold=Builder.INLINE_LIMIT + 1)
    else:
        onnx.save(model, path)


TEST_SETS = {
    # flavour: [(batch, sequence, past)]
    "prefill": [(1, 7, 0), (2, 16, 0)],
    "decode": [(1, 1, 5), (2, 3, 12)],
}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-o", "--output", default="model.onnx", help="output .onnx file")
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--kv-heads", type=int, default=2)
    ap.add_argument("--intermediate", type=int, default=128)
    ap.add_argument("--vocab", type=int, default=256)
    ap.add_argument("--rms-eps", type=float, default=1e-5)
    ap.add_argument("--rope-theta", type=float, default=10000.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--flavour", choices=["prefill", "decode"], default="prefill")
    ap.add_argument("--style", choices=["dynamo", "torchscript"], default="dynamo")
    ap.add_argument("--opset", type=int, default=None,
                    help="default: 20 (dynamo), 14 (torchscript)")
    ap.add_argument("--external-data", action="store_true",
                    help="store tensors over 1 KiB in <output>.data")
    ap.add_argument("--test-data", metavar="DIR",
                    help="write DIR/model.onnx and DIR/test_data_set_N/ "
                         "(inputs and numpy-reference outputs) instead of -o")
    ap.add_argument("--check", action="store_true",
                    help="run the graph through a numpy ONNX interpreter and "
                         "compare with the reference (exit 1 on mismatch)")
    args = ap.parse_args(argv)

    opset = args.opset or (20 if args.style == "dynamo" else 14)
    min_opset = 14 if args.style == "torchscript" else 13  # Trilu / Unsqueeze inputs
    if opset < min_opset or opset > 21:
        ap.error("--opset must be in [%d, 21] for the %s style" % (min_opset, args.style))
    try:
        cfg = Config(args.layers, args.hidden, args.heads, args.kv_heads,
                     args.intermediate, args.vocab, args.rms_eps, args.rope_theta)
    except ValueError as e:
        ap.error(str(e))
    weights = make_weights(cfg, args.seed)
    model = build_model(cfg, weights, args.flavour, args.style, opset)
    validate(model)

    test_sets = []
    if args.test_data or args.check:
        for k, (b, s, past) in enumerate(TEST_SETS[args.flavour]):
            feeds = make_test_inputs(cfg, args.flavour, args.seed + k, b, s, past)
            test_sets.append((feeds, reference_outputs(cfg, weights, args.flavour, feeds)))

    if args.check:
        worst = 0.0
        for feeds, expected in test_sets:
            got = run_graph(model, dict(feeds))
            for (name, want), have in zip(expected, got):
                if want.shape != have.shape:
                    print("check: %s has shape %s, expected %s"
                          % (name, have.shape, want.shape), file=sys.stderr)
                    return 1
                worst = max(worst, float(np.max(np.abs(want - have))))
        if worst > 1e-4:
            print("check: graph and reference differ by %g" % worst, file=sys.stderr)
            return 1
        print("check: graph matches the reference (max abs diff %.3g)" % worst)

    if args.test_data:
        os.makedirs(args.test_data, exist_ok=True)
        save_model(model, os.path.join(args.test_data, "model.onnx"), args.external_data)
        for k, (feeds, expected) in enumerate(test_sets):
            d = os.path.join(args.test_data, "test_data_set_%d" % k)
            os.makedirs(d, exist_ok=True)
            for j, (name, array) in enumerate(feeds):
                with open(os.path.join(d, "input_%d.pb" % j), "wb") as f:
                    f.write(numpy_helper.from_array(array, name).SerializeToString())
            for j, (name, array) in enumerate(expected):
                with open(os.path.join(d, "output_%d.pb" % j), "wb") as f:
                    f.write(numpy_helper.from_array(array, name).SerializeToString())
    else:
        save_model(model, args.output, args.external_data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
