#!/usr/bin/python3
"""Writes the TorchScript-exporter test graphs for the fusion lit tests.

Small torch.nn modules that mirror the HF blocks (LlamaRMSNorm, Gemma's
(1 + w) norm, the gated MLPs of Llama / Gemma / Phi-3, GPT-2's LayerNorm +
Conv1D + gelu_new MLP), exported with torch.onnx.export (TorchScript) at
opsets 14 and 17. Weights are random and tiny (hidden 32): the .onnx files are
checked in so the tests need no torch. Run with Debian's python3-torch:

    /usr/bin/python3 make_torchscript_models.py [out_dir]
"""
import math
import os
import sys

import torch
from torch import nn

HIDDEN, INTER = 32, 64


class LlamaRMSNorm(nn.Module):
    def __init__(self, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(1 + 0.1 * torch.randn(HIDDEN))
        self.eps = eps

    def forward(self, hidden_states):
        input_dtype = hidden_states.dtype
        hidden_states = hidden_states.to(torch.float32)
        variance = hidden_states.pow(2).mean(-1, keepdim=True)
        hidden_states = hidden_states * torch.rsqrt(variance + self.eps)
        return self.weight * hidden_states.to(input_dtype)


class GemmaRMSNorm(nn.Module):
    def __init__(self, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(0.1 * torch.randn(HIDDEN))
        self.eps = eps

    def forward(self, x):
        output = x.float()
        output = output * torch.rsqrt(output.pow(2).mean(-1, keepdim=True) + self.eps)
        output = output * (1.0 + self.weight.float())
        return output.type_as(x)


class GatedMLP(nn.Module):
    def __init__(self, act):
        super().__init__()
        self.gate_proj = nn.Linear(HIDDEN, INTER, bias=False)
        self.up_proj = nn.Linear(HIDDEN, INTER, bias=False)
        self.down_proj = nn.Linear(INTER, HIDDEN, bias=False)
        self.act = act

    def forward(self, x):
        return self.down_proj(self.act(self.gate_proj(x)) * self.up_proj(x))


class Phi3MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.gate_up_proj = nn.Linear(HIDDEN, 2 * INTER, bias=False)
        self.down_proj = nn.Linear(INTER, HIDDEN, bias=False)

    def forward(self, x):
        up_states = self.gate_up_proj(x)
        gate, up_states = up_states.chunk(2, dim=-1)
        return self.down_proj(up_states * nn.functional.silu(gate))


class Block(nn.Module):
    """x + mlp(norm(x)), then a final norm: 2 norms, 1 MLP."""

    def __init__(self, norm, mlp):
        super().__init__()
        self.norm1, self.mlp, self.norm2 = norm(), mlp, norm()

    def forward(self, x):
        return self.norm2(x + self.mlp(self.norm1(x)))


def gelu_new(x):  # HF NewGELUActivation
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class GeluNew(nn.Module):
    def forward(self, x):
        return gelu_new(x)


class Conv1D(nn.Module):  # HF GPT-2's Conv1D: x @ W + b with W [in, out]
    def __init__(self, nf, nx):
        super().__init__()
        self.weight = nn.Parameter(0.02 * torch.randn(nx, nf))
        self.bias = nn.Parameter(0.1 * torch.randn(nf))

    def forward(self, x):
        size_out = x.size()[:-1] + (self.weight.size(1),)
        x = torch.addmm(self.bias, x.view(-1, x.size(-1)), self.weight)
        return x.view(size_out)


class GPT2Block(nn.Module):
    def __init__(self, act):
        super().__init__()
        self.ln_1 = nn.LayerNorm(HIDDEN)
        self.c_fc = Conv1D(INTER, HIDDEN)
        self.c_proj = Conv1D(HIDDEN, INTER)
        self.act = act
        self.ln_f = nn.LayerNorm(HIDDEN)
        with torch.no_grad():
            for ln in (self.ln_1, self.ln_f):
                ln.weight.add_(0.1 * torch.randn(HIDDEN))
                ln.bias.add_(0.1 * torch.randn(HIDDEN))

    def forward(self, x):
        return self.ln_f(x + self.c_proj(self.act(self.c_fc(self.ln_1(x)))))


def models():
    yield "llama", Block(LlamaRMSNorm, GatedMLP(nn.SiLU())), torch.float32
    # f16 activations, f32 normalization (CPU has no f16 matmul: norm only).
    yield "llama-norm-f16", LlamaRMSNorm(), torch.float16
    yield "gemma", Block(GemmaRMSNorm, GatedMLP(nn.GELU(approximate="tanh"))), torch.float32
    yield "phi3", Block(LlamaRMSNorm, Phi3MLP()), torch.float32
    yield "gpt2", GPT2Block(GeluNew()), torch.float32
    yield "gpt2-erf", GPT2Block(nn.GELU()), torch.float32


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    for name, model, dtype in models():
        for opset in (14, 17):
            m = model.to(dtype).eval()
            x = torch.randn(2, 5, HIDDEN).to(dtype)
            path = os.path.join(out, f"ts-{name}-opset{opset}.onnx")
            torch.onnx.export(m, (x,), path, opset_version=opset, input_names=["x"],
                              output_names=["y"],
                              dynamic_axes={"x": {0: "batch", 1: "seq"}, "y": {0: "batch", 1: "seq"}})
            print(path, os.path.getsize(path))


if __name__ == "__main__":
    main()
