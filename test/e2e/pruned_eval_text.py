#!/usr/bin/python3
"""Bits per byte of the trained byte-level model after `slmc compile --prune`.

Compiles MODEL/prefill/model.onnx dense (fp32) and once per --bound
SPEC=PERCENT (SPEC: a --prune spec, optionally followed by extra compile
flags after '+', e.g. "2:4+--quant int8-channel"), runs `slmc-run
--eval-text` on MODEL/eval.txt (or its first --prefix bytes) and checks that
bits per byte is finite and 100 * (bpb_pruned - bpb_fp32) / bpb_fp32 is in
(0, PERCENT]. Also checks each package's report: every pruned layer's
achieved sparsity equals the spec's. Prints one line per spec (the table of
bench/pruning.md), then for each --better A<B whether A's bits per byte is
below B's (activation-aware vs magnitude), and `N passed, N failed`.
"""
import argparse
import json
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from slmc_tools import compile_package, eval_bpb  # noqa: E402


def target_sparsity(spec):
    if spec.startswith(("unstructured:", "mlp:")):
        return float(spec.split(":")[1])
    n, m = (int(v) for v in spec.split(":"))
    return (m - n) / m


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tools", required=True)
    p.add_argument("--model", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--prefix", type=int, default=0, help="evaluate the first N bytes only")
    p.add_argument("--bound", action="append", default=[], help="spec=max delta percent")
    p.add_argument("--better", action="append", default=[],
                   help="LABEL_A<LABEL_B: bits per byte of --bound A is below B's")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    text = os.path.join(args.model, "eval.txt")
    if args.prefix:
        data = open(text, "rb").read()[:args.prefix]
        text = os.path.join(args.out, "eval-prefix.txt")
        open(text, "wb").write(data)
    onnx_path = os.path.join(args.model, "prefill", "model.onnx")
    dense = os.path.join(args.out, "fp32.slmpkg")
    compile_package(args.tools, onnx_path, dense, [])
    fp32 = eval_bpb(args.tools, dense, text)
    print("fp32 bits_per_byte=%.6f (%s)" % (fp32, "full eval.txt" if not args.prefix
                                            else "first %d bytes" % args.prefix))
    passed = failed = 0
    results = {}
    for item in args.bound:
        label, bound = item.rsplit("=", 1)
        spec, _, extra = label.partition("+")
        tag = "".join(c if c.isalnum() or c == "." else "_" for c in label.replace("--", ""))[:80]
        pkg = os.path.join(args.out, tag + ".slmpkg")
        report = os.path.join(args.out, tag + ".json")
        problems = []
        bpb = float("nan")
        try:
            compile_package(args.tools, onnx_path, pkg,
                        ["--prune", spec, "--report", report] + extra.split())
            bpb = eval_bpb(args.tools, pkg, text)
        except RuntimeError as e:
            problems.append(str(e).strip())
        delta = 100.0 * (bpb - fp32) / fp32
        if not problems:
            if not math.isfinite(bpb):
                problems.append("bits per byte is not finite")
            elif not 0 < delta <= float(bound):
                problems.append("delta %+.3f %% not in (0, %s]" % (delta, bound))
            rep = json.load(open(report))
            pruned = [l for l in rep["layers"] if "pruned" in l]
            want = target_sparsity(spec)
            bad = [l["name"] for l in pruned
                   if l["pruned"]["method"] != spec or abs(l["pruned"]["sparsity"] - want) > 1e-3]
            if not pruned or bad:
                problems.append("report: %d pruned layers, wrong sparsity in %s" %
                                (len(pruned), bad))
            if any(l["name"] == "lm_head" for l in pruned):
                problems.append("lm_head was pruned")
            summary = rep.get("pruning", {})
        else:
            summary = {}
        print("%s %-32s bits_per_byte=%.6f delta=%+.3f %% (bound %s %%) layers=%s "
              "sparsity=%s %s" % ("FAIL" if problems else "PASS", label, bpb, delta, bound,
                                  summary.get("weights"), summary.get("sparsity"),
                                  "; ".join(problems)))
        passed += not problems
        failed += bool(problems)
        results[label] = bpb
    for item in args.better:
        a, b = item.split("<")
        ok = results.get(a, float("nan")) < results.get(b, float("nan"))
        print("%s BETTER %s (%.6f) < %s (%.6f)" % ("PASS" if ok else "FAIL", a,
                                                   results.get(a, float("nan")), b,
                                                   results.get(b, float("nan"))))
        passed += ok
        failed += not ok
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
