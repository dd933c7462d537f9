#!/usr/bin/python3
"""Measures per-weight quantization sensitivity of a byte-level model.

For every weight that `slmc compile --quant auto` would plan, and each
--schemes S, compiles MODEL with only that weight quantized
(`--quant-override WEIGHT=S`), runs `slmc-run --eval-text` on calibration
text and records the increase of bits per byte over the fp32 package on the
same text, in percent. Writes the sensitivity database `slmc compile --quant
auto --sensitivity FILE` reads (format "slmc-sensitivity-1", keyed by the hash
of each weight's bytes, so it serves every export holding the same weights).

Weight-only schemes not measured are scaled from a measured one per weight
(QuantSensitivity.h); measure int4-g32 (the largest weight-only errors) and
w8a8-dynamic (activations) to cover the table. Each scheme is also measured
on all weights at once: the ratio to the sum of the single-weight values
(errors are not quite additive) scales the planner's sensitivities.

The calibration text must not be the text the plan is judged on: --text FILE,
or --text-dir DIR (the sorted *.py files under DIR, concatenated) cut to
--windows windows of 256 bytes.

  slmc-sensitivity.py MODEL.onnx --tools build/bin --text-dir /usr/lib/python3/dist-packages \\
      --schemes int4-g32,w8a8-dynamic -o model.sensitivity.json
"""
import argparse
import datetime
import hashlib
import json
import os
import subprocess
import sys
import tempfile

WINDOW = 256


def calibration_text(args):
    if args.text:
        data = open(args.text, "rb").read()
        sources = [args.text]
    else:
        data, sources = b"", []
        limit = args.windows * WINDOW
        for root, dirs, files in sorted(os.walk(args.text_dir)):
            dirs.sort()
            for name in sorted(files):
                if not name.endswith(".py"):
                    continue
                path = os.path.join(root, name)
                if any(x in path for x in args.exclude):
                    continue
                try:
                    chunk = open(path, "rb").read()
                except OSError:
                    continue
                if not chunk.strip():
                    continue
                data += chunk
                sources.append(os.path.relpath(path, args.text_dir))
                if len(data) >= limit:
                    break
            if len(data) >= limit:
                break
    data = data[:args.windows * WINDOW]
    if len(data) < WINDOW:
        sys.exit("slmc-sensitivity: the calibration text is shorter than one window")
    return data, sources


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("slmc-sensitivity: %s failed:\n%s%s" % (" ".join(cmd), r.stdout, r.stderr))
    return r.stdout


def escape_glob(name):
    return "".join("\\" + c if c in "*?[]{}\\" else c for c in name)


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model")
    p.add_argument("--tools", required=True, help="folder with slmc and slmc-run")
    p.add_argument("--text")
    p.add_argument("--text-dir")
    p.add_argument("--exclude", action="append", default=[],
                   help="skip --text-dir files whose path contains this (repeatable)")
    p.add_argument("--windows", type=int, default=300)
    p.add_argument("--schemes", default="int4-g32,w8a8-dynamic")
    p.add_argument("--target", default="x86-64-spr")
    p.add_argument("--noise", type=float, default=0.01,
                   help="Δ %% below which a measurement is noise (recorded for the planner)")
    p.add_argument("-o", "--output", required=True)
    args = p.parse_args()
    if bool(args.text) == bool(args.text_dir):
        sys.exit("slmc-sensitivity: give --text FILE or --text-dir DIR")
    slmc = os.path.join(args.tools, "slmc")
    slmc_run = os.path.join(args.tools, "slmc-run")
    data, sources = calibration_text(args)
    with tempfile.TemporaryDirectory() as tmp:
        text = os.path.join(tmp, "calibration.txt")
        open(text, "wb").write(data)
        report = os.path.join(tmp, "report.json")
        run([slmc, "compile", args.model, "--emit=slm", "-o", os.devnull, "--quant", "auto",
             "--target", args.target, "--report", report, "--quiet",
             "--sensitivity-cache", "none"])
        weights = []
        for layer in json.load(open(report))["layers"]:
            if "weight_hash" in layer and all(w["weight"] != layer["weight"] for w in weights):
                weights.append(layer)

        def bpb(overrides, tag):
            pkg = os.path.join(tmp, tag + ".slmpkg")
            cmd = [slmc, "compile", args.model, "-o", pkg, "--quiet", "--target", args.target]
            for o in overrides:
                cmd += ["--quant-override", o]
            run(cmd)
            out = run([slmc_run, pkg, "--eval-text", text]).strip().splitlines()[-1]
            os.remove(pkg)
            return float(out.split("=")[1])

        base = bpb([], "fp32")
        print("fp32 bits_per_byte=%.8f on %d windows" % (base, len(data) // WINDOW), flush=True)
        entries = []
        for scheme in args.schemes.split(","):
            for w in weights:
                value = bpb(["%s=%s" % (escape_glob(w["weight"]), scheme)], "q")
                delta = 100.0 * (value - base) / base
                print("%-14s %-40s %+.4f %%" % (scheme, w["name"][:40], delta), flush=True)
                entries.append({"weight_hash": w["weight_hash"], "weight": w["weight"],
                                "layer": w["name"], "scheme": scheme,
                                "delta_percent": round(delta, 6), "bpb": round(value, 8)})
        # Every weight at once vs the sum of the single-weight values: how
        # far from additive the errors are (the planner scales by the ratio).
        uniform = []
        for scheme in args.schemes.split(","):
            value = bpb(["*=" + scheme], "all")
            delta = 100.0 * (value - base) / base
            single = sum(e["delta_percent"] for e in entries if e["scheme"] == scheme)
            print("%-14s all weights %+.4f %% (sum of single weights %+.4f %%)" %
                  (scheme, delta, single), flush=True)
            uniform.append({"scheme": scheme, "delta_percent": round(delta, 6),
                            "sum_single_percent": round(single, 6), "bpb": round(value, 8)})
    db = {
        "format": "slmc-sensitivity-1",
        "model": args.model,
        "text": {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data),
                 "windows": len(data) // WINDOW, "sources": sources[:200],
                 "from": args.text or args.text_dir},
        "fp32_bpb": round(base, 8),
        "target": args.target,
        "measured_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "noise_percent": args.noise,
        "uniform": uniform,
        "entries": entries,
    }
    with open(args.output + ".tmp", "w") as f:
        json.dump(db, f, indent=1)
        f.write("\n")
    os.replace(args.output + ".tmp", args.output)
    print("wrote %s (%d entries)" % (args.output, len(entries)))


if __name__ == "__main__":
    main()
