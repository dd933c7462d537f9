#!/usr/bin/python3
"""--quant auto on the trained byte-level model: accuracy and decode speed.

1. Compiles MODEL/prefill with `--quant auto --accuracy-budget B` (and the
   measured sensitivities of --sensitivity, if given) and checks, with
   `slmc-run --eval-text MODEL/eval.txt`, that bits per byte rise by at most
   B % over fp32 (ONNX Runtime's value in meta.json). The plan is also
   checked (test/lib/quant_plan.py).
2. Compiles MODEL/decode with the same options (the same weights: the plan
   must be the same, weight by weight in layer order) and every uniform
   scheme of --uniform, times one decode step (`slmc-run --bench --seq 1
   --past P`, --rounds rounds taking turns, the best median per package),
   and finds the fastest uniform scheme that meets the budget (bits per
   byte measured for the uniform schemes in order of their speed until one
   meets it). Prints both latencies; timings are not asserted (machine
   noise), only accuracy and the plan.
With --proxy-too, the plan without measured sensitivities is evaluated too
(printed, not asserted).
Prints PASS/FAIL lines and `N passed, N failed`.
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import quant_plan  # noqa: E402
from slmc_tools import eval_bpb, run  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tools", required=True)
    p.add_argument("--model", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--target", default="x86-64-spr")
    p.add_argument("--budget", type=float, default=1.0)
    p.add_argument("--sensitivity", help="measured sensitivities (tools/slmc-sensitivity.py)")
    p.add_argument("--uniform", default="int4-g128,int4-g32,int8-channel,w8a8-dynamic,f16,bf16,none")
    p.add_argument("--past", type=int, default=128)
    p.add_argument("--iters", type=int, default=200)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--proxy-too", action="store_true")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    slmc = os.path.join(args.tools, "slmc")
    slmc_run = os.path.join(args.tools, "slmc-run")
    meta = json.load(open(os.path.join(args.model, "meta.json")))
    fp32 = meta["metrics_onnxruntime"]["eval_ort_cpu_fp32"]["bpb"]
    eval_txt = os.path.join(args.model, "eval.txt")
    print("fp32 (onnxruntime) bits_per_byte=%.6f; budget %.3g %%; target %s" %
          (fp32, args.budget, args.target))
    passed = failed = 0

    def result(ok, text):
        nonlocal passed, failed
        print("%s %s" % ("PASS" if ok else "FAIL", text), flush=True)
        passed += ok
        failed += not ok

    def compile_(flavour, name, extra):
        pkg = os.path.join(args.out, "%s-%s.slmpkg" % (flavour, name))
        report = os.path.join(args.out, "%s-%s.json" % (flavour, name))
        run([slmc, "compile", os.path.join(args.model, flavour, "model.onnx"), "-o", pkg,
             "--target", args.target, "--quiet", "--report", report] + extra)
        return pkg, json.load(open(report))

    def delta(pkg):
        bpb = eval_bpb(args.tools, pkg, eval_txt)
        return bpb, 100.0 * (bpb - fp32) / fp32

    auto = ["--quant", "auto", "--accuracy-budget", "%g%%" % args.budget,
            "--objective", "decode", "--plan-past", str(args.past)]
    plans = [("auto", auto + (["--sensitivity", args.sensitivity] if args.sensitivity else []))]
    if args.proxy_too and args.sensitivity:
        plans.append(("auto-proxy", auto))
    decode_pkgs = {}
    for name, flags in plans:
        pkg, report = compile_("prefill", name, flags)
        plan = report["plan"]
        counts = {}
        for layer in report["layers"]:
            counts[layer["scheme"]] = counts.get(layer["scheme"], 0) + 1
        print("%s plan: %s; planned sensitivity %.3f %%; predicted decode %.1f us (fp32 %.1f us)" %
              (name, ", ".join("%s x%d" % kv for kv in sorted(counts.items())),
               plan["sensitivity_percent"], plan["predicted_totals"]["decode_us"],
               plan["fp32_totals"]["decode_us"]))
        check = argparse.Namespace(target=args.target, codegen="yes", objective="decode",
                                   budget=args.budget, schemes=None, expect=[])
        problems, _ = quant_plan.check(report, check)
        if name == "auto":
            result(not problems, "%s plan: %s" % (name, "; ".join(problems) or "consistent"))
        bpb, d = delta(pkg)
        line = "%s bits_per_byte=%.6f delta=%+.3f %% (budget %.3g %%)" % (name, bpb, d, args.budget)
        if name == "auto":
            result(d <= args.budget, line)
        else:
            print("(not asserted) " + line)
        dpkg, dreport = compile_("decode", name, flags)
        same = [l["scheme"] for l in dreport["layers"]] == [l["scheme"] for l in report["layers"]]
        if name == "auto":
            result(same, "%s: the decode export gets the same plan as the prefill export" % name)
        decode_pkgs[name] = dpkg

    uniform = args.uniform.split(",")
    for scheme in uniform:
        decode_pkgs[scheme], _ = compile_("decode", scheme, ["--quant", scheme])
    best = {name: float("inf") for name in decode_pkgs}
    for _ in range(args.rounds):
        for name, pkg in decode_pkgs.items():
            out = run([slmc_run, pkg, "--bench", "--seq", "1", "--past", str(args.past),
                       "--iters", str(args.iters), "--warmup", "20"])
            line = [l for l in out.splitlines() if "median" in l][0]
            ms = float(line.split("median")[1].split("ms")[0])
            best[name] = min(best[name], ms)
    # The fastest uniform scheme meeting the budget (bits per byte measured
    # in order of speed until one meets it).
    fastest = None
    for scheme in sorted(uniform, key=lambda s: best[s]):
        pkg, _ = compile_("prefill", scheme, ["--quant", scheme])
        bpb, d = delta(pkg)
        print("uniform %-13s decode %.4f ms, bits_per_byte=%.6f delta=%+.3f %%%s" %
              (scheme, best[scheme], bpb, d, "" if d <= args.budget else " (over budget)"))
        if d <= args.budget:
            fastest = scheme
            break
    for name in decode_pkgs:
        if name.startswith("auto"):
            print("%s decode %.4f ms (best median of %d rounds x %d steps, past %d)" %
                  (name, best[name], args.rounds, args.iters, args.past))
    if fastest:
        ratio = best[fastest] / best["auto"]
        print("decode: auto %.4f ms vs %s %.4f ms, the fastest uniform scheme within %.3g %%: "
              "%.2fx (%s; timings not asserted)" %
              (best["auto"], fastest, best[fastest], args.budget, ratio,
               "auto at least as fast" if ratio >= 1 else "auto slower"))
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
