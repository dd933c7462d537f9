#!/usr/bin/python3
"""Runs every shared model's test sets through quantized packages.

For each model folder with test_data_set_* and each scheme:
  1. `slmc compile --quant S --quant-simulate`: fp32 kernels on the
     dequantized weights (the reference: the same numbers the quantized
     package should compute), run on the test sets with --save-outputs;
  2. `slmc compile --quant S`: the quantized package, compared with (1)
     within the scheme's tolerance below.
It also prints each package's error against ONNX Runtime's fp32 outputs
(informative: quantization error of the model, not of the kernels).

Tolerances:
  f16, bf16, int8-channel (weight-only, fp32 activations everywhere):
  elementwise |quantized - simulated| <= 1e-4 + 1e-3 * |simulated|, the fp32
  tolerances (only the summation order differs).
  int4 schemes and w8a8-dynamic: the kernels quantize activations to int8
  (w8a8: per row, always; int4: per 32 elements in decode rows on CPUs with
  VNNI), which the fp32 reference does not. For them every output tensor
  must satisfy ||quantized - simulated||_2 <= REL_L2 * ||simulated||_2
  (measured: 0.017-0.073 on the shared models).
"""
import argparse
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from shared_models import model_dirs  # noqa: E402

TIGHT = ("1e-4", "1e-3")
ACT_QUANT = None
REL_L2 = 0.1
SCHEMES = {
    "f16": TIGHT,
    "bf16": TIGHT,
    "int8-channel": TIGHT,
    "int4-g32": ACT_QUANT,
    "int4-g128-asym": ACT_QUANT,
    "w8a8-dynamic": ACT_QUANT,
}


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def max_abs(text):
    values = [float(v) for v in re.findall(r"max_abs=([0-9.e+-]+|inf|nan)", text)]
    return max(values) if values else float("nan")


def compare_norms(want_dir, got_dir, rel_l2=REL_L2):
    """Relative L2 error per output tensor (at most rel_l2) and logits arg-max agreement."""
    import numpy as np
    from onnx import TensorProto, numpy_helper
    worst, agree, total, compared = 0.0, 0, 0, 0
    for set_name in sorted(os.listdir(want_dir)):
        for f in sorted(os.listdir(os.path.join(want_dir, set_name))):
            if not f.startswith("output_"):
                continue
            tensors = []
            for d in (want_dir, got_dir):
                t = TensorProto()
                with open(os.path.join(d, set_name, f), "rb") as fh:
                    t.ParseFromString(fh.read())
                tensors.append((t.name, numpy_helper.to_array(t).astype(np.float64)))
            (name, want), (_, got) = tensors
            if got.shape != want.shape:
                return False, "%s/%s: shape %s, expected %s" % (set_name, f, got.shape, want.shape)
            rel = np.linalg.norm(got - want) / max(np.linalg.norm(want), 1e-30)
            compared += 1
            worst = max(worst, rel)
            if name == "logits":
                agree += int((got.argmax(-1) == want.argmax(-1)).sum())
                total += want[..., 0].size
    # Arg-max agreement is informative only: random tiny models have near ties.
    if compared == 0:
        return False, "no outputs to compare in %s" % want_dir
    ok = worst <= rel_l2
    return ok, "rel_l2=%.3g (<= %g), logits argmax agree %d/%d" % (worst, rel_l2, agree, total)


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--shared", required=True)
    p.add_argument("--tools", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--schemes", default=",".join(SCHEMES))
    p.add_argument("--models", default="", help="comma-separated folder names (default: all)")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    root = os.path.join(args.shared, "models")
    models = model_dirs(args.shared, with_test_data=True, names=args.models)
    slmc, slmc_run = os.path.join(args.tools, "slmc"), os.path.join(args.tools, "slmc-run")
    passed = failed = 0
    for model in models:
        name = os.path.relpath(model, root).replace("/", "-")
        for scheme in args.schemes.split(","):
            tag = "%s %s" % (name, scheme)
            sim = os.path.join(args.out, "%s-%s-sim.slmpkg" % (name, scheme))
            pkg = os.path.join(args.out, "%s-%s.slmpkg" % (name, scheme))
            ref = os.path.join(args.out, "%s-%s-reference" % (name, scheme))
            onnx = os.path.join(model, "model.onnx")
            r = run([slmc, "compile", onnx, "--quant", scheme, "--quant-simulate", "-o", sim,
                     "--quiet"])
            if r.returncode == 0:
                r = run([slmc, "compile", onnx, "--quant", scheme, "-o", pkg, "--quiet"])
            if r.returncode != 0:
                print("FAIL %s: compile\n%s" % (tag, r.stderr))
                failed += 1
                continue
            # Exit 1 is a mismatch with ORT (expected: quantization error).
            r = run([slmc_run, sim, "--test-dir", model, "--save-outputs", ref])
            if r.returncode not in (0, 1):
                print("FAIL %s: simulated run\n%s%s" % (tag, r.stdout, r.stderr))
                failed += 1
                continue
            vs_ort = max_abs(r.stdout)
            if SCHEMES[scheme] == TIGHT:
                r = run([slmc_run, pkg, "--test-dir", ref, "--atol", TIGHT[0], "--rtol", TIGHT[1]])
                ok = r.returncode == 0
                detail = "max_abs=%.3g (atol %s, rtol %s)" % (max_abs(r.stdout), *TIGHT)
                log = r.stdout + r.stderr
            else:
                got = ref + "-quantized"
                r = run([slmc_run, pkg, "--test-dir", ref, "--save-outputs", got])
                ok, detail = compare_norms(ref, got) if r.returncode in (0, 1) else (False, "")
                log = r.stdout + r.stderr
            print("%s %s: quantized vs simulated %s; simulated vs ORT fp32 max_abs=%.3g" %
                  ("PASS" if ok else "FAIL", tag, detail, vs_ort))
            if not ok:
                print(log)
            passed += ok
            failed += not ok
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
