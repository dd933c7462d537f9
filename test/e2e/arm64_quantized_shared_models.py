#!/usr/bin/python3
"""Quantized shared models on the Arm64 targets against x86, per scheme.

For each model and scheme: the x86 package (--target x86-64-v3) runs the
model's test sets with --save-outputs (the reference); each Arm64 variant's
package of the same scheme runs under qemu-aarch64 on those inputs and is
compared with the x86 outputs. Tolerances are quantized_shared_models.py's
per scheme (the schemes the target's spec offers): weight-only f16, bf16, int8-channel elementwise within atol 1e-4,
rtol 1e-3 (both targets compute them exactly in fp32; only the summation
order differs); int4 and w8a8-dynamic per output tensor
||arm - x86||_2 <= 0.01 ||x86||_2: the x86-64-v3 int4 kernels are exact in
fp32 too (their int8-activation path is the AVX-512 VNNI one), and w8a8 quantizes activations the same way on both (round to
nearest even of a * 127 / max|a|), but a different fp32 summation order
before that can flip a rounding (measured: rel_l2 <= 1.7e-6 on the test's
models, against 0.017-0.073 for the quantization error itself).
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, HERE)
from shared_models import model_dirs  # noqa: E402
from quantized_shared_models import SCHEMES, TIGHT, compare_norms, max_abs, run  # noqa: E402

REL_L2 = 0.01


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--shared", required=True)
    p.add_argument("--tools", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--schemes", default=",".join(SCHEMES))
    p.add_argument("--targets", default="arm64-a78,arm64-v9")
    p.add_argument("--models", default="", help="comma-separated folder names (default: all)")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    root = os.path.join(args.shared, "models")
    models = model_dirs(args.shared, with_test_data=True, names=args.models)
    slmc, slmc_run = os.path.join(args.tools, "slmc"), os.path.join(args.tools, "slmc-run")
    # The schemes each target offers (its spec: native or emulated).
    offered = {}
    for target in args.targets.split(","):
        r = run([slmc, "targets", "--show", target, "--json"])
        if r.returncode != 0:
            sys.exit("slmc targets --show %s: %s" % (target, r.stderr))
        quant = json.loads(r.stdout)["quant"]
        offered[target] = {q["scheme"] for kind in ("native", "emulated") for q in quant.get(kind, [])}
    passed = failed = 0
    for model in models:
        name = os.path.relpath(model, root).replace("/", "-")
        onnx = os.path.join(model, "model.onnx")
        for scheme in args.schemes.split(","):
            x86 = os.path.join(args.out, "%s-%s-x86.slmpkg" % (name, scheme))
            ref = os.path.join(args.out, "%s-%s-x86-outputs" % (name, scheme))
            r = run([slmc, "compile", onnx, "--quant", scheme, "--target", "x86-64-v3",
                     "-o", x86, "--quiet"])
            # Exit 1 is a mismatch with ORT (expected: quantization error).
            if r.returncode == 0:
                r = run([slmc_run, x86, "--test-dir", model, "--save-outputs", ref])
            if r.returncode not in (0, 1):
                print("FAIL %s %s: x86 reference\n%s%s" % (name, scheme, r.stdout, r.stderr))
                failed += 1
                continue
            for target in args.targets.split(","):
                tag = "%s %s %s" % (target, name, scheme)
                if scheme not in offered[target]:
                    print("skip %s: not a scheme of the target" % tag)
                    continue
                pkg = os.path.join(args.out, "%s-%s-%s.slmpkg" % (name, scheme, target))
                r = run([slmc, "compile", onnx, "--quant", scheme, "--target", target,
                         "-o", pkg, "--quiet"])
                if r.returncode != 0:
                    print("FAIL %s: compile\n%s" % (tag, r.stderr))
                    failed += 1
                    continue
                if SCHEMES[scheme] == TIGHT:
                    r = run([slmc_run, pkg, "--test-dir", ref, "--atol", TIGHT[0],
                             "--rtol", TIGHT[1]])
                    ok = r.returncode == 0
                    detail = "max_abs=%.3g (atol %s, rtol %s)" % (max_abs(r.stdout), *TIGHT)
                else:
                    got = os.path.join(args.out, "%s-%s-%s-outputs" % (name, scheme, target))
                    r = run([slmc_run, pkg, "--test-dir", ref, "--save-outputs", got])
                    ok, detail = compare_norms(ref, got, REL_L2) if r.returncode in (0, 1) else (False, "")
                print("%s %s: vs x86 %s" % ("PASS" if ok else "FAIL", tag, detail))
                if not ok:
                    print(r.stdout + r.stderr)
                passed += ok
                failed += not ok
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
