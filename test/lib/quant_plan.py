#!/usr/bin/python3
"""Checks the `plan` of an `slmc compile --quant auto --report` file.

  quant_plan.py REPORT [--target T] [--codegen yes|no] [--objective O]
      [--budget PERCENT] [--schemes a,b,c] [--expect scheme=min_fraction ...]
      [--summary]

Always: `plan.predicted` is true; every planned layer has `candidates` (scheme,
predicted_us, sensitivity) and its `scheme` is one of them; the candidates are
the same schemes for every layer (the target's runnable ones, `--schemes`
when given, in order); the layers' sensitivities add up to the plan's, which
is within the budget. `--expect S=F`: at least fraction F of the planned
weights use scheme S (a glob: `int4-*`). Prints `PASS ...` or `FAIL ...: problems` and exits 0/1;
--summary prints the scheme counts.
"""
import argparse
import collections
import fnmatch
import json
import sys


def check(report, args):
    problems = []
    plan = report.get("plan")
    if plan is None:
        return ["no plan in the report"], {}
    if plan.get("predicted") is not True:
        problems.append("plan.predicted is not true")
    if args.target and plan.get("target") != args.target:
        problems.append("plan.target %r, expected %r" % (plan.get("target"), args.target))
    if args.codegen and plan.get("codegen") != (args.codegen == "yes"):
        problems.append("plan.codegen %r" % plan.get("codegen"))
    if args.objective and plan.get("objective") != args.objective:
        problems.append("plan.objective %r" % plan.get("objective"))
    if args.budget is not None and abs(plan.get("budget_percent", -1) - args.budget) > 1e-9:
        problems.append("plan.budget_percent %r" % plan.get("budget_percent"))
    if not plan.get("why"):
        problems.append("plan.why is empty")
    planned = [l for l in report["layers"] if "candidates" in l]
    if not planned:
        problems.append("no layer has candidates")
    schemes = None
    total = 0.0
    seen = set()
    for layer in planned:
        names = [c["scheme"] for c in layer["candidates"]]
        for c in layer["candidates"]:
            for key in ("scheme", "predicted_us", "sensitivity"):
                if key not in c:
                    problems.append("%s: a candidate lacks %s" % (layer["name"], key))
        if schemes is None:
            schemes = names
        elif names != schemes:
            problems.append("%s: candidates %s differ from %s" % (layer["name"], names, schemes))
        if layer["scheme"] not in names:
            problems.append("%s: scheme %s is not a candidate" % (layer["name"], layer["scheme"]))
        if not layer.get("reason"):
            problems.append("%s: no reason" % layer["name"])
        chosen = [c for c in layer["candidates"] if c["scheme"] == layer["scheme"]]
        if chosen and layer["weight"] not in seen:
            total += chosen[0]["sensitivity"]
            seen.add(layer["weight"])
    if args.schemes and schemes != args.schemes.split(","):
        problems.append("candidates %s, expected %s" % (schemes, args.schemes.split(",")))
    if abs(total - plan["sensitivity_percent"]) > 1e-4 + 1e-3 * total:
        problems.append("layers' sensitivities add up to %.6f, the plan says %.6f" %
                        (total, plan["sensitivity_percent"]))
    if plan["sensitivity_percent"] > plan["budget_percent"] + 1e-9 and not plan.get("over_budget"):
        problems.append("sensitivity %.4f %% over the budget %.4f %%" %
                        (plan["sensitivity_percent"], plan["budget_percent"]))
    by_weight = {}
    for layer in planned:
        by_weight[layer["weight"]] = layer["scheme"]
    counts = collections.Counter(by_weight.values())
    for item in args.expect:
        scheme, fraction = item.split("=")
        got = sum(n for s, n in counts.items() if fnmatch.fnmatchcase(s, scheme)) / \
            max(1, len(by_weight))
        if got + 1e-9 < float(fraction):
            problems.append("%s on %.0f %% of the weights, expected at least %.0f %% (plan: %s)" %
                            (scheme, 100 * got, 100 * float(fraction), dict(counts)))
    return problems, counts


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("report")
    p.add_argument("--target")
    p.add_argument("--codegen", choices=["yes", "no"])
    p.add_argument("--objective")
    p.add_argument("--budget", type=float)
    p.add_argument("--schemes")
    p.add_argument("--expect", action="append", default=[])
    p.add_argument("--summary", action="store_true")
    p.add_argument("--label", default="")
    args = p.parse_args()
    report = json.load(open(args.report))
    problems, counts = check(report, args)
    label = args.label or args.report
    if args.summary:
        print("%s: %s" % (label, ", ".join("%s x%d" % kv for kv in sorted(counts.items()))))
    if problems:
        print("FAIL %s: %s" % (label, "; ".join(problems)))
        sys.exit(1)
    print("PASS %s" % label)


if __name__ == "__main__":
    main()
