#!/usr/bin/python3
"""Imports every model under shared/models, runs the norm/activation/MLP
fusion passes and checks the op counts against the architecture: for L layers
2L+1 slm.rms_norm (Llama, Qwen2, Phi-3) or slm.layer_norm (GPT-2), L
slm.gated_mlp (not GPT-2), and no slm.sigmoid or slm.reduce_mean left.
Prints one PASS/FAIL line per model and a summary."""
import argparse
import json
import os
import re
import subprocess
import sys
from collections import Counter

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "e2e"))
from check_shared_imports import prepare  # noqa: E402  (sparse weights.bin for graph-only models)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
from shared_models import check_each, model_dirs  # noqa: E402

PASSES = ["--slm-fuse-activations", "--slm-fuse-norms", "--slm-fuse-mlp"]


def config_of(model_dir):
    for path in (os.path.join(model_dir, "meta.json"), os.path.join(model_dir, "..", "meta.json")):
        if os.path.exists(path):
            config = json.load(open(path)).get("config")
            if config:
                return config
    return None


def check(model_dir, tools, tmp):
    config = config_of(model_dir)
    if config is None:
        return ["no config in meta.json"]
    layers = config.get("num_hidden_layers") or config.get("n_layer")
    gpt2 = config.get("model_type") == "gpt2"
    path = prepare(model_dir, tmp)
    imported = os.path.join(tmp, "imported.mlir")
    r = subprocess.run([os.path.join(tools, "slmc"), "import", path, "-o", imported, "--quiet", "--no-fusion"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return ["slmc import failed: " + r.stderr.strip()[:1000]]
    r = subprocess.run([os.path.join(tools, "slmc-opt"), imported] + PASSES,
                       capture_output=True, text=True)
    if r.returncode != 0:
        return ["slmc-opt failed: " + r.stderr.strip()[:1000]]
    counts = Counter(re.findall(r"= (slm\.[a-z_]+)[ <]", r.stdout))
    norm = "slm.layer_norm" if gpt2 else "slm.rms_norm"
    expected = {norm: 2 * layers + 1, "slm.gated_mlp": 0 if gpt2 else layers,
                "slm.sigmoid": 0, "slm.reduce_mean": 0}
    return ["%s: %d, expected %d" % (op, counts[op], n)
            for op, n in expected.items() if counts[op] != n]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", required=True)
    ap.add_argument("--tools", required=True)
    args = ap.parse_args()
    return check_each(args.shared, model_dirs(args.shared),
                      lambda model_dir, tmp: check(model_dir, args.tools, tmp))


if __name__ == "__main__":
    sys.exit(main())
