#!/usr/bin/python3
"""Bits per byte of a byte-level model per quantization scheme vs fp32.

Compiles MODEL/prefill/model.onnx with `slmc compile --quant S` for each
--bound S=PERCENT, runs `slmc-run --eval-text MODEL/eval.txt` and checks
100 * (bpb_S - bpb_fp32) / bpb_fp32 <= PERCENT, with bpb_fp32 ONNX Runtime's
value from MODEL/meta.json. Prints one line per scheme (the table of issue 5)
and `N passed, N failed`.
"""
import argparse
import json
import os
import subprocess
import sys


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tools", required=True)
    p.add_argument("--model", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--bound", action="append", default=[], help="scheme=max delta percent")
    p.add_argument("--extra", default="", help="extra slmc compile flags (space separated)")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    meta = json.load(open(os.path.join(args.model, "meta.json")))
    fp32 = meta["metrics_onnxruntime"]["eval_ort_cpu_fp32"]["bpb"]
    print("fp32 (onnxruntime) bits_per_byte=%.6f" % fp32)
    passed = failed = 0
    for item in args.bound:
        scheme, bound = item.split("=")
        pkg = os.path.join(args.out, scheme + ".slmpkg")
        r = subprocess.run([os.path.join(args.tools, "slmc"), "compile",
                            os.path.join(args.model, "prefill", "model.onnx"), "--quant", scheme,
                            "-o", pkg, "--quiet"] + args.extra.split(),
                           capture_output=True, text=True)
        if r.returncode == 0:
            r = subprocess.run([os.path.join(args.tools, "slmc-run"), pkg, "--eval-text",
                                os.path.join(args.model, "eval.txt")],
                               capture_output=True, text=True)
        last = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ""
        if r.returncode != 0 or not last.startswith("bits_per_byte="):
            print("FAIL %s: %s%s" % (scheme, r.stdout, r.stderr))
            failed += 1
            continue
        bpb = float(last.split("=")[1])
        delta = 100.0 * (bpb - fp32) / fp32
        ok = delta <= float(bound)
        print("%s %-14s bits_per_byte=%.6f delta=%+.3f %% (bound %s %%) package=%d bytes" %
              ("PASS" if ok else "FAIL", scheme, bpb, delta, bound, os.path.getsize(pkg)))
        passed += ok
        failed += not ok
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
