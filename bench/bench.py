#!/usr/bin/python3
"""slmc against ONNX Runtime and PyTorch on real-size SLM graphs, in one run.

For each model (graph-only exports under shared/models, weights filled with
slmc-fill-weights, deterministic seed, cached in --work), compiles the
prefill and decode graphs with slmc for fp32 and every quantization scheme
slmc offers, checks that the PyTorch rebuild (bench/torch/llama_torch.py)
gives the same logits as slmc and ONNX Runtime, then measures, alternating
the systems run by run (the starting system rotates) so that machine noise
hits them alike:

  slmc          `slmc-run --bench`, one process per run (--warmup untimed
                iterations, then --iters timed ones)
  ONNX Runtime  CPU provider, all graph optimizations (bench/ort/ort-bench.js
                --serve: one session per graph and thread count)
  PyTorch       eager, Debian's python3-torch (one model per graph and
                thread count)

Metrics: prefill tokens/s at S = 128 and 512, decode tokens/s at past 128 and
1024, time to first token (S = 128, from a cold start), peak RSS, package
size, compile time; then slmc-bench-micro (kernels against the measured FMA
peak and read bandwidth). Writes results.json, results.md and one SVG chart
per metric into --out.

  bench/run.sh                      # both real-size models, 1 and 2 threads
  bench/run.sh --quick              # tiny models, one run: a smoke test
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
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import accuracy  # noqa: E402
import charts  # noqa: E402

# Short name -> folder prefix under shared/models (<prefix>-prefill, -decode).
MODELS = {
    "smollm2": "smollm2-135m-config",
    "llama1b": "llama-3.2-1b-config",
    "tiny-llama": "tiny-llama",
}
PREFILL_SEQS = (128, 512)
DECODE_PASTS = (128, 1024)
TTFT_SEQ = 128
DEFAULT_SCHEMES = ("int4-g32",)


# A scheme may carry compile variants after '+': "fp32+no-fusion" is the fp32
# package compiled with --no-fusion (the fused vs unfused comparison);
# "int8-channel+prune=2:4" compiled with --prune 2:4 (docs/pruning.md: the
# pruned vs dense comparison; magnitude scores, as the filled weights are
# random).
VARIANTS = {"no-fusion": ["--no-fusion"]}


def split_variant(scheme):
    """"int4-g32+no-fusion" -> ("int4-g32", ["--no-fusion"]);
    "fp32+prune=mlp:0.25" -> ("fp32", ["--prune", "mlp:0.25"])."""
    base, _, variant = scheme.partition("+")
    if variant.startswith("prune=") and len(variant) > len("prune="):
        return base, ["--prune", variant[len("prune="):]]
    if variant and variant not in VARIANTS:
        raise ValueError("unknown compile variant '+%s' in '%s' (known: %s, +prune=SPEC)"
                         % (variant, scheme, ", ".join("+" + v for v in VARIANTS)))
    return base, VARIANTS.get(variant, [])


def scheme_runs(scheme, flavour, n):
    """Quantized packages skip prefill at S = 512 (the costliest cell; a
    scheme's effect shows at S = 128) so that a full run fits in ~20 min."""
    return split_variant(scheme)[0] == "fp32" or flavour != "prefill" or n <= 128
PEERS = {"ort": "ONNX Runtime", "torch": "PyTorch"}
# The interpreter with torch and onnx: Debian's python3-torch is under /usr/bin/python3.
TORCH_PYTHON = os.environ.get("BENCH_TORCH_PYTHON", "/usr/bin/python3")
# (metric, title, unit, higher is better)
METRICS = [
    ("prefill_tok_s@128", "Prefill, 128 tokens", "tokens/s", True),
    ("prefill_tok_s@512", "Prefill, 512 tokens", "tokens/s", True),
    ("decode_tok_s@128", "Decode at past 128", "tokens/s", True),
    ("decode_tok_s@1024", "Decode at past 1024", "tokens/s", True),
    ("ttft_ms", "Time to first token (cold start, 128-token prompt)", "ms", False),
    ("peak_rss_mb.prefill", "Peak RSS, prefill graph (S = 128 and 512)", "MB", False),
    ("peak_rss_mb.decode", "Peak RSS, decode graph (past 128 and 1024)", "MB", False),
    ("package_mb", "Package size (decode graph)", "MB", False),
    ("compile_s", "Compile time (slmc) / session creation (ORT) / model build (PyTorch), decode graph",
     "s", False),
]


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def mmss(s):
    s = int(round(s))
    return "%d:%02d" % (s // 60, s % 60)


class Progress:
    """Elapsed time and what is left, from cost estimates scaled by how fast
    the work done so far went against its estimate."""

    def __init__(self, total):
        self.total, self.done, self.t0 = max(total, 1e-3), 0.0, time.time()

    def advance(self, est):
        self.done += est

    def log(self, msg):
        el = time.time() - self.t0
        factor = el / self.done if self.done > 1 else 1.0
        left = max(0.0, self.total - self.done) * min(max(factor, 0.5), 3.0)
        print("[%s, ~%s left] %s" % (mmss(el), mmss(left), msg), file=sys.stderr, flush=True)


class WorkerError(Exception):
    pass


class Worker:
    """A peer system kept loaded: JSON commands in, one JSON line out each."""

    def __init__(self, cmd, env=None):
        self.err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.err, text=True, env=env)
        self.hello = self._read()

    def _read(self):
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait()
            self.err.seek(0)
            tail = self.err.read().decode(errors="replace").strip().splitlines()[-3:]
            raise WorkerError("exited with status %s: %s" % (self.proc.returncode, " / ".join(tail)))
        reply = json.loads(line)
        if "error" in reply:
            raise WorkerError(reply["error"])
        return reply

    def call(self, **cmd):
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        self.err.close()


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise RuntimeError("%s failed (status %d):\n%s%s" % (" ".join(cmd), r.returncode,
                                                              r.stdout[-2000:], r.stderr[-2000:]))
    return r.stdout


def slmc_bench(tools, pkg, seq, past, threads, warmup, iters):
    """One slmc-run --bench process: (median ms, process wall ms, peak RSS KB)."""
    cmd = [os.path.join(tools, "slmc-run"), pkg, "--bench", "--seq", str(seq), "--past", str(past),
           "--threads", str(threads), "--warmup", str(warmup), "--iters", str(iters)]
    with tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(p.pid, 0)  # per-process peak RSS
        wall = (time.perf_counter() - t0) * 1e3
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode(errors="replace")
    m = re.search(r"median ([0-9.eE+-]+) ms", text)
    if p.returncode != 0 or not m:
        raise RuntimeError("%s failed (status %d):\n%s" % (" ".join(cmd), p.returncode, text[-2000:]))
    return float(m.group(1)), wall, usage.ru_maxrss


def discover_schemes(tools):
    """The quantization schemes `slmc compile` offers (fp32 is always there)."""
    slmc = os.path.join(tools, "slmc")
    r = subprocess.run([slmc, "compile", "--list-schemes"], capture_output=True, text=True)
    names = []
    if r.returncode == 0:
        for line in r.stdout.splitlines():
            tok = line.split()[0].rstrip(":,") if line.strip() else ""
            if re.fullmatch(r"[a-z][a-z0-9_.-]*", tok):
                names.append(tok)
    else:
        # LLVM's enum options list their values as "=name - text" under the option.
        help_text = subprocess.run([slmc, "compile", "--help"], capture_output=True,
                                   text=True).stdout.splitlines()
        for i, line in enumerate(help_text):
            if re.search(r"--quant\b", line):
                for follow in help_text[i + 1:]:
                    m = re.match(r"\s+=([A-Za-z0-9_.-]+)\s", follow)
                    if not m:
                        break
                    names.append(m.group(1))
    return [n for n in names if n not in ("fp32", "none", "f32")]


def host_info():
    cpu, flags = "", []
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name") and not cpu:
                    cpu = line.split(":", 1)[1].strip()
                elif line.startswith("flags") and not flags:
                    flags = line.split(":", 1)[1].split()
    except OSError:
        pass
    mem = 0
    try:
        with open("/proc/meminfo") as f:
            mem = int(f.readline().split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "machine": platform.machine(),
            "memory_gb": round(mem / 2**30, 1), "kernel": platform.release(),
            "load_average": os.getloadavg()[0], "flags": flags}


KEY_FLAGS = ["avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512_vnni",
             "avx512_bf16", "avx512_fp16", "avx_vnni", "amx_tile", "amx_int8", "amx_bf16"]


def slmc_version():
    head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True).stdout.strip()
    if not head:
        return "unknown"
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return head + ("-dirty" if dirty else "")


def model_dirs(shared, work, tools, name, progress):
    """{flavour: folder with model.onnx (+ filled weights.bin) and meta.json}."""
    prefix = MODELS.get(name, name)
    out = {}
    for flavour in ("prefill", "decode"):
        src = os.path.join(shared, "models", "%s-%s" % (prefix, flavour))
        if not os.path.exists(os.path.join(src, "model.onnx")):
            raise RuntimeError("no model at %s (is ../shared present?)" % src)
        if not os.path.exists(os.path.join(src, "weights_index.json")):
            out[flavour] = src  # weights inline: use it where it is
            continue
        dst = os.path.join(work, "%s-%s" % (name, flavour))
        os.makedirs(dst, exist_ok=True)
        for f in ("model.onnx", "weights_index.json", "meta.json"):
            if not os.path.exists(os.path.join(dst, f)):
                shutil.copy(os.path.join(src, f), dst)
        if not os.path.exists(os.path.join(dst, "weights.bin")):
            progress.log("filling the weights of %s-%s (seed 0, cached in %s)" % (name, flavour, dst))
            run([os.path.join(tools, "slmc-fill-weights"), dst, "--seed", "0"])
        out[flavour] = dst
    return out


def num_params(model_dir):
    try:
        with open(os.path.join(model_dir, "meta.json")) as f:
            return int(json.load(f).get("num_parameters", 1e6))
    except (OSError, ValueError):
        return 1e6


# Cost model for the estimate (seconds), from this 2-core machine's figures:
# ~70 GFLOP/s per thread in prefill, ~14 GB/s per thread in decode, ~0.2 GB/s
# for ONNX Runtime's session creation, 35 s + 0.1 GB/s for compiling a
# package; a second thread gives ~1.7x.
def est_exec(params, flavour, n, threads):
    speed = 1.0 if threads == 1 else 1.7
    if flavour == "prefill":
        return 2.0 * params * n / (70e9 * speed) + 0.002
    return 4.0 * params / (14e9 * speed) + 0.001


def est_compile(params):
    return 35.0 + 4.0 * params / 100e6


def est_load_ort(params):
    return 0.3 + 4.0 * params / 200e6


def summarize(samples):
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples),
            "n": len(samples), "samples": [round(s, 6) for s in samples]}


class Results:
    def __init__(self):
        self.rows = []

    def add(self, model, system, scheme, threads, metric, samples, unit):
        if not samples:
            return
        label = "slmc " + scheme if system == "slmc" else PEERS[system]
        row = {"model": model, "system": system, "scheme": scheme, "label": label,
               "threads": threads, "metric": metric, "unit": unit}
        row.update(summarize(samples))
        self.rows.append(row)

    def get(self, model, label, threads, metric):
        for r in self.rows:
            if (r["model"], r["label"], r["threads"], r["metric"]) == (model, label, threads, metric):
                return r
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(HERE, "results"), help="results folder")
    ap.add_argument("--quick", action="store_true",
                    help="smoke test: tiny models, one run, one thread, short microbenchmarks")
    ap.add_argument("--models", help="comma list of %s or any <prefix> with <prefix>-prefill and "
                    "-decode under shared/models (default smollm2,llama1b; --quick: tiny-llama)"
                    % ", ".join(MODELS))
    ap.add_argument("--threads", help="comma list (default 1,2; --quick: 1)")
    ap.add_argument("--schemes", help="comma list of slmc schemes, fp32 included, or 'all' (every "
                    "scheme `slmc compile --list-schemes` lists; default fp32,%s); a scheme with "
                    "'+no-fusion' (e.g. fp32+no-fusion) is compiled with --no-fusion, for the fused "
                    "vs unfused comparison" % ",".join(DEFAULT_SCHEMES))
    ap.add_argument("--systems", default="slmc,ort,torch", help="comma list of slmc, ort, torch")
    ap.add_argument("--runs", type=int, help="alternating runs per system and cell (default 5; "
                    "--quick: 1)")
    ap.add_argument("--iters", type=int, default=1, help="timed iterations per run (default 1)")
    ap.add_argument("--warmup", type=int, default=1,
                    help="untimed iterations first: in every slmc-run process, once per shape in "
                    "the ONNX Runtime and PyTorch workers (default 1)")
    ap.add_argument("--no-micro", action="store_true", help="skip slmc-bench-micro")
    ap.add_argument("--no-accuracy", action="store_true",
                    help="skip the bits per byte of each scheme on the trained model (bench/accuracy.py)")
    ap.add_argument("--micro-reps", type=int, help="slmc-bench-micro rounds (default 5; --quick: 1)")
    ap.add_argument("--target", default="native")
    ap.add_argument("--shared", default=os.path.join(ROOT, "..", "shared"))
    ap.add_argument("--tools", default=os.environ.get("SLMC_TOOLS", os.path.join(ROOT, "build", "bin")),
                    help="folder with slmc, slmc-run, slmc-fill-weights, slmc-bench-micro "
                    "(default build/bin, or $SLMC_TOOLS)")
    ap.add_argument("--work", default=os.path.join(HERE, "work"),
                    help="cache of filled weights and packages (default bench/work)")
    ap.add_argument("--estimate", action="store_true", help="print the estimated duration and exit")
    args = ap.parse_args()
    models = (args.models or ("tiny-llama" if args.quick else "smollm2,llama1b")).split(",")
    threads_list = [int(t) for t in (args.threads or ("1" if args.quick else "1,2")).split(",")]
    runs = args.runs or (1 if args.quick else 5)
    micro_reps = args.micro_reps or (1 if args.quick else 5)
    systems = args.systems.split(",")
    for s in systems:
        if s not in ("slmc", "ort", "torch"):
            ap.error("unknown system %s" % s)
    for tool in ("slmc", "slmc-run", "slmc-fill-weights"):
        if not os.access(os.path.join(args.tools, tool), os.X_OK):
            ap.error("%s not found in %s: build first (README), or pass --tools" % (tool, args.tools))

    # Which peers can run here; each one missing is skipped with the reason.
    skipped = {}
    if "ort" in systems:
        if not shutil.which("node"):
            skipped["ort"] = "node is not installed (apt-get install nodejs npm)"
        elif not os.path.isdir(os.path.join(HERE, "node_modules", "onnxruntime-node")):
            skipped["ort"] = ("bench/node_modules lacks onnxruntime-node (bench/setup.sh, or cd bench && "
                              "ONNXRUNTIME_NODE_INSTALL=skip npm install --no-save onnxruntime-node@1.30.0)")
    if "torch" in systems:
        r = subprocess.run([TORCH_PYTHON, "-c", "import torch, onnx"], capture_output=True,
                           text=True)
        if r.returncode != 0:
            skipped["torch"] = ("PyTorch is missing for %s (bench/setup.sh, or apt-get install "
                                "python3-torch libopenblas0-openmp)" % TORCH_PYTHON)
    peers = [s for s in ("ort", "torch") if s in systems and s not in skipped]
    for s, why in skipped.items():
        log("skipping %s: %s" % (PEERS[s], why))

    offered = discover_schemes(args.tools)
    if args.schemes == "all":
        schemes = ["fp32"] + offered
    elif args.schemes:
        schemes = args.schemes.split(",")
    else:
        # A full run of every scheme would take hours here: the representative
        # ones by default (--schemes all for every scheme slmc lists).
        schemes = ["fp32"] + [s for s in DEFAULT_SCHEMES if s in offered]
    for scheme in schemes:
        try:
            base, _ = split_variant(scheme)
        except ValueError as e:
            ap.error(str(e))
        if base != "fp32" and base not in offered:
            ap.error("unknown scheme '%s' (slmc offers: %s)" % (base, ", ".join(["fp32"] + offered)))
    log("slmc offers: %s" % ", ".join(["fp32"] + offered))
    if "slmc" not in systems:
        schemes = []
    log("slmc schemes: %s" % (", ".join(schemes) or "none"))

    # Estimate: compile, load, runs (each slmc run also pays its warm-up).
    params = {}
    for m in models:
        prefix = MODELS.get(m, m)
        params[m] = num_params(os.path.join(args.shared, "models", prefix + "-decode"))
    total = 0.0
    for m in models:
        p = params[m]
        total += 2 * len(schemes) * est_compile(p)
        for t in threads_list:
            for flavour, shapes in (("prefill", PREFILL_SEQS), ("decode", DECODE_PASTS)):
                if "ort" in peers:
                    total += est_load_ort(p)
                if "torch" in peers:
                    total += 2.0
                for n in shapes:
                    e = est_exec(p, flavour, n, t)
                    measured = [s for s in schemes if scheme_runs(s, flavour, n)]
                    total += runs * len(measured) * ((args.warmup + args.iters) * e + 0.05)
                    total += len(peers) * (args.warmup + runs * args.iters) * e
    if not args.no_micro:
        total += 5.0 * micro_reps * len(threads_list) + 3
    if not args.no_accuracy:
        total += (len(schemes) + ("fp32" not in schemes)) * (3.0 if args.quick else 40.0)
    log("estimated duration ~%s (models %s, threads %s, %d runs, %d peers)"
        % (mmss(total), ",".join(models), ",".join(map(str, threads_list)), runs, len(peers)))
    if args.estimate:
        return 0
    progress = Progress(total)
    os.makedirs(args.out, exist_ok=True)
    os.makedirs(args.work, exist_ok=True)

    res = Results()
    notes, checks, versions = [], [], {"slmc": slmc_version()}
    torch_ok = {}
    for m in models:
        p = params[m]
        dirs = model_dirs(args.shared, args.work, args.tools, m, progress)
        pkgs = {}
        model_schemes = []
        for scheme in schemes:
            ok = True
            for flavour in ("prefill", "decode"):
                pkg = os.path.join(args.work, "%s-%s-%s-%s.slmpkg" % (m, flavour, args.target, scheme))
                cmd = [os.path.join(args.tools, "slmc"), "compile", os.path.join(dirs[flavour], "model.onnx"),
                       "--target", args.target, "-o", pkg, "--quiet"]
                base, variant_flags = split_variant(scheme)
                if base != "fp32":
                    cmd += ["--quant", base]
                cmd += variant_flags
                progress.log("compiling %s-%s for %s, %s" % (m, flavour, args.target, scheme))
                t0 = time.perf_counter()
                r = subprocess.run(cmd, capture_output=True, text=True)
                secs = time.perf_counter() - t0
                progress.advance(est_compile(p))
                if r.returncode != 0:
                    msg = (r.stderr or r.stdout).strip().splitlines()
                    notes.append("slmc %s on %s-%s: compile failed: %s"
                                 % (scheme, m, flavour, msg[-1] if msg else "status %d" % r.returncode))
                    log(notes[-1])
                    ok = False
                    break
                pkgs[(scheme, flavour)] = pkg
                res.add(m, "slmc", scheme, None, "compile_s." + flavour, [secs], "s")
                if flavour == "decode":
                    res.add(m, "slmc", scheme, None, "compile_s", [secs], "s")
                    res.add(m, "slmc", scheme, None, "package_mb", [os.path.getsize(pkg) / 1e6], "MB")
            if ok:
                model_schemes.append(scheme)
        onnx_mb = sum(os.path.getsize(os.path.join(dirs["decode"], f)) for f in ("model.onnx", "weights.bin")
                      if os.path.exists(os.path.join(dirs["decode"], f))) / 1e6
        for peer in peers:
            res.add(m, peer, "fp32", None, "package_mb", [onnx_mb], "MB")

        for ti, threads in enumerate(threads_list):
            for flavour, shapes in (("prefill", [(n, 0) for n in PREFILL_SEQS]),
                                    ("decode", [(1, n) for n in DECODE_PASTS])):
                model_path = os.path.join(dirs[flavour], "model.onnx")
                workers = {}
                if "ort" in peers:
                    progress.log("%s-%s, %d thread(s): ONNX Runtime session" % (m, flavour, threads))
                    try:
                        workers["ort"] = Worker(["node", os.path.join(HERE, "ort", "ort-bench.js"), model_path,
                                                 "--serve", "--threads", str(threads)],
                                                env=dict(os.environ, NODE_PATH=os.path.join(HERE, "node_modules")))
                        versions["onnxruntime"] = workers["ort"].hello.get("version")
                    except WorkerError as e:
                        notes.append("ONNX Runtime on %s-%s: %s" % (m, flavour, e))
                        log(notes[-1])
                    progress.advance(est_load_ort(p))
                if "torch" in peers and torch_ok.get((m, flavour), True):
                    progress.log("%s-%s, %d thread(s): PyTorch model" % (m, flavour, threads))
                    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads))
                    try:
                        workers["torch"] = Worker([TORCH_PYTHON, os.path.join(HERE, "torch", "llama_torch.py"),
                                                   dirs[flavour], "--flavour", flavour, "--threads", str(threads)],
                                                  env=env)
                        versions["torch"] = workers["torch"].hello.get("version")
                    except WorkerError as e:
                        notes.append("PyTorch on %s: %s" % (m, e))
                        log(notes[-1])
                        torch_ok[(m, "prefill")] = torch_ok[(m, "decode")] = False
                    progress.advance(2.0)
                for peer, w in workers.items():
                    res.add(m, peer, "fp32", threads, "load_s." + flavour, [w.hello["load_s"]], "s")
                    if flavour == "decode" and ti == 0:
                        res.add(m, peer, "fp32", None, "compile_s", [w.hello["load_s"]], "s")
                if ti == 0 and "torch" in workers:
                    check = faithfulness(args.tools, pkgs.get(("fp32", flavour)), workers, dirs[flavour],
                                         args.work, m, flavour)
                    checks.append(check)
                    progress.log("check %s-%s: %s" % (m, flavour, check["summary"]))
                    if not check["ok"]:
                        notes.append("PyTorch on %s-%s is not faithful (%s): its timings are left out"
                                     % (m, flavour, check["summary"]))
                        torch_ok[(m, flavour)] = False
                        workers.pop("torch").close()
                rss = {}
                for seq, past in shapes:
                    n = seq if flavour == "prefill" else past
                    e = est_exec(p, flavour, n, threads)
                    samples = {}
                    ttft = {}
                    labels = [("slmc", s) for s in model_schemes if scheme_runs(s, flavour, n)]
                    labels += [(w, "fp32") for w in workers]
                    for r in range(runs):
                        order = labels[r % len(labels):] + labels[:r % len(labels)] if labels else []
                        got = []
                        for system, scheme in order:
                            key = (system, scheme)
                            try:
                                if system == "slmc":
                                    ms, wall, kb = slmc_bench(args.tools, pkgs[(scheme, flavour)], seq, past,
                                                              threads, args.warmup, args.iters)
                                    rss[key] = max(rss.get(key, 0), kb)
                                    if flavour == "prefill" and seq == TTFT_SEQ:
                                        # exec + open + session + the cold first run (+ exit)
                                        ttft.setdefault(key, []).append(wall - ms * args.iters)
                                    progress.advance((args.warmup + args.iters) * e + 0.05)
                                else:
                                    first = r == 0
                                    reply = workers[system].call(cmd="run", seq=seq, past=past,
                                                                 warmup=args.warmup if first else 0,
                                                                 iters=args.iters)
                                    ms = statistics.median(reply["ms"])
                                    if first and flavour == "prefill" and seq == TTFT_SEQ:
                                        cold = (reply["warmup_ms"] or reply["ms"])[0]
                                        ttft[key] = [workers[system].hello["load_s"] * 1e3 + cold]
                                    progress.advance(((args.warmup if first else 0) + args.iters) * e)
                            except (RuntimeError, WorkerError) as ex:
                                notes.append("%s %s on %s-%s S=%d past=%d threads=%d: %s"
                                             % (system, scheme, m, flavour, seq, past, threads,
                                                str(ex).strip().splitlines()[-1]))
                                log(notes[-1])
                                if system != "slmc":
                                    workers.pop(system).close()
                                    labels.remove(key)
                                continue
                            samples.setdefault(key, []).append(ms)
                            got.append("%s %s" % ("slmc " + scheme if system == "slmc" else PEERS[system],
                                                  "%.1f ms" % ms))
                        progress.log("%s %s %s, %d thread(s), run %d/%d: %s"
                                     % (m, flavour, "S=%d" % seq if flavour == "prefill" else "past=%d" % past,
                                        threads, r + 1, runs, ", ".join(got)))
                    metric = "%s_tok_s@%d" % (flavour, n)
                    for (system, scheme), ms_list in samples.items():
                        res.add(m, system, scheme, threads, metric, [seq * 1e3 / v for v in ms_list], "tokens/s")
                        res.add(m, system, scheme, threads, "%s_ms@%d" % (flavour, n), ms_list, "ms")
                    for (system, scheme), v in ttft.items():
                        res.add(m, system, scheme, threads, "ttft_ms", v, "ms")
                for peer, w in list(workers.items()):
                    try:
                        rss[(peer, "fp32")] = w.call(cmd="stats")["max_rss_kb"]
                    except WorkerError:
                        pass
                    w.close()
                for (system, scheme), kb in rss.items():
                    res.add(m, system, scheme, threads, "peak_rss_mb." + flavour, [kb / 1024.0], "MB")

    acc = {"model": accuracy.TRAINED, "rows": [], "reference_onnxruntime_bpb": None}
    if not args.no_accuracy:
        rows, acc["reference_onnxruntime_bpb"] = accuracy.score(
            args.tools, args.shared, args.work, schemes, split_variant, args.quick, progress, notes)
        acc["rows"] = [rows[s] for s in dict.fromkeys(["fp32"] + schemes) if s in rows]
        acc["text"] = "eval.txt" if not args.quick else "the first %d bytes of eval.txt" % accuracy.QUICK_BYTES

    micro = None
    if not args.no_micro:
        micro = run_micro(args.tools, args.out, micro_reps, threads_list, progress, notes)

    host = host_info()
    versions["python"] = platform.python_version()
    if shutil.which("node"):
        versions["node"] = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    result = {"date": time.strftime("%Y-%m-%d %H:%M"), "host": host, "versions": versions,
              "config": {"models": models, "threads": threads_list, "runs": runs, "iters": args.iters,
                         "warmup": args.warmup, "schemes": schemes, "target": args.target,
                         "quick": args.quick, "systems": systems},
              "skipped": {PEERS[k]: v for k, v in skipped.items()}, "notes": notes, "checks": checks,
              "measurements": res.rows, "accuracy": acc, "micro": micro,
              "duration_s": round(time.time() - progress.t0, 1)}
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(result, f, indent=1)
    md = markdown(result, res)
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write(md)
    for name in write_charts(result, res, args.out):
        log("wrote " + name)
    print(md)
    log("done in %s: %s" % (mmss(time.time() - progress.t0), args.out))
    return 0


def faithfulness(tools, pkg, workers, model_dir, work, model, flavour):
    """Torch's logits on one small input against slmc's and ONNX Runtime's."""
    d = tempfile.mkdtemp(prefix="check-%s-%s-" % (model, flavour), dir=work)
    try:
        info = workers["torch"].call(cmd="check", dir=d)
        out = {"model": model, "flavour": flavour, "max_abs_logit": info["max_abs_logit"]}
        # Tolerance: 1e-3 absolute + 1e-3 relative (fp32, different summation orders).
        ok = True
        parts = []
        if pkg:
            r = subprocess.run([os.path.join(tools, "slmc-run"), pkg, "--test-dir", d, "--atol", "1e-3",
                                "--rtol", "1e-3"], capture_output=True, text=True)
            m = re.search(r"logits\s+\S+\s+\S+\s+max_abs=([0-9.eE+-]+)", r.stdout)
            out["torch_vs_slmc_max_abs"] = float(m.group(1)) if m else None
            ok &= r.returncode == 0
            parts.append("PyTorch vs slmc max |diff| %s" % (m.group(1) if m else "n/a"))
        if "ort" in workers:
            c = workers["ort"].call(cmd="check", dir=d)
            out["torch_vs_ort_max_abs"] = c["max_abs"]
            ok &= c["max_abs"] <= 1e-3 + 1e-3 * c["max_abs_ref"]
            parts.append("PyTorch vs ONNX Runtime %.3g" % c["max_abs"])
        # The shipped ONNX Runtime reference, where the export has one (tiny models).
        ref = os.path.join(model_dir, "test_data_set_0")
        if os.path.isdir(ref):
            c = workers["torch"].call(cmd="check_ref", dir=ref)
            out["torch_vs_reference_max_abs"] = c["max_abs"]
            ok &= c["max_abs"] <= 1e-3 + 1e-3 * c["max_abs_ref"]
            parts.append("vs the export's reference outputs %.3g" % c["max_abs"])
        out["ok"] = bool(ok)
        out["summary"] = "%s (logits up to %.3g): %s" % (", ".join(parts), info["max_abs_logit"],
                                                         "ok" if ok else "MISMATCH")
        return out
    except WorkerError as e:
        return {"model": model, "flavour": flavour, "ok": False, "summary": "check failed: %s" % e}
    finally:
        shutil.rmtree(d, ignore_errors=True)


def run_micro(tools, out_dir, reps, threads_list, progress, notes):
    exe = os.path.join(tools, "slmc-bench-micro")
    if not os.access(exe, os.X_OK):
        notes.append("slmc-bench-micro not built (ninja slmc-bench-micro): microbenchmarks skipped")
        log(notes[-1])
        return None
    progress.log("slmc-bench-micro --reps %d" % reps)
    path = os.path.join(out_dir, "micro.json")
    try:
        text = run([exe, "--json", path, "--reps", str(reps), "--threads", ",".join(map(str, threads_list))])
        with open(path) as f:
            data = json.load(f)
    except (RuntimeError, OSError, ValueError) as e:
        notes.append("slmc-bench-micro failed: %s" % str(e).strip().splitlines()[0])
        log(notes[-1])
        return None
    progress.advance(5.0 * reps * len(threads_list) + 3)
    data["text"] = text
    return data


def fmt(v):
    if v >= 1000:
        return "%.0f" % v
    if v >= 100:
        return "%.1f" % v
    if v >= 10:
        return "%.2f" % v
    return "%.3g" % v


def cell(r):
    if not r:
        return "—"
    if r["n"] > 1:
        return "%s (%s–%s)" % (fmt(r["median"]), fmt(r["min"]), fmt(r["max"]))
    return fmt(r["median"])


def series_labels(result):
    labels = ["slmc " + s for s in result["config"]["schemes"]]
    for peer in ("ort", "torch"):
        if any(r["system"] == peer for r in result["measurements"]):
            labels.append(PEERS[peer])
    return labels


def markdown(result, res):
    h, v = result["host"], result["versions"]
    cfg = result["config"]
    flags = [f for f in KEY_FLAGS if f in h["flags"]]
    lines = ["# slmc vs ONNX Runtime and PyTorch", "",
             "Measured %s on %s (%d cores, %.0f GB, %s), load average %.2f at the start. "
             "slmc %s (target %s), %s, %s." % (
                 result["date"], h["cpu"], h["cores"], h["memory_gb"], " ".join(flags),
                 h["load_average"], v.get("slmc"), cfg["target"],
                 "ONNX Runtime " + v["onnxruntime"].split()[-1] if v.get("onnxruntime") else "no ONNX Runtime",
                 "PyTorch " + v["torch"].split()[-1] if v.get("torch") else "no PyTorch"),
             "",
             "Each cell: median (min–max) of %d runs, the systems alternating run by run; a run is "
             "%d timed iteration(s) after %d warm-up iteration(s). Weights are random (filled with "
             "a fixed seed), fp32 unless the scheme says otherwise. Full run took %s."
             % (cfg["runs"], cfg["iters"], cfg["warmup"], mmss(result["duration_s"])), ""]
    for k, why in result["skipped"].items():
        lines.append("- %s skipped: %s" % (k, why))
    for n in result["notes"]:
        lines.append("- " + n)
    for c in result["checks"]:
        lines.append("- Check %s-%s: %s" % (c["model"], c["flavour"], c["summary"]))
    lines.append("")
    labels = series_labels(result)
    for m in cfg["models"]:
        lines += ["## %s" % m, "",
                  "| metric | threads | %s | slmc fp32 vs ONNX Runtime |" % " | ".join(labels),
                  "|---|---|%s---|" % ("---|" * len(labels))]
        for metric, title, unit, higher in METRICS:
            for t in ([None] if metric in ("package_mb", "compile_s") else cfg["threads"]):
                rows = [res.get(m, lab, t, metric) for lab in labels]
                if not any(rows):
                    continue
                s, o = res.get(m, "slmc fp32", t, metric), res.get(m, "ONNX Runtime", t, metric)
                ratio = "—"
                if s and o and s["median"] > 0 and o["median"] > 0:
                    ratio = "%.2fx" % (s["median"] / o["median"] if higher else o["median"] / s["median"])
                lines.append("| %s (%s%s) | %s | %s | %s |" % (
                    title, unit, ", higher is better" if higher else "", "—" if t is None else t,
                    " | ".join(cell(r) for r in rows), ratio))
        lines.append("")
    lines.append("Ratios: > 1 means slmc fp32 is better (faster, smaller, quicker). Time to first "
                 "token: slmc from the start of the slmc-run process (package open, session, first "
                 "run); ONNX Runtime from session creation, PyTorch from building the model out of "
                 "the mmapped weights (interpreter start-up excluded), each to the end of the first "
                 "128-token run. Compile time: for ONNX Runtime, creating the session (its graph "
                 "optimizations), for PyTorch building the modules.")
    lines.append("")
    lines += accuracy_table(result, res)
    micro = result.get("micro")
    if micro:
        lines += ["## Microbenchmarks (slmc-bench-micro, %s, median of %d rounds)" % (
            micro.get("isa", ""), micro.get("samples", 0)), "",
            "| kernel | threads | value | % of the measured peak |", "|---|---|---|---|"]
        for r in micro.get("results", []):
            pct = "%.0f %% of %s" % (r["percent"], r["percent_of"]) if "percent" in r else "(probe)"
            lines.append("| %s | %d | %.1f %s | %s |" % (r["name"], r["threads"], r["value"], r["unit"], pct))
        lines.append("")
    return "\n".join(lines) + "\n"


def accuracy_table(result, res):
    """Each scheme's bits per byte on the trained model beside its package
    size and 1-thread speed on each real-size model: speed at what accuracy."""
    acc = result.get("accuracy") or {}
    if not acc.get("rows"):
        return []
    models = result["config"]["models"]
    t = min(result["config"]["threads"])
    head = "| scheme | bits/byte | Δ vs fp32 |"
    rule = "|---|---|---|"
    for m in models:
        head += " %s package MB | %s decode@128 tok/s | %s prefill@128 tok/s |" % (m, m, m)
        rule += "---|---|---|"
    ref = acc.get("reference_onnxruntime_bpb")
    lines = ["## Accuracy and speed per scheme", "",
             "Bits per byte of %s on %s (slmc-run --eval-text, lower is better%s), beside each "
             "scheme's package size and %d-thread medians on the models above (their weights "
             "are random, so their accuracy cannot be scored)." % (
                 acc["model"], acc.get("text", "eval.txt"),
                 "; ONNX Runtime fp32: %.6f" % ref if ref else "", t), "", head, rule]
    for row in acc["rows"]:
        label = "slmc " + row["scheme"]
        delta = row.get("delta_pct")
        line = "| %s | %.6f | %s |" % (row["scheme"], row["bits_per_byte"],
                                       "—" if delta is None else "%+.3f %%" % delta)
        for m in models:
            for metric, threads in (("package_mb", None), ("decode_tok_s@128", t),
                                    ("prefill_tok_s@128", t)):
                r = res.get(m, label, threads, metric)
                line += " %s |" % (fmt(r["median"]) if r else "—")
        lines.append(line)
    return lines + [""]


def write_charts(result, res, out):
    labels = series_labels(result)
    names = []
    for metric, title, unit, higher in METRICS:
        groups, values = [], {}
        for m in result["config"]["models"]:
            for t in ([None] if metric in ("package_mb", "compile_s") else result["config"]["threads"]):
                g = m if t is None else "%s\n%d thread%s" % (m, t, "" if t == 1 else "s")
                found = False
                for lab in labels:
                    r = res.get(m, lab, t, metric)
                    if r:
                        values[(g, lab)] = (r["median"], r["min"], r["max"])
                        found = True
                if found:
                    groups.append(g)
        if not groups:
            continue
        name = re.sub(r"[^A-Za-z0-9_]+", "_", metric).strip("_") + ".svg"
        svg = charts.bar_chart(title, unit, groups, labels, values,
                               note=("higher is better" if higher else "lower is better")
                               + "; bars: median, whiskers: min-max; " + result["date"])
        with open(os.path.join(out, name), "w") as f:
            f.write(svg)
        names.append(name)
    return names


if __name__ == "__main__":
    sys.exit(main())
