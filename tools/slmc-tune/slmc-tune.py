#!/usr/bin/python3
"""slmc-tune: sweep models x targets x schemes, and calibrate the cost model.

  slmc-tune sweep --models smollm2-135m-config,trained-code-llama-5m \\
      --targets native,arm64-a78,trn2 --schemes fp32,int4-g32,w8a8-dynamic \\
      [--threads 1,2] [--phases prefill,decode] [--seq 128] [--past 128] -o results.csv
  slmc-tune calibrate --target native --models smollm2-135m-config [--schemes all] [-o FILE]

sweep compiles every (model, phase, target, scheme) and writes one CSV row per
(model, target, scheme, threads, phase): the cost model's predicted time (the
`predicted` field of `slmc compile --report`), the measured one (`slmc-run
--bench`, min over --runs processes of the median of --iters steps) for the
targets that run here, empty for the others (spec-only or foreign-ISA
targets: their times are predictions, never emulation timings), and Δ bits
per byte (% of fp32's, `slmc-run --eval-text`) for models with an eval text.
Next to the CSV: <out>.json (predicted and measured per op, side by side),
<out>.md (the table and the per-op ranking agreement) and one SVG per model
(latency vs Δbpb, or vs weight bytes where Δbpb is unknown; Pareto front
marked). Work is cached in --work (packages, reports, a JSON cache of every
measurement): a sweep that is killed and restarted skips what is done, and
the same inputs give the same CSV apart from the timings.

calibrate measures per-op times (packages built with `slmc compile
--profile`) and fits, per (op kind, scheme, phase), the ratio of measured to
predicted time (a `time_factor`, i.e. the op's efficiencies divided by it)
and a per-kernel overhead per phase; it writes the calibration database
(docs/cost-model.md) where `slmc compile --target native` reads it.
"""
import argparse
import csv
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# Short names of the real-size graph-only exports (bench/bench.py's).
ALIASES = {"smollm2": "smollm2-135m-config", "llama1b": "llama-3.2-1b-config"}
SHORT = {v: k for k, v in ALIASES.items()}
CSV_COLUMNS = ["model", "target", "scheme", "threads", "phase", "seq", "past", "predicted_ms",
               "measured_ms", "delta_bpb", "runs_here", "weight_bytes", "weights_read_from",
               "note"]
PROJECTION_CALLEES = ("slm_x86_sgemm", "slm_x86_qmatmul")
CACHE_FORMAT = "slmc-tune-cache-1"


class Fail(Exception):
    pass


def log(msg):
    print("slmc-tune: " + msg, file=sys.stderr, flush=True)


def mmss(s):
    s = int(round(s))
    return "%dm%02ds" % (s // 60, s % 60) if s >= 60 else "%ds" % s


class Progress:
    """Progress lines with elapsed time and an ETA from the mean step so far."""

    def __init__(self, total):
        self.total, self.done, self.start, self.timed = total, 0, time.time(), []

    def step(self, what, seconds=None):
        self.done += 1
        if seconds is not None:
            self.timed.append(seconds)
        elapsed = time.time() - self.start
        eta = "?"
        if self.timed:
            eta = mmss(sum(self.timed) / len(self.timed) * (self.total - self.done))
        log("[%d/%d] elapsed %s, ETA %s: %s" % (self.done, self.total, mmss(elapsed), eta, what))


def run(cmd, timeout=None):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        raise Fail("%s failed (status %d):\n%s%s" % (" ".join(cmd), r.returncode,
                                                     r.stdout[-1500:], r.stderr[-1500:]))
    return r.stdout


def run_timed(cmd):
    """stdout of `cmd` and its CPU seconds (user + system, os.wait4)."""
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as p:
        out = p.stdout.read().decode(errors="replace")
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise Fail("%s failed (status %d):\n%s" % (" ".join(cmd), p.returncode, out[-2000:]))
    return out, usage.ru_utime + usage.ru_stime


def write_atomically(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def sanitize(node):
    """A node name as `slmc compile --profile` spells it in kernel names."""
    return re.sub(r"[^A-Za-z0-9]", "_", node)


# ---------------------------------------------------------------------------
# Tools, targets, schemes, models
# ---------------------------------------------------------------------------

class Tools:
    def __init__(self, folder):
        self.folder = folder
        for t in ("slmc", "slmc-run"):
            if not os.access(os.path.join(folder, t), os.X_OK):
                raise Fail("no %s in %s (give --tools, the folder with slmc and slmc-run)"
                           % (t, folder))
        self.slmc = os.path.join(folder, "slmc")
        self.run = os.path.join(folder, "slmc-run")
        self.fill = os.path.join(folder, "slmc-fill-weights")

    def targets(self):
        """{name: has a code generator}."""
        out = {}
        for line in run([self.slmc, "targets"]).splitlines()[1:]:
            parts = line.split()
            if len(parts) >= 2:
                out[parts[0]] = parts[1] == "yes"
        return out

    def schemes(self):
        names = ["fp32"]
        for line in run([self.slmc, "compile", "--list-schemes"]).splitlines():
            if line.strip():
                names.append(line.split()[0])
        return names


def runs_here(target, codegen):
    """Whether packages for `target` execute on this machine (x86-64 hosts:
    native and the x86-64 variants whose features the host has, checked
    again on the package)."""
    if not codegen:
        return False
    import platform
    if platform.machine() not in ("x86_64", "AMD64"):
        return target == "native"
    return target == "native" or target.startswith("x86-64")


def resolve_model(name, args, tools):
    """{"prefill": model.onnx, "decode": model.onnx, "eval_text": path or None,
    "random": bool}. Accepts a folder with prefill/ and decode/, a
    shared-model name (<shared>/models/<name>/ or <name>-prefill/-decode),
    or a short name (smollm2, llama1b). Graph-only exports get their weights
    filled (slmc-fill-weights --seed 0) into --fill-dir once."""
    full = ALIASES.get(name, name)
    models = os.path.join(args.shared, "models")
    candidates = []
    if os.path.isdir(name):
        candidates.append((os.path.join(name, "prefill"), os.path.join(name, "decode"), name))
    candidates.append((os.path.join(models, full, "prefill"), os.path.join(models, full, "decode"),
                       os.path.join(models, full)))
    candidates.append((os.path.join(models, full + "-prefill"),
                       os.path.join(models, full + "-decode"), None))
    for pre, dec, root in candidates:
        if os.path.exists(os.path.join(pre, "model.onnx")) and \
                os.path.exists(os.path.join(dec, "model.onnx")):
            out = {"random": False, "eval_text": None}
            for flavour, src in (("prefill", pre), ("decode", dec)):
                out[flavour] = fill_weights(src, "%s-%s" % (SHORT.get(full, os.path.basename(
                    full.rstrip("/"))), flavour), args, tools)
                out["random"] = out["random"] or os.path.exists(
                    os.path.join(src, "weights_index.json"))
            if root and os.path.exists(os.path.join(root, "eval.txt")):
                out["eval_text"] = os.path.join(root, "eval.txt")
            return out
    raise Fail("unknown model '%s': no folder with prefill/ and decode/ model.onnx, and no "
               "%s/{%s/{prefill,decode},%s-prefill,%s-decode}" % (name, models, full, full, full))


def fill_weights(src, short, args, tools):
    """model.onnx of `src`, with filled weights for graph-only exports."""
    if not os.path.exists(os.path.join(src, "weights_index.json")) or \
            os.path.exists(os.path.join(src, "weights.bin")):
        return os.path.join(src, "model.onnx")
    dst = os.path.join(args.fill_dir, short)
    if not os.path.exists(os.path.join(dst, "weights.bin")):
        os.makedirs(dst, exist_ok=True)
        for f in ("model.onnx", "weights_index.json", "meta.json"):
            if os.path.exists(os.path.join(src, f)) and not os.path.exists(os.path.join(dst, f)):
                shutil.copy(os.path.join(src, f), dst)
        log("filling the weights of %s (seed 0) in %s" % (short, dst))
        run([tools.fill, dst, "--seed", "0"])
    return os.path.join(dst, "model.onnx")


# ---------------------------------------------------------------------------
# The cache: every compile, prediction, measurement and evaluation, by key
# ---------------------------------------------------------------------------

class Cache:
    def __init__(self, path):
        self.path = path
        self.data = {"format": CACHE_FORMAT, "predicted": {}, "measured": {}, "bpb": {}}
        if os.path.exists(path):
            with open(path) as f:
                data = json.load(f)
            if data.get("format") != CACHE_FORMAT:
                raise Fail("%s: not a slmc-tune cache (format %r)" % (path, data.get("format")))
            self.data.update(data)

    def get(self, kind, key):
        return self.data[kind].get(key)

    def put(self, kind, key, value):
        self.data[kind][key] = value
        write_atomically(self.path, json.dumps(self.data, indent=1, sort_keys=True))


def file_digest(path):
    if not path:
        return "none"
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


class Runner:
    """Compiles, predicts, measures and evaluates, through the cache."""

    def __init__(self, args, tools):
        self.args, self.tools = args, tools
        os.makedirs(args.work, exist_ok=True)
        self.cache = Cache(os.path.join(args.work, "cache.json"))
        cal = args.calibration
        if cal and cal != "none" and not os.path.exists(cal):
            raise Fail("--calibration %s: no such file" % cal)
        self.calibration = cal
        self.cal_digest = file_digest(cal if cal and cal != "none" else None)

    def package(self, model, onnx, phase, target, scheme):
        name = "%s-%s-%s-%s.slmpkg" % (model.replace("/", "_"), phase, target, scheme)
        path = os.path.join(self.args.work, "packages", name)
        if not os.path.exists(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            run([self.tools.slmc, "compile", onnx, "--target", target, "--quant",
                 "none" if scheme == "fp32" else scheme, "--profile", "-o", path, "--quiet"])
        return path

    def predict(self, model, onnx, phase, target, scheme, threads, seq, past):
        """The report's `predicted` (per-op and totals) for one phase."""
        key = "|".join([model, phase, target, scheme, str(threads), str(seq), str(past),
                        self.cal_digest])
        hit = self.cache.get("predicted", key)
        if hit is not None:
            return hit, False
        report = os.path.join(self.args.work, "report.json")
        cmd = [self.tools.slmc, "compile", onnx, "--target", target, "--quant",
               "none" if scheme == "fp32" else scheme, "--emit=slm", "-o", os.devnull,
               "--report", report, "--plan-threads", str(threads), "--plan-seq", str(seq),
               "--plan-past", str(past), "--quiet"]
        if self.calibration:
            cmd += ["--calibration", self.calibration]
        run(cmd)
        with open(report) as f:
            predicted = json.load(f)["predicted"]
        entry = dict(predicted[phase])
        entry["calibration"] = predicted.get("calibration")
        if "error" in entry:
            raise Fail("%s %s %s: the cost model: %s" % (model, target, scheme, entry["error"]))
        self.cache.put("predicted", key, entry)
        return entry, True

    def measure(self, model, onnx, phase, target, scheme, threads, seq, past):
        """min over --runs processes of the median of --iters steps, and the
        per-kernel profile (each row's min over the runs). A cached entry
        with fewer runs gets the missing ones (a larger --runs refines)."""
        key = "|".join([model, phase, target, scheme, str(threads), str(seq), str(past)] +
                       (["cpu"] if self.args.clock == "cpu" else []))
        hit = self.cache.get("measured", key)
        if hit is not None and len(hit["runs_ms"]) >= self.args.runs:
            return hit, False
        pkg = self.package(model, onnx, phase, target, scheme)
        info = run([self.tools.run, pkg, "--info"])
        if "(missing here)" in info:
            raise Fail("%s: the package needs CPU features this host lacks" % pkg)
        runs, profile, loads = [], {}, []
        if hit is not None:
            runs, profile, loads = hit["runs_ms"], hit["profile"], hit["load_average"]
        bench = [self.tools.run, pkg, "--bench", "--seq", str(seq if phase == "prefill" else 1),
                 "--past", str(0 if phase == "prefill" else past), "--threads", str(threads),
                 "--warmup", str(self.args.warmup), "--iters"]
        for _ in range(self.args.runs - len(runs)):
            loads.append(os.getloadavg()[0])
            out, cpu = run_timed(bench + [str(self.args.iters)])
            m = re.search(r"median ([0-9.eE+-]+) ms", out)
            if not m:
                raise Fail("slmc-run --bench printed no median:\n" + out[-1000:])
            wall = float(m.group(1))
            scale = 1.0
            if self.args.clock == "cpu":
                # CPU seconds per step: the process's user + system time
                # with --iters N less that with --iters 1 (loading, warm-up
                # and one step), over N - 1. Time spent waiting for a core on
                # a shared machine does not count; the profile's wall times
                # are scaled by the same CPU / wall ratio.
                _, base = run_timed(bench + ["1"])
                per_step = (cpu - base) / (self.args.iters - 1) * 1e3
                if per_step > 0:  # else below the CPU clock's resolution: keep wall
                    scale = min(1.0, per_step / wall)
                    wall = per_step
            runs.append(wall)
            for line in out.splitlines():
                r = re.match(r"\s+(\S+)\s+(\d+)\s+([0-9.]+)\s+[0-9.]+%$", line)
                if r:
                    name, calls, ms = r.group(1), int(r.group(2)), float(r.group(3))
                    old = profile.get(name)
                    ms *= scale
                    profile[name] = {"calls": calls, "ms": ms if old is None else min(old["ms"],
                                                                                      ms)}
        entry = {"runs_ms": runs, "measured_ms": min(runs), "profile": profile,
                 "load_average": loads}
        self.cache.put("measured", key, entry)
        return entry, True

    def bpb(self, model, onnx, text, scheme):
        key = "|".join([model, scheme, str(self.args.eval_bytes)])
        hit = self.cache.get("bpb", key)
        if hit is not None:
            return hit, False
        cut = os.path.join(self.args.work, "%s-eval-%d.txt" % (model.replace("/", "_"),
                                                               self.args.eval_bytes))
        with open(text, "rb") as f:
            data = f.read(self.args.eval_bytes) if self.args.eval_bytes else f.read()
        with open(cut, "wb") as f:
            f.write(data)
        pkg = self.package(model, onnx, "prefill", "native", scheme)
        out = run([self.tools.run, pkg, "--eval-text", cut]).strip().splitlines()
        if not out or not out[-1].startswith("bits_per_byte="):
            raise Fail("slmc-run --eval-text printed no bits_per_byte line")
        value = float(out[-1].split("=")[1])
        self.cache.put("bpb", key, value)
        return value, True


# ---------------------------------------------------------------------------
# sweep
# ---------------------------------------------------------------------------

def split_list(text, what, known=None):
    items = [t.strip() for t in text.split(",") if t.strip()]
    if not items:
        raise Fail("--%s is empty" % what)
    if known is not None:
        for t in items:
            if t not in known:
                raise Fail("unknown %s '%s' (known: %s)" % (what.rstrip("s"), t,
                                                             ", ".join(known)))
    return items


def parse_threads(text):
    try:
        threads = [int(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise Fail("--threads: expected a comma list of positive integers, got '%s'" % text)
    if not threads or min(threads) < 1:
        raise Fail("--threads: expected a comma list of positive integers, got '%s'" % text)
    return threads


def expand_schemes(text, tools):
    known = tools.schemes()
    if text == "all":
        return known
    return split_list(text, "schemes", known)


def sweep_rows(args, tools, runner, models, targets, schemes, threads, phases):
    codegen = tools.targets()
    for t in targets:
        if t not in codegen:
            raise Fail("unknown target '%s' (known: %s)" % (t, ", ".join(sorted(codegen))))
    resolved = {m: resolve_model(m, args, tools) for m in models}
    units = [(m, t, s, n, ph) for m in models for t in targets for s in schemes
             for n in threads for ph in phases]
    progress = Progress(len(units))
    rows, details = [], []
    for m, t, s, n, ph in units:
        t0 = time.time()
        here = runs_here(t, codegen[t])
        onnx = resolved[m][ph]
        row = {"model": m, "target": t, "scheme": s, "threads": n, "phase": ph,
               "seq": args.seq if ph == "prefill" else 1, "past": 0 if ph == "prefill"
               else args.past, "predicted_ms": "", "measured_ms": "", "delta_bpb": "",
               "runs_here": "yes" if here else "no", "weight_bytes": "",
               "weights_read_from": "", "note": ""}
        detail = dict(row)
        worked = False
        try:
            pred, w1 = runner.predict(m, onnx, ph, t, s, n, args.seq, args.past)
            worked |= w1
            row["predicted_ms"] = "%.4f" % pred["total_ms"]
            row["weight_bytes"] = pred.get("weight_bytes", "")
            row["weights_read_from"] = pred.get("weights_read_from", "")
            detail["predicted_ops"] = pred["ops"]
            detail["calibration"] = pred.get("calibration")
            if here:
                meas, w2 = runner.measure(m, onnx, ph, t, s, n, args.seq, args.past)
                worked |= w2
                row["measured_ms"] = "%.4f" % meas["measured_ms"]
                detail["measured_runs_ms"] = meas["runs_ms"]
                detail["measured_profile"] = meas["profile"]
                detail["load_average"] = meas["load_average"]
            elif codegen[t]:
                row["note"] = "predicted only: %s code does not run on this machine" % t
            else:
                row["note"] = "predicted only: spec-only target (no code generator)"
            if resolved[m]["eval_text"]:
                ref, w3 = runner.bpb(m, resolved[m]["prefill"], resolved[m]["eval_text"], "fp32")
                val, w4 = runner.bpb(m, resolved[m]["prefill"], resolved[m]["eval_text"], s)
                worked |= w3 or w4
                row["delta_bpb"] = "%.4f" % ((val - ref) / ref * 100)
        except Fail as e:
            row["note"] = "error: " + str(e).splitlines()[0][:300]
            log(str(e))
        detail.update({k: row[k] for k in ("predicted_ms", "measured_ms", "delta_bpb", "note")})
        rows.append(row)
        details.append(detail)
        progress.step("%s %s %s threads %d %s: predicted %s ms, measured %s ms%s" % (
            m, t, s, n, ph, row["predicted_ms"] or "-", row["measured_ms"] or "-",
            "" if worked else " (cached)"), time.time() - t0 if worked else None)
    return rows, details


def write_outputs(out, rows, details, args):
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow(r)
    write_atomically(out, buf.getvalue())
    base = os.path.splitext(out)[0]
    write_atomically(base + ".json", json.dumps({"format": "slmc-tune-sweep-1", "rows": details},
                                                indent=1))
    summary = summarize(details)
    write_atomically(base + ".md", summary)
    for model in sorted({r["model"] for r in rows}):
        svg = plot_svg(model, [r for r in rows if r["model"] == model])
        write_atomically("%s-%s.svg" % (base, re.sub(r"[^A-Za-z0-9._-]", "_", model)), svg)
    return summary


def row_node(name):
    """(callee or "", node) of a profile row: callee@node, kernel_<n>_<op>_<node>."""
    if "@" in name:
        return tuple(name.split("@", 1))
    m = re.match(r"kernel_\d+_[a-z]+_(node_\w+)$", name)
    return "", m.group(1) if m else None


def node_aliases(detail):
    """Profile node -> predicted node where they differ: an op the importer
    renamed (a tied lm_head is `lm_head` in the report and its MatMul's node
    in kernel names). Pairs the one projection call site no op claims with
    the one op with weights no row names."""
    ops = {sanitize(o["node"]) for o in detail.get("predicted_ops", [])
           if o.get("schemes") and o["op"] != "slm.gather"}
    rows = {row_node(n)[1] for n in (detail.get("measured_profile") or {})
            if row_node(n)[0] in PROJECTION_CALLEES}
    lost_rows = sorted(r for r in rows if r not in ops)
    lost_ops = sorted(o for o in ops if o not in rows)
    return {lost_rows[0]: lost_ops[0]} if len(lost_rows) == 1 and len(lost_ops) == 1 else {}


def projection_ops(detail):
    """{node: (op, predicted projection us, measured projection ms)} for the
    ops with weights whose kernels the profile names (micro-kernel calls per
    call site; an embedding's gather kernel)."""
    profile = detail.get("measured_profile") or {}
    aliases = node_aliases(detail)
    by_node = {}
    for name, row in profile.items():
        callee, node = row_node(name)
        if not node or (callee and callee not in PROJECTION_CALLEES) or \
                (not callee and not node.startswith("node_embedding")):
            continue
        node = aliases.get(node, node)
        by_node[node] = by_node.get(node, 0.0) + row["ms"]
    out = {}
    for op in detail.get("predicted_ops", []):
        if not op.get("schemes"):
            continue
        node = sanitize(op["node"])
        if node in by_node:
            out[node] = (op["op"], op.get("projections_us", op["predicted_us"]), by_node[node])
    return out


def ranking(details, tolerance=0.10):
    """Per op (same model, target, phase, threads): do the predicted times
    order the schemes as the measured ones? Pairs whose measured times
    differ by less than `tolerance` are ties (noise) and not compared."""
    groups = {}
    for d in details:
        if not d.get("measured_profile"):
            continue
        key = (d["model"], d["target"], d["phase"], d["threads"])
        for node, (op, pred, meas) in projection_ops(d).items():
            groups.setdefault(key + (node,), {})[d["scheme"]] = (pred, meas)
    ops = agree = pairs = pairs_agree = 0
    for schemes in groups.values():
        names = sorted(schemes)
        if len(names) < 2:
            continue
        ok = True
        compared = 0
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                (pa, ma), (pb, mb) = schemes[a], schemes[b]
                if abs(ma - mb) <= tolerance * max(ma, mb):
                    continue
                compared += 1
                same = (pa - pb) * (ma - mb) > 0
                pairs_agree += same
                ok = ok and same
        if compared:
            ops += 1
            agree += ok
            pairs += compared
    return ops, agree, pairs, pairs_agree


def summarize(details):
    lines = ["| model | phase | target | threads | scheme | predicted ms | measured ms | "
             "predicted / measured | Δbpb % |", "|---|---|---|---|---|---|---|---|---|"]
    for d in details:
        ratio = ""
        if d["predicted_ms"] and d["measured_ms"] and float(d["measured_ms"]) > 0:
            ratio = "%.2f" % (float(d["predicted_ms"]) / float(d["measured_ms"]))
        lines.append("| %s | %s %s | %s | %d | %s | %s | %s | %s | %s |" % (
            d["model"], d["phase"], ("S=%d" % d["seq"]) if d["phase"] == "prefill"
            else ("P=%d" % d["past"]), d["target"], d["threads"], d["scheme"],
            d["predicted_ms"] or "-", d["measured_ms"] or "-", ratio or "-",
            d["delta_bpb"] or "-"))
    ratios = [float(d["predicted_ms"]) / float(d["measured_ms"]) for d in details
              if d["predicted_ms"] and d["measured_ms"] and float(d["measured_ms"]) > 0]
    text = "\n".join(lines) + "\n"
    if ratios:
        worst = max(abs(r - 1) for r in ratios)
        within = sum(abs(r - 1) <= 0.2 for r in ratios)
        text += ("\nWhole-model predicted / measured: %d rows, %d within 20 %%, worst "
                 "off by %.0f %%.\n" % (len(ratios), within, worst * 100))
    ops, agree, pairs, pairs_agree = ranking(details)
    if ops:
        text += ("Per-op ranking of schemes (projection ops; measured differences under "
                 "10 %% are ties): %d of %d ops (%.0f %%) ordered as measured; %d of %d "
                 "scheme pairs (%.0f %%).\n" % (agree, ops, 100.0 * agree / ops, pairs_agree,
                                                 pairs, 100.0 * pairs_agree / pairs))
    loads = [l for d in details for l in d.get("load_average", [])]
    if loads:
        text += "Load average during the measurements: %.1f-%.1f (2 cores).\n" % (
            min(loads), max(loads))
    return text


def plot_svg(model, rows):
    """Latency vs Δbpb (or weight bytes) per (target, phase, threads), the
    Pareto front of each series drawn as a line."""
    use_bpb = any(r["delta_bpb"] != "" for r in rows)
    pts = []
    for r in rows:
        y = r["measured_ms"] or r["predicted_ms"]
        x = r["delta_bpb"] if use_bpb else (float(r["weight_bytes"]) / 2**20
                                            if r["weight_bytes"] != "" else "")
        if y == "" or x == "":
            continue
        pts.append((float(x), float(y), r["measured_ms"] != "", r["scheme"],
                    "%s %s t%s" % (r["target"], r["phase"], r["threads"])))
    W, H, L, B = 720, 480, 70, 50
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif" font-size="11">' % (W, H),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="18" font-size="14">%s: latency vs %s (filled: measured; '
           'hollow: predicted)</text>' % (L, model, "Δ bits per byte" if use_bpb
                                          else "weight bytes")]
    if not pts:
        out.append('<text x="%d" y="%d">no data</text></svg>' % (L, H // 2))
        return "\n".join(out) + "\n"
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    x0, x1 = min(xs), max(xs)
    y1 = max(ys) * 1.1
    x1 = x1 if x1 > x0 else x0 + 1
    sx = lambda x: L + (x - x0) / (x1 - x0) * (W - L - 160)
    sy = lambda y: H - B - y / y1 * (H - B - 40)
    out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (L, H - B, W - 160,
                                                                          H - B))
    out.append('<line x1="%d" y1="%d" x2="%d" y2="40" stroke="black"/>' % (L, H - B, L))
    for i in range(5):
        xv, yv = x0 + (x1 - x0) * i / 4, y1 * i / 4
        out.append('<text x="%.0f" y="%d" text-anchor="middle">%.3g</text>' % (sx(xv), H - B + 15,
                                                                              xv))
        out.append('<text x="%d" y="%.0f" text-anchor="end">%.3g</text>' % (L - 4, sy(yv) + 4, yv))
    out.append('<text x="%d" y="%d" text-anchor="middle">%s</text>' % (
        (L + W - 160) // 2, H - 12, "Δ bits per byte (% of fp32)" if use_bpb
        else "weight bytes (MiB; Δbpb unknown: random weights)"))
    out.append('<text x="16" y="%d" transform="rotate(-90 16 %d)" text-anchor="middle">'
               'ms per step</text>' % (H // 2, H // 2))
    colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
              "#17becf"]
    series = sorted({p[4] for p in pts})
    for k, name in enumerate(series):
        c = colors[k % len(colors)]
        sp = sorted([p for p in pts if p[4] == name], key=lambda p: (p[0], p[1]))
        front, best = [], None
        for p in sp:
            if best is None or p[1] < best:
                front.append(p)
                best = p[1]
        out.append('<polyline fill="none" stroke="%s" stroke-dasharray="4 2" points="%s"/>' % (
            c, " ".join("%.1f,%.1f" % (sx(p[0]), sy(p[1])) for p in front)))
        for p in sp:
            on_front = p in front
            out.append('<circle cx="%.1f" cy="%.1f" r="%d" stroke="%s" fill="%s"/>' % (
                sx(p[0]), sy(p[1]), 5 if on_front else 3, c, c if p[2] else "none"))
            out.append('<text x="%.1f" y="%.1f" fill="%s">%s</text>' % (sx(p[0]) + 6,
                                                                       sy(p[1]) - 4, c, p[3]))
        out.append('<text x="%d" y="%d" fill="%s">%s</text>' % (W - 150, 50 + 16 * k, c, name))
    out.append('<text x="%d" y="%d" fill="gray">large: on the Pareto front</text>' % (
        W - 150, 50 + 16 * len(series)))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def cmd_sweep(args):
    tools = Tools(args.tools)
    models = split_list(args.models, "models")
    targets = split_list(args.targets, "targets")
    schemes = expand_schemes(args.schemes, tools)
    phases = split_list(args.phases, "phases", ["prefill", "decode"])
    threads = parse_threads(args.threads)
    runner = Runner(args, tools)
    rows, details = sweep_rows(args, tools, runner, models, targets, schemes, threads, phases)
    summary = write_outputs(args.output, rows, details, args)
    sys.stdout.write(summary)
    log("wrote %s (+ .json, .md, one .svg per model)" % args.output)
    return 1 if any(r["note"].startswith("error") for r in rows) else 0


# ---------------------------------------------------------------------------
# calibrate
# ---------------------------------------------------------------------------

def attribute(detail):
    """Measured ms per op kind (projection kinds per scheme) from the
    profile, and the rest: kernels named after no op."""
    ops = detail["predicted_ops"]
    kind_of = {}
    for op in ops:
        kind_of.setdefault(sanitize(op["node"]), []).append(op)
    measured, unattributed = {}, 0.0
    aliases = node_aliases(detail)
    for name, row in detail["measured_profile"].items():
        callee, node = row_node(name)
        node = aliases.get(node, node)
        cands = kind_of.get(node, []) if node else []
        if callee in PROJECTION_CALLEES:
            cands = [o for o in cands if o.get("schemes")]
        elif callee == "slm_x86_attention":
            cands = [o for o in cands if o["op"] == "slm.attention"]
        if not cands:
            unattributed += row["ms"]
            continue
        op = cands[0]
        key = kind_key(op, detail)
        measured[key] = measured.get(key, 0.0) + row["ms"]
    return measured, unattributed


def kind_key(op, detail):
    """(op, its projections' scheme -- the lm_head of an int4 scheme is
    int8-channel --, phase); no scheme for ops without weights."""
    scheme = ""
    if op.get("schemes"):
        scheme = "fp32" if op["schemes"][0] == "none" else op["schemes"][0]
    return (op["op"], scheme, detail["phase"])


def fit(details):
    """time_factor per (op kind, scheme, phase): the ratio of the sums of
    measured and predicted (overhead excluded) over the samples, the
    measured kinds scaled up so that they add up to the whole step (the time
    between kernels -- allocation, page faults, which grow with the plan's
    bytes -- goes with the kernels); overhead per kernel 0."""
    meas, pred, count = {}, {}, {}
    phases = set()
    for d in details:
        m, rest = attribute(d)
        attributed = sum(m.values())
        share = d["measured_ms"] / attributed if attributed > 0 else 1.0
        m = {key: ms * share for key, ms in m.items()}
        for key, ms in m.items():
            meas[key] = meas.get(key, 0.0) + ms
        for op in d["predicted_ops"]:
            key = kind_key(op, d)
            if key in m:
                pred[key] = pred.get(key, 0.0) + (op["predicted_us"] - op["overhead_us"]) / 1e3
        for key in m:
            count[key] = count.get(key, 0) + 1
        phases.add(d["phase"])
    entries = []
    for key in sorted(meas):
        if pred.get(key, 0) <= 0:
            continue
        op, scheme, phase = key
        e = {"target": "native", "op": op}
        if scheme:
            e["scheme"] = scheme
        e["phase"] = phase
        e["time_factor"] = round(meas[key] / pred[key], 4)
        e["measured_us"] = round(meas[key] / count[key] * 1e3, 3)
        e["predicted_us"] = round(pred[key] / count[key] * 1e3, 3)
        e["note"] = "slmc-tune calibrate: measured / predicted over %d sample(s)" % count[key]
        entries.append(e)
    for ph in sorted(phases):
        entries.append({"target": "native", "phase": ph, "overhead_us": 0,
                        "note": "slmc-tune calibrate: the time between kernels is in the "
                                "time_factors"})
    return entries


def cmd_calibrate(args):
    tools = Tools(args.tools)
    if args.target != "native":
        raise Fail("calibrate measures on this machine: --target native only (got '%s')"
                   % args.target)
    models = split_list(args.models, "models")
    schemes = expand_schemes(args.schemes, tools)
    threads = parse_threads(args.threads)
    args.calibration = "none"  # the fit is against the uncalibrated model
    runner = Runner(args, tools)
    rows, details = sweep_rows(args, tools, runner, models, ["native"], schemes, threads,
                               ["prefill", "decode"])
    bad = [r for r in rows if r["note"].startswith("error")]
    if bad:
        raise Fail("%d measurement(s) failed; first: %s" % (len(bad), bad[0]["note"]))
    for d in details:
        d["measured_ms"] = float(d["measured_ms"])
    entries = fit(details)
    db = {"format": "slmc-calibration-1",
          "description": "slmc-tune calibrate --target native: models %s, schemes %s, threads "
                         "%s, prefill S=%d, decode after P=%d; time_factor = measured / "
                         "predicted per (op, scheme, phase), overhead_us per kernel"
                         % (",".join(models), ",".join(schemes), args.threads, args.seq,
                            args.past),
          "entries": entries}
    out = args.output or default_calibration_path()
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    write_atomically(out, json.dumps(db, indent=1) + "\n")
    log("wrote %s (%d entries)" % (out, len(entries)))
    return 0


def default_calibration_path():
    """Where `slmc compile --target native` looks (CostModel.cpp,
    defaultCalibrationPath, userCacheFile)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "slmc", "calibration-native.json")


# ---------------------------------------------------------------------------

def common(p):
    p.add_argument("--models", required=True,
                   help="comma list: shared model names (trained-code-llama-5m, tiny-llama, "
                        "smollm2-135m-config, llama-3.2-1b-config; smollm2, llama1b) or folders "
                        "with prefill/ and decode/")
    p.add_argument("--schemes", default="all", help="comma list, fp32 included, or all")
    p.add_argument("--threads", default="1", help="comma list (default 1)")
    p.add_argument("--seq", type=int, default=128, help="prefill tokens (default 128)")
    p.add_argument("--past", type=int, default=128, help="decode: cached tokens (default 128)")
    p.add_argument("--runs", type=int, default=3, help="slmc-run processes per row; the "
                   "minimum of their medians is measured_ms (default 3)")
    p.add_argument("--iters", type=int, default=5, help="timed steps per process (default 5)")
    p.add_argument("--warmup", type=int, default=1, help="untimed steps first (default 1)")
    p.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                   help="measured_ms: slmc-run's wall-clock median (default), or CPU time per "
                        "step (a second process with --iters 1 subtracts loading; for a shared, "
                        "overloaded machine: time waiting for a core is left out; needs "
                        "--iters >= 2)")
    p.add_argument("--eval-bytes", type=int, default=16384,
                   help="Δbpb: the first N bytes of the model's eval.txt (0: all; default 16384)")
    p.add_argument("--tools", default=os.environ.get("SLMC_TOOLS", HERE),
                   help="folder with slmc and slmc-run (default: this script's)")
    p.add_argument("--shared", default=os.environ.get("SLMC_SHARED_DIR", "/work/shared"),
                   help="the shared assets (models/)")
    p.add_argument("--work", default=os.path.join(os.getcwd(), "slmc-tune-work"),
                   help="packages, reports and the measurement cache (resumable)")
    p.add_argument("--fill-dir", help="where filled weights of graph-only exports go "
                   "(default: --work)")


def main(argv=None):
    ap = argparse.ArgumentParser(prog="slmc-tune", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command")
    s = sub.add_parser("sweep", help="predict and measure models x targets x schemes")
    common(s)
    s.add_argument("--targets", default="native", help="comma list (slmc targets)")
    s.add_argument("--phases", default="prefill,decode")
    s.add_argument("--calibration", help="the cost model's database for the predictions "
                   "(default: slmc's; none: the default factors)")
    s.add_argument("-o", "--output", required=True, help="results.csv (+ .json, .md, .svg)")
    c = sub.add_parser("calibrate", help="fit the cost model's factors to measurements")
    common(c)
    c.add_argument("--target", required=True, help="native (measured here)")
    c.add_argument("-o", "--output", help="the database (default: where slmc reads it, %s)"
                   % default_calibration_path())
    args = ap.parse_args(argv)
    if not args.command:
        ap.print_help()
        return 2
    args.fill_dir = args.fill_dir or args.work
    for name in ("runs", "iters"):
        if getattr(args, name) < 1:
            log("error: --%s must be at least 1" % name)
            return 2
    if args.clock == "cpu" and args.iters < 2:
        log("error: --clock cpu needs --iters 2 or more")
        return 2
    try:
        return cmd_sweep(args) if args.command == "sweep" else cmd_calibrate(args)
    except Fail as e:
        log("error: " + str(e))
        return 1
    except KeyboardInterrupt:
        log("interrupted: rerun the same command to finish (finished rows are cached in %s)"
            % args.work)
        return 130


if __name__ == "__main__":
    sys.exit(main())
