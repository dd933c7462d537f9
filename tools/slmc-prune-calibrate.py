#!/usr/bin/python3
"""Input-channel norms of every projection for `slmc compile --prune-score activation`.

  slmc-prune-calibrate.py MODEL.onnx TEXT... -o norms.json [--tools DIR]
                          [--windows N] [--window 256]

Compiles MODEL with `slmc compile --no-fusion --prune-capture` (a package
whose extra outputs "capture.<weight>" hold, per projection weight, the sum
over all tokens of the square of each input channel), runs it with
`slmc-run --test-dir --save-outputs` on up to N non-overlapping windows of
the calibration text (files, or directories read recursively in sorted
order, concatenated), and writes {"weights": {weight: [L2 norm per input
channel]}, "windows": N, "bytes": B}. Byte-level models only: the input is
input_ids [1, window] (and attention_mask / position_ids when the model
takes them). Then:

  slmc compile MODEL.onnx --prune 2:4 --prune-score activation --prune-norms norms.json
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper


def read_text(paths):
    data = b""
    for path in paths:
        if os.path.isdir(path):
            files = sorted(os.path.join(d, f) for d, _, fs in os.walk(path) for f in fs)
        else:
            files = [path]
        for f in files:
            with open(f, "rb") as fh:
                data += fh.read()
    return data


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model")
    p.add_argument("text", nargs="+")
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--tools", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                   "..", "build", "bin"))
    p.add_argument("--windows", type=int, default=64)
    p.add_argument("--window", type=int, default=256)
    p.add_argument("--work", help="keep the package and test sets here")
    args = p.parse_args()
    data = read_text(args.text)
    count = min(args.windows, len(data) // args.window)
    if count == 0:
        sys.exit("slmc-prune-calibrate: the calibration text has fewer than %d bytes" %
                 args.window)
    inputs = [i.name for i in onnx.load(args.model, load_external_data=False).graph.input]
    unknown = set(inputs) - {"input_ids", "attention_mask", "position_ids"}
    if unknown:
        sys.exit("slmc-prune-calibrate: model inputs %s: only byte-level prefill models "
                 "(input_ids, attention_mask, position_ids) are supported" % sorted(unknown))
    work = args.work or tempfile.mkdtemp(prefix="slmc-prune-calibrate-")
    os.makedirs(work, exist_ok=True)
    pkg = os.path.join(work, "capture.slmpkg")
    r = subprocess.run([os.path.join(args.tools, "slmc"), "compile", args.model, "--no-fusion",
                        "--prune-capture", "-o", pkg, "--quiet"], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("slmc-prune-calibrate: slmc compile failed:\n" + r.stdout + r.stderr)
    sets = os.path.join(work, "sets")
    for w in range(count):
        d = os.path.join(sets, "test_data_set_%d" % w)
        os.makedirs(d, exist_ok=True)
        ids = np.frombuffer(data[w * args.window:(w + 1) * args.window],
                            np.uint8).astype(np.int64)[None, :]
        tensors = {"input_ids": ids, "attention_mask": np.ones_like(ids),
                   "position_ids": np.arange(args.window, dtype=np.int64)[None, :]}
        for k, name in enumerate(inputs):
            with open(os.path.join(d, "input_%d.pb" % k), "wb") as f:
                f.write(numpy_helper.from_array(tensors[name], name).SerializeToString())
    saved = os.path.join(work, "saved")
    r = subprocess.run([os.path.join(args.tools, "slmc-run"), pkg, "--test-dir", sets,
                        "--save-outputs", saved], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("slmc-prune-calibrate: slmc-run failed:\n" + r.stdout + r.stderr)
    sums = {}
    for w in range(count):
        d = os.path.join(saved, "test_data_set_%d" % w)
        for f in sorted(os.listdir(d)):
            if not f.startswith("output_"):
                continue
            t = onnx.TensorProto()
            with open(os.path.join(d, f), "rb") as fh:
                t.ParseFromString(fh.read())
            if not t.name.startswith("capture."):
                continue
            value = numpy_helper.to_array(t).astype(np.float64)
            name = t.name[len("capture."):]
            sums[name] = sums.get(name, 0) + value
    if not sums:
        sys.exit("slmc-prune-calibrate: the package wrote no capture outputs")
    out = {"windows": count, "bytes": count * args.window,
           "weights": {k: [float(x) for x in np.sqrt(v)] for k, v in sorted(sums.items())}}
    with open(args.output, "w") as f:
        json.dump(out, f)
    print("slmc-prune-calibrate: %d weights, %d windows of %d bytes -> %s" %
          (len(sums), count, args.window, args.output))


if __name__ == "__main__":
    main()
