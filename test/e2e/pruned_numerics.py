#!/usr/bin/python3
"""Numerics of `slmc compile --prune` on a tiny 3-projection MLP.

x [4, 64] -> MatMul w1 [64, 64] + b1 -> Relu -> MatMul w2 [64, 48] -> Relu
-> MatMul w3 [48, 16] -> y (weights above the 1 KiB inline limit: slm.weight). w1 and w2 are pruned (w3 projects to the output:
the lm_head, which stays dense). For each spec this writes the expected y
from a numpy reference of the pruning (magnitude scores, reduction along
axis 0, per-layer unstructured / N:M groups; SPEC@activation: scores
|w| x made-up input-channel norms passed with --prune-norms), compiles the package with
--report, runs `slmc-run --test-dir` against the reference, and checks the
report's `pruned` entries.

--mlp-spec mlp:F[@activation] does the same for structured MLP-channel
pruning on a gated MLP (SiLU(x . wg) * (x . wu)) . wd + x, then . wo ->
y): the reference drops the lowest-scored intermediate channels (columns of
wg and wu, rows of wd; scores ||wd[c, :]|| * ||wg[:, c]|| * ||wu[:, c]||,
or ||wd[c, :]|| * made-up norms of the down projection's input) and the
report must give the channels each weight lost.
--sparse-int8 SPEC: `--prune SPEC --quant int8-channel` (on x86 a 2:4
int8-channel weight is stored compressed and runs the 2:4 sparse kernel)
against the dense reference run of the same pruned, quantized weights
(`--quant-simulate`: fp32 weights holding the dequantized values, dense
kernels), and for 2:4 a package smaller than the unpruned int8-channel one.
Prints PASS/FAIL lines and `N passed, N failed`.
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from onnx_cases import init, make_model, node  # noqa: E402


def weights():
    rng = np.random.default_rng(7)
    return {
        "w1": rng.standard_normal((64, 64)).astype(np.float32) * 0.3,
        "b1": rng.standard_normal(64).astype(np.float32) * 0.1,
        "w2": rng.standard_normal((64, 48)).astype(np.float32) * 0.3,
        "w3": rng.standard_normal((48, 16)).astype(np.float32) * 0.3,
    }


def model(w):
    F = TensorProto.FLOAT
    nodes = [
        node("MatMul", ["x", "w1"], ["h1"], name="fc1"),
        node("Add", ["h1", "b1"], ["h1b"], name="fc1_bias"),
        node("Relu", ["h1b"], ["a1"]),
        node("MatMul", ["a1", "w2"], ["h2"], name="fc2"),
        node("Relu", ["h2"], ["a2"]),
        node("MatMul", ["a2", "w3"], ["y"], name="fc3"),
    ]
    return make_model(nodes, [helper.make_tensor_value_info("x", F, [4, 64])],
                      [helper.make_tensor_value_info("y", F, [4, 16])],
                      [init(k, v) for k, v in w.items()])


def prune(w, spec, norms=None):
    """numpy reference of compiler/Pruner.cpp for [K, N] weights (axis 0)."""
    w = w.copy()
    score = np.abs(w)
    if norms is not None:
        score = score * norms[:, None].astype(np.float32)
    if spec.startswith("unstructured:"):
        remove = int(round(float(spec.split(":")[1]) * w.size))
        order = np.argsort(score, axis=None, kind="stable")[:remove]
        w.reshape(-1)[order] = 0
        return w
    n, m = (int(v) for v in spec.split(":"))
    k = w.shape[0]
    assert k % m == 0
    for o in range(w.shape[1]):
        for start in range(0, k, m):
            idx = np.argsort(score[start:start + m, o], kind="stable")[:m - n]
            w[start + idx, o] = 0
    return w


def forward(w, x):
    a1 = np.maximum(x @ w["w1"] + w["b1"], 0)
    a2 = np.maximum(a1 @ w["w2"], 0)
    return a2 @ w["w3"]


def gated_weights():
    rng = np.random.default_rng(5)
    return {
        "wg": rng.standard_normal((64, 96)).astype(np.float32) * 0.3,
        "wu": rng.standard_normal((64, 96)).astype(np.float32) * 0.3,
        "wd": rng.standard_normal((96, 64)).astype(np.float32) * 0.3,
        "wo": rng.standard_normal((64, 16)).astype(np.float32) * 0.3,
    }


def gated_model(w):
    F = TensorProto.FLOAT
    nodes = [
        node("MatMul", ["x", "wg"], ["g"], name="gate_proj"),
        node("Sigmoid", ["g"], ["gs"]),
        node("Mul", ["g", "gs"], ["ga"]),
        node("MatMul", ["x", "wu"], ["u"], name="up_proj"),
        node("Mul", ["ga", "u"], ["hm"]),
        node("MatMul", ["hm", "wd"], ["d"], name="down_proj"),
        node("Add", ["x", "d"], ["r"]),
        node("MatMul", ["r", "wo"], ["y"], name="out"),
    ]
    return make_model(nodes, [helper.make_tensor_value_info("x", F, [4, 64])],
                      [helper.make_tensor_value_info("y", F, [4, 16])],
                      [init(k, v) for k, v in w.items()])


def gated_forward(w, x):
    g = x @ w["wg"]
    h = g / (1 + np.exp(-g)) * (x @ w["wu"])
    return (x + h @ w["wd"]) @ w["wo"]


def prune_channels(w, fraction, norms=None):
    """numpy reference of mlp:F (compiler/PruneGraph.cpp pruneMlpChannels)."""
    wg, wu, wd = (w[k].astype(np.float64) for k in ("wg", "wu", "wd"))
    inter = wd.shape[0]
    score = np.linalg.norm(wd, axis=1)
    if norms is None:
        score = score * np.linalg.norm(wg, axis=0) * np.linalg.norm(wu, axis=0)
    else:
        score = score * norms
    keep = inter - int(round(fraction * inter))
    if inter % 8 == 0:
        keep = min(inter, -(-keep // 8) * 8)
    keep = max(keep, 1)
    idx = np.arange(inter)
    # Highest score first; ties: the higher index stays.
    kept = np.sort(np.lexsort((-idx, -score))[:keep])
    return dict(w, wg=w["wg"][:, kept], wu=w["wu"][:, kept], wd=w["wd"][kept, :]), kept


def run_case(args, onnx_path, tag, x, y, flags):
    """Compiles with `flags`, runs against y; returns (problems, report layers)."""
    data = os.path.join(args.out, tag, "test_data_set_0")
    os.makedirs(data, exist_ok=True)
    save(os.path.join(data, "input_0.pb"), x, "x")
    save(os.path.join(data, "output_0.pb"), y, "y")
    pkg = os.path.join(args.out, tag + ".slmpkg")
    report = os.path.join(args.out, tag + ".json")
    r = subprocess.run([os.path.join(args.tools, "slmc"), "compile", onnx_path, "-o", pkg,
                        "--report", report, "--quiet"] + flags, capture_output=True, text=True)
    if r.returncode == 0:
        r = subprocess.run([os.path.join(args.tools, "slmc-run"), pkg, "--test-dir",
                            os.path.dirname(data)], capture_output=True, text=True)
    if r.returncode != 0:
        return ["run: " + r.stdout + r.stderr], []
    return [], json.load(open(report))["layers"]


def mlp_cases(args, x):
    w = gated_weights()
    onnx_path = os.path.join(args.out, "gated.onnx")
    with open(onnx_path, "wb") as f:
        f.write(gated_model(w).SerializeToString())
    norms = np.exp(np.random.default_rng(13).uniform(-2.3, 2.3, 96))
    norms_path = os.path.join(args.out, "gated-norms.json")
    with open(norms_path, "w") as f:
        json.dump({"weights": {"wd": [float(v) for v in norms]}}, f)
    passed = failed = 0
    for item in args.mlp_spec:
        spec, _, score = item.partition("@")
        activation = score == "activation"
        fraction = float(spec.split(":")[1])
        pruned, kept = prune_channels(w, fraction, norms if activation else None)
        problems = []
        if activation and np.array_equal(kept, prune_channels(w, fraction)[1]):
            problems.append("the norms do not change the kept channels")
        y = gated_forward(pruned, x).astype(np.float32)
        if np.allclose(gated_forward(w, x), y, atol=1e-3):
            problems.append("the reference equals the dense output")
        tag = item.replace(":", "_").replace("@", "_")
        run_problems, layers = run_case(
            args, onnx_path, tag, x, y,
            ["--prune", spec] + (["--prune-score", "activation", "--prune-norms", norms_path]
                                 if activation else []))
        problems += run_problems
        infos = [l["pruned"] for l in layers if "pruned" in l]
        removed = 96 - len(kept)
        # gate and up (merged into one weight or not) and down.
        if layers and (not infos or any(i["channels"] != 96 or i["channels_removed"] != removed or
                                         i["method"] != spec or
                                         abs(i["sparsity"] - removed / 96) > 1e-6 or
                                         i["score"] != ("activation" if activation
                                                        else "magnitude") for i in infos)
                       or "wd" not in {i["dense_weight"] for i in infos}):
            problems.append("report: %s (expected %d of 96 channels removed)" % (infos, removed))
        print("%s %s kept=%d %s" % ("FAIL" if problems else "PASS", item, len(kept),
                                    "; ".join(problems)))
        passed += not problems
        failed += bool(problems)
    return passed, failed


def sparse_int8_cases(args, onnx_path, x):
    passed = failed = 0
    slmc = os.path.join(args.tools, "slmc")
    run = os.path.join(args.tools, "slmc-run")
    for spec in args.sparse_int8:
        tag = "sparse-int8-" + spec.replace(":", "_")
        d = os.path.join(args.out, tag)
        inputs = os.path.join(d, "inputs", "test_data_set_0")
        os.makedirs(inputs, exist_ok=True)
        save(os.path.join(inputs, "input_0.pb"), x, "x")
        pkgs = {k: os.path.join(d, k + ".slmpkg") for k in ("sim", "sparse", "dense")}
        flags = {"sim": ["--prune", spec, "--quant", "int8-channel", "--quant-simulate"],
                 "sparse": ["--prune", spec, "--quant", "int8-channel"],
                 "dense": ["--quant", "int8-channel"]}
        problems = []
        for k, f in flags.items():
            r = subprocess.run([slmc, "compile", onnx_path, "-o", pkgs[k], "--quiet"] + f,
                               capture_output=True, text=True)
            if r.returncode != 0:
                problems.append("compile %s: %s" % (k, r.stdout + r.stderr))
        if not problems:
            # The reference: the simulated package's outputs (a test dir).
            ref = os.path.join(d, "ref")
            steps = [[run, pkgs["sim"], "--test-dir", os.path.dirname(inputs),
                      "--save-outputs", ref],
                     [run, pkgs["sparse"], "--test-dir", ref]]
            for cmd in steps:
                r = subprocess.run(cmd, capture_output=True, text=True)
                if r.returncode != 0:
                    problems.append("%s: %s" % (os.path.basename(cmd[1]), r.stdout + r.stderr))
                    break
        if not problems and spec == "2:4":
            sizes = {k: os.path.getsize(v) for k, v in pkgs.items()}
            if not sizes["sparse"] < sizes["dense"]:
                problems.append("the 2:4 package is not smaller than dense: %s" % sizes)
        print("%s sparse-int8 %s %s" % ("FAIL" if problems else "PASS", spec, "; ".join(problems)))
        passed += not problems
        failed += bool(problems)
    return passed, failed


def save(path, array, name):
    with open(path, "wb") as f:
        f.write(numpy_helper.from_array(array, name).SerializeToString())


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--tools", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--spec", action="append", default=[])
    p.add_argument("--mlp-spec", action="append", default=[])
    p.add_argument("--sparse-int8", action="append", default=[])
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    w = weights()
    onnx_path = os.path.join(args.out, "mlp.onnx")
    with open(onnx_path, "wb") as f:
        f.write(model(w).SerializeToString())
    x = np.random.default_rng(3).standard_normal((4, 64)).astype(np.float32)
    passed = failed = 0
    # Made-up input-channel norms for --prune-score activation: a spread of
    # 100x, so that they change which weights go.
    rng = np.random.default_rng(11)
    norms = {"w1": np.exp(rng.uniform(-2.3, 2.3, 64)).astype(np.float32),
             "w2": np.exp(rng.uniform(-2.3, 2.3, 64)).astype(np.float32)}
    norms_path = os.path.join(args.out, "norms.json")
    with open(norms_path, "w") as f:
        json.dump({"weights": {k: [float(x) for x in v] for k, v in norms.items()}}, f)
    for item in args.spec:
        spec, _, score = item.partition("@")
        activation = score == "activation"
        tag = item.replace(":", "_").replace("@", "_")
        pruned = dict(w, w1=prune(w["w1"], spec, norms["w1"] if activation else None),
                      w2=prune(w["w2"], spec, norms["w2"] if activation else None))
        if activation:
            magnitude = prune(w["w1"], spec)
            if np.array_equal(magnitude == 0, pruned["w1"] == 0):
                print("FAIL %s: the norms do not change the pruned set" % item)
                failed += 1
                continue
        dense_y = forward(w, x)
        y = forward(pruned, x).astype(np.float32)
        problems, layers = run_case(
            args, onnx_path, tag, x, y,
            ["--prune", spec] + (["--prune-score", "activation", "--prune-norms", norms_path]
                                 if activation else []))
        if not problems:
            seen = {}
            for layer in layers:
                dense = layer["weight"].split("#")[0]
                seen[dense] = layer.get("pruned")
            for name in ("w1", "w2"):
                info = seen.get(name)
                expected = float(np.mean(pruned[name] == 0))
                if (not info or info["method"] != spec or
                        info["score"] != ("activation" if activation else "magnitude") or
                        abs(info["sparsity"] - expected) > 1e-6):
                    problems.append("report of %s: %s (expected sparsity %g)" %
                                    (name, info, expected))
            if seen.get("w3") is not None:
                problems.append("the lm_head w3 was pruned: %s" % seen.get("w3"))
        # The pruned model must differ from the dense one (pruning happened).
        if np.allclose(dense_y, y, atol=1e-3):
            problems.append("the reference equals the dense output")
        print("%s %s %s" % ("FAIL" if problems else "PASS", item, "; ".join(problems)))
        passed += not problems
        failed += bool(problems)
    for more in (mlp_cases(args, x), sparse_int8_cases(args, onnx_path, x)):
        passed += more[0]
        failed += more[1]
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
