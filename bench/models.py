#!/usr/bin/python3
"""slmc vs ONNX Runtime on real-size SLM graphs, side by side in one run.

For each model (the graph-only exports under shared/models, weights filled
deterministically by slmc-fill-weights) and flavour, compiles the graph with
slmc, then measures prefill and decode latency with `slmc-run --bench` and
ONNX Runtime (CPU provider, graph optimizations on, bench/ort/ort-bench.js)
on the same .onnx files and thread counts, alternating the two systems run
by run so that machine noise hits both alike. Writes results.json and
results.md into --out.

  bench/models.py --models smollm2 --threads 1,2 --runs 5
"""
import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = {
    "smollm2": "smollm2-135m-config",
    "llama1b": "llama-3.2-1b-config",
}
# (phase, graph flavour, seq, past)
SCENARIOS = [("prefill", "prefill", 128, 0), ("decode", "decode", 1, 128)]


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise RuntimeError("%s failed:\n%s%s" % (" ".join(cmd), r.stdout, r.stderr))
    return r.stdout


def prepare(shared, work, tools, name, flavour):
    """A copy of the graph with filled weights (cached across runs)."""
    src = os.path.join(shared, "models", "%s-%s" % (MODELS[name], flavour))
    dst = os.path.join(work, "%s-%s" % (name, flavour))
    os.makedirs(dst, exist_ok=True)
    for f in ("model.onnx", "weights_index.json"):
        if not os.path.exists(os.path.join(dst, f)):
            shutil.copy(os.path.join(src, f), dst)
    if not os.path.exists(os.path.join(dst, "weights.bin")):
        log("filling weights of %s-%s" % (name, flavour))
        run([os.path.join(tools, "slmc-fill-weights"), dst, "--seed", "0"])
    return os.path.join(dst, "model.onnx")


def slmc_ms(tools, pkg, seq, past, threads, iters):
    out = run([os.path.join(tools, "slmc-run"), pkg, "--bench", "--seq", str(seq), "--past",
               str(past), "--threads", str(threads), "--iters", str(iters), "--warmup", "1"])
    m = re.search(r"median ([0-9.]+) ms", out)
    if not m:
        raise RuntimeError("cannot read slmc-run --bench output:\n" + out)
    return float(m.group(1))


def ort_ms(model, seq, past, threads, iters):
    out = run(["node", os.path.join(ROOT, "bench", "ort", "ort-bench.js"), model, "--seq", str(seq),
               "--past", str(past), "--threads", str(threads), "--iters", str(iters)],
              env=dict(os.environ, NODE_PATH=os.path.join(ROOT, "bench", "node_modules")))
    return json.loads(out.strip().splitlines()[-1])["median_ms"]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--shared", default=os.path.join(ROOT, "..", "shared"))
    p.add_argument("--tools", default=os.path.join(ROOT, "build", "bin"))
    p.add_argument("--work", default=os.path.join(ROOT, "bench", "work"))
    p.add_argument("--out", default=os.path.join(ROOT, "bench", "results"))
    p.add_argument("--models", default="smollm2,llama1b")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--runs", type=int, default=5, help="alternating runs per system")
    p.add_argument("--iters", type=int, default=3, help="timed iterations inside a run")
    p.add_argument("--target", default="native")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rows = []
    for name in args.models.split(","):
        for phase, flavour, seq, past in SCENARIOS:
            model = prepare(args.shared, args.work, args.tools, name, flavour)
            pkg = os.path.join(args.work, "%s-%s-%s.slmpkg" % (name, flavour, args.target))
            t0 = time.time()
            run([os.path.join(args.tools, "slmc"), "compile", model, "--target", args.target,
                 "-o", pkg, "--quiet"])
            compile_s = time.time() - t0
            for threads in [int(t) for t in args.threads.split(",")]:
                s_times, o_times = [], []
                for r in range(args.runs):
                    s_times.append(slmc_ms(args.tools, pkg, seq, past, threads, args.iters))
                    o_times.append(ort_ms(model, seq, past, threads, args.iters))
                row = {"model": name, "phase": phase, "seq": seq, "past": past,
                       "threads": threads, "slmc_ms": statistics.median(s_times),
                       "slmc_min_ms": min(s_times), "slmc_max_ms": max(s_times),
                       "ort_ms": statistics.median(o_times), "ort_min_ms": min(o_times),
                       "ort_max_ms": max(o_times), "compile_s": compile_s,
                       "package_bytes": os.path.getsize(pkg)}
                row["speedup_vs_ort"] = row["ort_ms"] / row["slmc_ms"]
                rows.append(row)
                log("%s %s threads=%d: slmc %.2f ms, onnxruntime %.2f ms (x%.2f)" % (
                    name, phase, threads, row["slmc_ms"], row["ort_ms"], row["speedup_vs_ort"]))
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    cpu = ""
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    result = {"date": time.strftime("%Y-%m-%d"), "host_cpu": cpu, "cores": os.cpu_count(),
              "machine": platform.machine(), "git_commit": commit, "target": args.target,
              "runs": args.runs, "iters": args.iters, "rows": rows}
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(result, f, indent=1)
    lines = ["Measured %s on %s (%d cores), commit %s, target %s; medians of %d alternating "
             "runs (each the median of %d iterations)." % (result["date"], cpu, os.cpu_count(),
                                                           commit, args.target, args.runs, args.iters),
             "", "| model | phase | tokens | threads | slmc ms | ONNX Runtime ms | slmc speed-up |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        tokens = "%d at past %d" % (r["seq"], r["past"]) if r["phase"] == "decode" else str(r["seq"])
        lines.append("| %s | %s | %s | %d | %.2f | %.2f | %.2fx |" % (
            r["model"], r["phase"], tokens, r["threads"], r["slmc_ms"], r["ort_ms"],
            r["speedup_vs_ort"]))
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
