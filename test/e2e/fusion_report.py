#!/usr/bin/python3
"""`slmc compile --report` op counts on every model under shared/models.

With fusion (the default), for L layers: 2L+1 slm.rms_norm (Llama, Qwen2,
Phi-3) or slm.layer_norm (GPT-2), L slm.attention, L slm.gated_mlp (none for
GPT-2), and no slm.softmax, slm.reduce_mean or slm.sigmoid left. With
--no-fusion the graph keeps its softmaxes (one per layer) and has no fused
attention. Graph-only exports get a sparse weights file (check_shared_imports).
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "passes", "fusion"))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from check_shared_imports import prepare  # noqa: E402
from check_fusion_counts import config_of  # noqa: E402
from shared_models import check_each, model_dirs  # noqa: E402


def op_counts(tools, model, tmp, extra):
    report = os.path.join(tmp, "report.json")
    r = subprocess.run([os.path.join(tools, "slmc"), "compile", model, "--emit=slm", "-o",
                        os.path.join(tmp, "out.mlir"), "--report", report, "--quiet"] + extra,
                       capture_output=True, text=True)
    if r.returncode != 0:
        return None, r.stderr.strip()[:1000]
    return json.load(open(report))["op_counts"], ""


def check(model_dir, tools, tmp):
    config = config_of(model_dir)
    if config is None:
        return ["no config in meta.json"]
    layers = config.get("num_hidden_layers") or config.get("n_layer")
    gpt2 = config.get("model_type") == "gpt2"
    path = prepare(model_dir, tmp)
    fused, error = op_counts(tools, path, tmp, [])
    if fused is None:
        return ["slmc compile failed: " + error]
    norm = "slm.layer_norm" if gpt2 else "slm.rms_norm"
    expected = {norm: 2 * layers + 1, "slm.attention": layers,
                "slm.gated_mlp": 0 if gpt2 else layers,
                "slm.softmax": 0, "slm.reduce_mean": 0, "slm.sigmoid": 0}
    problems = ["%s: %d, expected %d" % (op, fused.get(op, 0), n)
                for op, n in expected.items() if fused.get(op, 0) != n]
    unfused, error = op_counts(tools, path, tmp, ["--no-fusion"])
    if unfused is None:
        return problems + ["slmc compile --no-fusion failed: " + error]
    if unfused.get("slm.softmax", 0) != layers or unfused.get("slm.attention", 0):
        problems.append("--no-fusion: %d softmax, %d attention" %
                        (unfused.get("slm.softmax", 0), unfused.get("slm.attention", 0)))
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--tools", required=True)
    args = ap.parse_args()
    return check_each(args.shared, model_dirs(args.shared),
                      lambda model_dir, tmp: check(model_dir, args.tools, tmp))


if __name__ == "__main__":
    sys.exit(main())
