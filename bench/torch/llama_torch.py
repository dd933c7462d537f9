#!/usr/bin/python3
"""PyTorch eager Llama, rebuilt as torch.nn modules from an ONNX export's own weights.

The ONNX graphs under shared/models were exported from transformers'
LlamaForCausalLM (meta.json has the config). This module rebuilds that model
in plain PyTorch (the eager attention of transformers: RMSNorm in fp32,
rotary embedding, grouped-query attention with an additive mask, SiLU MLP)
from the initializers of the .onnx file itself: external data is mmapped
(copy-on-write, nothing is copied), and weights_index.json (real-size
exports) or meta.json's initializer_origins (tiny exports) say which
state_dict parameter each initializer is and whether it was transposed.
The rotary inv_freq is the graph's own constant (so rope scaling such as
Llama 3's is taken as exported, not re-derived).

As a bench worker (bench/bench.py starts it) it reads JSON commands on stdin
and answers one JSON line each on stdout:

  {"cmd": "run", "seq": S, "past": P, "warmup": W, "iters": N}
      -> {"ms": [...], "warmup_ms": [...]}
  {"cmd": "check", "dir": D}   writes a test set (input_K.pb, output_0.pb =
      this model's logits) into D/test_data_set_0 for `slmc-run --test-dir`,
      and the same tensors as raw files with D/raw.json for ort-bench.js
      -> {"ok": true}
  {"cmd": "check_ref", "dir": D}   runs D's input_K.pb (an ONNX test set)
      and compares the logits with D's output_0.pb -> {"max_abs": x, ...}
  {"cmd": "stats"} -> {"max_rss_kb": n}

  llama_torch.py MODEL_DIR --flavour prefill|decode --threads T
"""
import argparse
import json
import os
import resource
import sys
import time

import numpy as np

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    print(json.dumps({"error": "PyTorch is missing (apt-get install python3-torch)"}), flush=True)
    sys.exit(3)


class Unsupported(Exception):
    """The export is not a model this file can rebuild faithfully."""


class External:
    """An initializer in an external data file, read when needed."""

    def __init__(self, path, offset, dims):
        self.path, self.offset, self.shape = path, offset, tuple(dims)
        self.dtype = np.dtype(np.float32)

    def load(self, transpose):
        count = int(np.prod(self.shape)) if self.shape else 1
        if self.offset + 4 * count > os.path.getsize(self.path):
            raise Unsupported("an initializer lies outside %s" % self.path)
        if not transpose:
            # Mapped, copy-on-write (torch wants writable arrays): nothing copied.
            return np.memmap(self.path, dtype=np.float32, mode="c", offset=self.offset,
                             shape=self.shape)
        # Read, then lay out as transformers stores it ([out, in]), which is what
        # a PyTorch user runs and what its BLAS calls are fastest on.
        a = np.fromfile(self.path, dtype=np.float32, count=count, offset=self.offset)
        # torch's blocked transpose is ~3x faster than numpy's.
        return torch.from_numpy(a.reshape(self.shape)).t().contiguous().numpy()


def load_initializers(model_path):
    """(name -> numpy array or External for every initializer, graph input names)."""
    import onnx
    from onnx import numpy_helper
    model = onnx.load(model_path, load_external_data=False)
    inputs = [i.name for i in model.graph.input]
    base = os.path.dirname(os.path.abspath(model_path))
    out = {}
    for t in model.graph.initializer:
        if t.data_location != onnx.TensorProto.EXTERNAL:
            out[t.name] = numpy_helper.to_array(t).copy()  # writable for torch
            continue
        info = {e.key: e.value for e in t.external_data}
        if t.data_type != onnx.TensorProto.FLOAT:
            raise Unsupported("external initializer %s is not fp32" % t.name)
        path = os.path.join(base, info["location"])
        if not os.path.exists(path):
            raise Unsupported("%s: external data %s is missing (run slmc-fill-weights)"
                              % (model_path, path))
        out[t.name] = External(path, int(info.get("offset", 0)), t.dims)
    return out, inputs


def origins(model_dir):
    """initializer name -> [(state_dict name, transform)]."""
    index = os.path.join(model_dir, "weights_index.json")
    result = {}
    if os.path.exists(index):
        with open(index) as f:
            for e in json.load(f)["external"]:
                names = [e["derived_from"]] + list(e.get("aliases", []))
                result[e["name"]] = [(n, e["transform"]) for n in names]
        return result
    with open(os.path.join(model_dir, "meta.json")) as f:
        for e in json.load(f).get("initializer_origins", []):
            if "origin" in e:
                result[e["name"]] = [(e["origin"], e["transform"])]
    return result


def rms_norm(x, weight, eps):
    # transformers' LlamaRMSNorm: statistics in fp32, then scale.
    var = x.float().pow(2).mean(-1, keepdim=True)
    return weight * (x * torch.rsqrt(var + eps))


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def frozen_linear(weight):
    """An nn.Linear without bias holding `weight` ([out, in], possibly a view)."""
    lin = torch.nn.Linear(1, 1, bias=False)
    lin.in_features, lin.out_features = weight.shape[1], weight.shape[0]
    lin.weight = torch.nn.Parameter(weight, requires_grad=False)
    return lin


class Layer(torch.nn.Module):
    def __init__(self, p, i):
        super().__init__()
        g = lambda n: p.pop("model.layers.%d.%s" % (i, n))
        self.input_norm = torch.nn.Parameter(g("input_layernorm.weight"), requires_grad=False)
        self.post_norm = torch.nn.Parameter(g("post_attention_layernorm.weight"),
                                            requires_grad=False)
        for n in ("q", "k", "v", "o"):
            setattr(self, n + "_proj", frozen_linear(g("self_attn.%s_proj.weight" % n)))
        for n in ("gate", "up", "down"):
            setattr(self, n + "_proj", frozen_linear(g("mlp.%s_proj.weight" % n)))


class Llama(torch.nn.Module):
    def __init__(self, cfg, params, inv_freq):
        super().__init__()
        p = dict(params)
        self.heads = cfg["num_attention_heads"]
        self.kv_heads = cfg.get("num_key_value_heads") or self.heads
        self.head_dim = cfg.get("head_dim") or cfg["hidden_size"] // self.heads
        self.eps = cfg["rms_norm_eps"]
        self.embed = torch.nn.Parameter(p.pop("model.embed_tokens.weight"), requires_grad=False)
        self.layers = torch.nn.ModuleList(Layer(p, i) for i in range(cfg["num_hidden_layers"]))
        self.norm = torch.nn.Parameter(p.pop("model.norm.weight"), requires_grad=False)
        self.lm_head = frozen_linear(p.pop("lm_head.weight"))
        self.register_buffer("inv_freq", inv_freq)
        if p:
            raise Unsupported("parameters this Llama does not use: " + ", ".join(sorted(p)[:5]))

    def forward(self, input_ids, attention_mask, position_ids, past=None):
        b, s = input_ids.shape
        h, kvh, d = self.heads, self.kv_heads, self.head_dim
        x = F.embedding(input_ids, self.embed)
        freqs = position_ids[:, :, None].float() * self.inv_freq[None, None, :]
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos()[:, None], emb.sin()[:, None]
        p = past[0][0].shape[2] if past else 0
        t = p + s
        causal = torch.arange(t)[None, :] <= torch.arange(s)[:, None] + p
        allowed = causal[None, None] & attention_mask[:, None, None, :].bool()
        bias = torch.zeros(b, 1, s, t).masked_fill(~allowed, torch.finfo(torch.float32).min)
        scale = d ** -0.5
        presents = []
        for i, L in enumerate(self.layers):
            y = rms_norm(x, L.input_norm, self.eps)
            q = L.q_proj(y).view(b, s, h, d).transpose(1, 2)
            k = L.k_proj(y).view(b, s, kvh, d).transpose(1, 2)
            v = L.v_proj(y).view(b, s, kvh, d).transpose(1, 2)
            q = q * cos + rotate_half(q) * sin
            k = k * cos + rotate_half(k) * sin
            if past:
                k = torch.cat((past[i][0], k), dim=2)
                v = torch.cat((past[i][1], v), dim=2)
            presents.append((k, v))
            rep = h // kvh
            kr = k[:, :, None].expand(b, kvh, rep, t, d).reshape(b, h, t, d)
            vr = v[:, :, None].expand(b, kvh, rep, t, d).reshape(b, h, t, d)
            a = torch.matmul(q, kr.transpose(2, 3)) * scale + bias
            a = torch.softmax(a, dim=-1, dtype=torch.float32)
            o = torch.matmul(a, vr).transpose(1, 2).reshape(b, s, h * d)
            x = x + L.o_proj(o)
            y = rms_norm(x, L.post_norm, self.eps)
            x = x + L.down_proj(F.silu(L.gate_proj(y)) * L.up_proj(y))
        x = rms_norm(x, self.norm, self.eps)
        return self.lm_head(x), presents


def build(model_dir, onnx_path):
    with open(os.path.join(model_dir, "meta.json")) as f:
        meta = json.load(f)
    cfg = meta.get("config", {})
    if meta.get("arch") != "LlamaForCausalLM":
        raise Unsupported("architecture %s is not rebuilt in PyTorch (Llama only)" % meta.get("arch"))
    for key in ("attention_bias", "mlp_bias"):
        if cfg.get(key):
            raise Unsupported("%s=true is not rebuilt" % key)
    if cfg.get("hidden_act", "silu") != "silu":
        raise Unsupported("hidden_act %s is not rebuilt" % cfg.get("hidden_act"))
    inits, inputs = load_initializers(onnx_path)
    named = origins(model_dir)
    params, loaded = {}, {}
    for name, targets in named.items():
        if name not in inits:
            continue
        for target, transform in targets:
            if transform not in ("identity", "transpose"):
                raise Unsupported("%s: transform %s" % (name, transform))
            key = (name, transform)
            if key not in loaded:  # tied weights: one tensor, not two
                a = inits[name]
                if isinstance(a, External):
                    a = a.load(transform == "transpose")
                elif transform == "transpose":
                    a = np.ascontiguousarray(a.T)
                loaded[key] = torch.from_numpy(a)
            params[target] = loaded[key]
    if "lm_head.weight" not in params and cfg.get("tie_word_embeddings"):
        params["lm_head.weight"] = params["model.embed_tokens.weight"]
    heads = cfg["num_attention_heads"]
    half = (cfg.get("head_dim") or cfg["hidden_size"] // heads) // 2
    # The rotary inv_freq, as exported: the one fp32 constant shaped [1, head_dim/2, 1].
    rotary = [a for n, a in inits.items()
              if a.dtype == np.float32 and tuple(a.shape) == (1, half, 1) and n not in named]
    if len(rotary) != 1:
        raise Unsupported("cannot find the rotary inv_freq constant [1, %d, 1] in the graph" % half)
    inv_freq = torch.from_numpy(np.ascontiguousarray(rotary[0].reshape(half)))
    model = Llama(cfg, params, inv_freq)
    model.onnx_inputs = inputs
    return model, cfg


def random_floats(shape, seed):
    return torch.from_numpy(
        np.random.default_rng(seed).uniform(-1, 1, size=shape).astype(np.float32))


def make_inputs(model, cfg, seq, past, decode, ids=None):
    if ids is None:
        ids = torch.zeros(1, seq, dtype=torch.int64)
    mask = torch.ones(1, past + seq, dtype=torch.int64)
    pos = torch.arange(past, past + seq, dtype=torch.int64)[None]
    kv = None
    if decode:
        kv = [(random_floats((1, model.kv_heads, past, model.head_dim), 2 * i + 1),
               random_floats((1, model.kv_heads, past, model.head_dim), 2 * i + 2))
              for i in range(len(model.layers))]
    return ids, mask, pos, kv


def write_check_set(model, cfg, decode, out_dir):
    """A small input, this model's logits: an ONNX test set and raw files."""
    from onnx import numpy_helper
    seq, past = (1, 5) if decode else (8, 0)
    ids = torch.from_numpy(np.random.default_rng(7).integers(
        0, cfg["vocab_size"], size=(1, seq)).astype(np.int64))
    ids, mask, pos, kv = make_inputs(model, cfg, seq, past, decode, ids)
    with torch.inference_mode():
        logits, _ = model(ids, mask, pos, kv)
    tensors = [("input_ids", ids), ("attention_mask", mask), ("position_ids", pos)]
    if decode:
        for i, (k, v) in enumerate(kv):
            tensors += [("past_key_values.%d.key" % i, k), ("past_key_values.%d.value" % i, v)]
    # Only what the graph takes (prefill exports have input_ids alone).
    tensors = [(n, t) for n, t in tensors if n in model.onnx_inputs]
    test_dir = os.path.join(out_dir, "test_data_set_0")
    os.makedirs(test_dir, exist_ok=True)
    raw = {"inputs": [], "logits": None}
    for k, (name, t) in enumerate(tensors):
        a = t.numpy()
        with open(os.path.join(test_dir, "input_%d.pb" % k), "wb") as f:
            f.write(numpy_helper.from_array(a, name).SerializeToString())
        a.tofile(os.path.join(out_dir, "input_%d.bin" % k))
        raw["inputs"].append({"name": name, "dtype": str(a.dtype), "dims": list(a.shape),
                              "file": "input_%d.bin" % k})
    a = logits.numpy()
    with open(os.path.join(test_dir, "output_0.pb"), "wb") as f:
        f.write(numpy_helper.from_array(a, "logits").SerializeToString())
    a.tofile(os.path.join(out_dir, "logits.bin"))
    raw["logits"] = {"dims": list(a.shape), "file": "logits.bin",
                     "max_abs": float(np.abs(a).max())}
    with open(os.path.join(out_dir, "raw.json"), "w") as f:
        json.dump(raw, f)
    return {"ok": True, "max_abs_logit": raw["logits"]["max_abs"]}


def check_reference(model, ref_dir):
    """Runs an ONNX test set (inputs by name) and compares the logits."""
    import onnx
    from onnx import numpy_helper
    feeds, want = {}, None
    for f in sorted(os.listdir(ref_dir)):
        t = onnx.TensorProto()
        with open(os.path.join(ref_dir, f), "rb") as fh:
            t.ParseFromString(fh.read())
        if f.startswith("input_"):
            feeds[t.name] = torch.from_numpy(numpy_helper.to_array(t).copy())
        elif t.name == "logits":
            want = numpy_helper.to_array(t)
    kv = None
    if "past_key_values.0.key" in feeds:
        kv = [(feeds["past_key_values.%d.key" % i], feeds["past_key_values.%d.value" % i])
              for i in range(len(model.layers))]
    ids = feeds["input_ids"]
    mask = feeds.get("attention_mask", torch.ones_like(ids))
    pos = feeds.get("position_ids")
    if pos is None:
        pos = torch.arange(ids.shape[1])[None].expand_as(ids)
    with torch.inference_mode():
        logits, _ = model(ids, mask, pos, kv)
    return {"max_abs": float(np.abs(logits.numpy() - want).max()),
            "max_abs_ref": float(np.abs(want).max())}


def serve(model, cfg, decode):
    cache = {}
    for line in sys.stdin:
        cmd = json.loads(line)
        try:
            if cmd["cmd"] == "run":
                key = (cmd["seq"], cmd["past"])
                if key not in cache:
                    cache.clear()
                    cache[key] = make_inputs(model, cfg, cmd["seq"], cmd["past"], decode)
                ids, mask, pos, kv = cache[key]
                times = []
                with torch.inference_mode():
                    for _ in range(cmd.get("warmup", 0) + cmd.get("iters", 1)):
                        t0 = time.perf_counter()
                        model(ids, mask, pos, kv)
                        times.append((time.perf_counter() - t0) * 1e3)
                w = cmd.get("warmup", 0)
                reply = {"ms": times[w:], "warmup_ms": times[:w]}
            elif cmd["cmd"] == "check":
                reply = write_check_set(model, cfg, decode, cmd["dir"])
            elif cmd["cmd"] == "check_ref":
                reply = check_reference(model, cmd["dir"])
            elif cmd["cmd"] == "stats":
                reply = {"max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}
            else:
                reply = {"error": "unknown command " + cmd["cmd"]}
        except Exception as e:  # report, keep serving
            reply = {"error": "%s: %s" % (type(e).__name__, e)}
        print(json.dumps(reply), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model_dir")
    ap.add_argument("--flavour", choices=["prefill", "decode"], required=True)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    t0 = time.perf_counter()
    try:
        model, cfg = build(args.model_dir, os.path.join(args.model_dir, "model.onnx"))
    except (Unsupported, KeyError) as e:
        print(json.dumps({"error": "cannot rebuild the model in PyTorch: %s" % e}), flush=True)
        return 3
    model.eval()
    print(json.dumps({"ready": True, "load_s": time.perf_counter() - t0,
                      "version": "torch " + torch.__version__,
                      "threads": torch.get_num_threads()}), flush=True)
    serve(model, cfg, args.flavour == "decode")
    return 0


if __name__ == "__main__":
    sys.exit(main())
