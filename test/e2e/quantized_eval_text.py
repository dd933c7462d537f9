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
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from slmc_tools import compile_package, eval_bpb  # noqa: E402


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
        try:
            compile_package(args.tools, os.path.join(args.model, "prefill", "model.onnx"), pkg,
                            ["--quant", scheme] + args.extra.split())
            bpb = eval_bpb(args.tools, pkg, os.path.join(args.model, "eval.txt"))
        except RuntimeError as e:
            print("FAIL %s: %s" % (scheme, e))
            failed += 1
            continue
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
