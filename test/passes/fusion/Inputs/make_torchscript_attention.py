#!/usr/bin/python3
"""Writes the TorchScript-exporter attention graphs for the fusion lit tests.

torch.nn modules mirroring HF eager attention:
  * LlamaAttention (transformers 4.3x): q/k/v/o projections, rotate_half +
    apply_rotary_pos_emb with cos/sin cached tables gathered by position_ids,
    repeat_kv (GQA) by expand + reshape, a causal mask built with
    torch.full(finfo.min) + torch.triu, softmax in fp32, past K/V concat;
    The "llama-fill" exports build the mask as transformers 4.3x's
    _make_causal_mask: masked_fill(arange < arange + 1) and a concat of zeros
    for the past (a Python branch: the decode export is for past > 0);
  * GPT2Attention: c_attn Conv1D split into q/k/v, past K/V concat, and
    torch.where(bias[:, :, T - S:T, :T], scores, finfo.min) with the causal
    `bias` buffer (tril of ones; 32 positions so that it stays an inline
    constant; "gpt2-long" and "gpt2-u8" have 64, above the importer's inline
    limit, the latter as uint8 cast to bool after slicing).
Each is exported with torch.onnx.export (TorchScript) at opsets 14 and 17, as
prefill (no past) and decode (past K/V inputs, present K/V outputs). Run with
Debian's python3-torch:

    /usr/bin/python3 make_torchscript_attention.py [out_dir]

With --test-data DIR it also writes DIR/<model>/test_data_set_0/ (torch's
inputs and outputs as TensorProtos, for `slmc-run --test-dir`) for each export,
on inputs other than the export examples.
"""
import math
import os
import sys

import torch
from torch import nn

HIDDEN, HEADS, KV_HEADS, HEAD_DIM, MAX_POS = 32, 4, 2, 8, 32


def rotate_half(x):
    x1 = x[..., : x.shape[-1] // 2]
    x2 = x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def apply_rotary_pos_emb(q, k, cos, sin, position_ids):
    cos = cos[position_ids].unsqueeze(1)  # [B, 1, S, D]
    sin = sin[position_ids].unsqueeze(1)
    return (q * cos) + (rotate_half(q) * sin), (k * cos) + (rotate_half(k) * sin)


def repeat_kv(x, n_rep):
    b, h, t, d = x.shape
    if n_rep == 1:
        return x
    x = x[:, :, None, :, :].expand(b, h, n_rep, t, d)
    return x.reshape(b, h * n_rep, t, d)


def make_causal_mask(s, past):  # transformers 4.3x LlamaModel._make_causal_mask
    mask = torch.full((s, s), torch.finfo(torch.float32).min)
    mask_cond = torch.arange(mask.size(-1))
    mask.masked_fill_(mask_cond < (mask_cond + 1).view(mask.size(-1), 1), 0)
    if past > 0:
        mask = torch.cat([torch.zeros(s, past), mask], dim=-1)
    return mask


class LlamaAttention(nn.Module):
    def __init__(self, masked_fill=False):
        super().__init__()
        self.masked_fill = masked_fill
        self.q_proj = nn.Linear(HIDDEN, HEADS * HEAD_DIM, bias=False)
        self.k_proj = nn.Linear(HIDDEN, KV_HEADS * HEAD_DIM, bias=False)
        self.v_proj = nn.Linear(HIDDEN, KV_HEADS * HEAD_DIM, bias=False)
        self.o_proj = nn.Linear(HEADS * HEAD_DIM, HIDDEN, bias=False)
        inv_freq = 1.0 / (10000 ** (torch.arange(0, HEAD_DIM, 2).float() / HEAD_DIM))
        freqs = torch.outer(torch.arange(MAX_POS).float(), inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        self.register_buffer("cos_cached", emb.cos(), persistent=False)
        self.register_buffer("sin_cached", emb.sin(), persistent=False)

    def forward(self, x, position_ids, past_key=None, past_value=None):
        b, s, _ = x.size()
        q = self.q_proj(x).view(b, s, HEADS, HEAD_DIM).transpose(1, 2)
        k = self.k_proj(x).view(b, s, KV_HEADS, HEAD_DIM).transpose(1, 2)
        v = self.v_proj(x).view(b, s, KV_HEADS, HEAD_DIM).transpose(1, 2)
        q, k = apply_rotary_pos_emb(q, k, self.cos_cached, self.sin_cached, position_ids)
        if past_key is not None:
            k = torch.cat([past_key, k], dim=2)
            v = torch.cat([past_value, v], dim=2)
        present = (k, v)
        k = repeat_kv(k, HEADS // KV_HEADS)
        v = repeat_kv(v, HEADS // KV_HEADS)
        scores = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(HEAD_DIM)
        t = k.size(2)
        if self.masked_fill:
            mask = make_causal_mask(s, t - s)
        else:
            mask = torch.full((s, t), torch.finfo(torch.float32).min)
            mask = torch.triu(mask, diagonal=t - s + 1)
        scores = scores + mask[None, None, :, :]
        probs = nn.functional.softmax(scores, dim=-1, dtype=torch.float32).to(q.dtype)
        out = torch.matmul(probs, v).transpose(1, 2).reshape(b, s, HEADS * HEAD_DIM)
        out = self.o_proj(out)
        return (out,) + present if past_key is not None else out


class Conv1D(nn.Module):  # HF GPT-2's Conv1D: x @ W + b with W [in, out]
    def __init__(self, nf, nx):
        super().__init__()
        self.weight = nn.Parameter(0.2 * torch.randn(nx, nf))
        self.bias = nn.Parameter(0.1 * torch.randn(nf))

    def forward(self, x):
        size_out = x.size()[:-1] + (self.weight.size(1),)
        x = torch.addmm(self.bias, x.view(-1, x.size(-1)), self.weight)
        return x.view(size_out)


class GPT2Attention(nn.Module):
    def __init__(self, max_pos=MAX_POS, dtype=torch.bool):
        super().__init__()
        self.register_buffer(
            "bias", torch.tril(torch.ones((max_pos, max_pos), dtype=dtype)).view(
                1, 1, max_pos, max_pos), persistent=False)
        self.c_attn = Conv1D(3 * HIDDEN, HIDDEN)
        self.c_proj = Conv1D(HIDDEN, HIDDEN)

    def split_heads(self, x):
        return x.view(x.size()[:-1] + (HEADS, HEAD_DIM)).permute(0, 2, 1, 3)

    def forward(self, x, past_key=None, past_value=None):
        q, k, v = self.c_attn(x).split(HIDDEN, dim=2)
        q, k, v = self.split_heads(q), self.split_heads(k), self.split_heads(v)
        if past_key is not None:
            k = torch.cat((past_key, k), dim=-2)
            v = torch.cat((past_value, v), dim=-2)
        w = torch.matmul(q, k.transpose(-1, -2))
        w = w / torch.full([], v.size(-1) ** 0.5, dtype=w.dtype, device=w.device)
        s, t = q.size(-2), k.size(-2)
        causal_mask = self.bias[:, :, t - s:t, :t]
        if causal_mask.dtype != torch.bool:
            causal_mask = causal_mask.bool()
        mask_value = torch.full([], torch.finfo(w.dtype).min, dtype=w.dtype, device=w.device)
        w = torch.where(causal_mask, w.to(w.dtype), mask_value)
        w = nn.functional.softmax(w, dim=-1)
        out = torch.matmul(w, v).permute(0, 2, 1, 3).contiguous()
        out = self.c_proj(out.view(out.size()[:-2] + (HIDDEN,)))
        return (out, k, v) if past_key is not None else out


def example(name, decode, batch=2, seq=5, past=3):
    x = torch.randn(batch, seq, HIDDEN)
    llama = name.startswith("llama")
    kv = KV_HEADS if llama else HEADS
    args, names, axes = [x], ["x"], {"x": {0: "batch", 1: "seq"}}
    if llama:
        start = past if decode else 0
        args.append(torch.arange(start, start + seq).unsqueeze(0).expand(batch, seq).contiguous())
        names.append("position_ids")
        axes["position_ids"] = {0: "batch", 1: "seq"}
    outs = ["y"]
    axes["y"] = {0: "batch", 1: "seq"}
    if decode:
        for n in ("past_key", "past_value"):
            args.append(torch.randn(batch, kv, past, HEAD_DIM))
            names.append(n)
            axes[n] = {0: "batch", 2: "past_seq"}
        for n in ("present_key", "present_value"):
            outs.append(n)
            axes[n] = {0: "batch", 2: "total_seq"}
    return tuple(args), names, outs, axes


def write_test_data(model, args, outs, directory):
    from onnx import numpy_helper  # only needed here

    os.makedirs(directory, exist_ok=True)
    with torch.no_grad():
        results = model(*args)
    if not isinstance(results, tuple):
        results = (results,)
    for prefix, tensors in (("input", args), ("output", results)):
        for i, t in enumerate(tensors):
            with open(os.path.join(directory, f"{prefix}_{i}.pb"), "wb") as f:
                f.write(numpy_helper.from_array(t.numpy()).SerializeToString())


def main():
    argv = sys.argv[1:]
    test_data = None
    if "--test-data" in argv:
        i = argv.index("--test-data")
        test_data = argv[i + 1]
        del argv[i:i + 2]
    out = argv[0] if argv else os.path.dirname(os.path.abspath(__file__))
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    models = (("llama", LlamaAttention()), ("gpt2", GPT2Attention()),
              ("llama-fill", LlamaAttention(masked_fill=True)),
              # Buffers above the importer's 1 KiB inline limit (real GPT-2:
              # 1024 x 1024), bool and older transformers' uint8 + .bool().
              ("gpt2-long", GPT2Attention(max_pos=64)),
              ("gpt2-u8", GPT2Attention(max_pos=64, dtype=torch.uint8)))
    for name, model in models:
        model.eval()
        for decode in (False, True):
            args, names, outs, axes = example(name, decode)
            for opset in (14, 17):
                kind = "decode" if decode else "prefill"
                path = os.path.join(out, f"ts-{name}-attn-{kind}-opset{opset}.onnx")
                torch.onnx.export(model, args, path, opset_version=opset, input_names=names,
                                  output_names=outs, dynamic_axes=axes)
                print(path, os.path.getsize(path))
                if test_data:
                    # Other shapes than the example: batch 3, 7 new tokens, 4 past.
                    targs = example(name, decode, batch=3, seq=7, past=4)[0]
                    write_test_data(model, targs, outs, os.path.join(
                        test_data, os.path.basename(path)[:-5], "test_data_set_0"))


if __name__ == "__main__":
    main()
