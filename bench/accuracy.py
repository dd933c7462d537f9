"""The accuracy half of "faster at the same accuracy": bits per byte of each
scheme on the trained byte-level model's held-out text.

The real-size graphs carry random weights, so their schemes cannot be scored;
the trained model (shared/models/trained-code-llama-5m: a 3.8M-parameter
Llama trained on Python source, eval.txt ~300 KB held out) is compiled with
each scheme's flags and scored with `slmc-run --eval-text` (non-overlapping
256-byte windows, the protocol of its meta.json). Its meta.json holds the
ONNX Runtime fp32 reference, so the fp32 row also checks slmc against it.
"""
import json
import os
import sys
import time

# One place for the slmc / slmc-run --eval-text command lines (the e2e tests' helpers).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "test", "lib"))
from slmc_tools import compile_package, eval_bpb  # noqa: E402

TRAINED = "trained-code-llama-5m"
# --quick scores this many leading bytes of eval.txt (whole 256-byte windows).
QUICK_BYTES = 16 * 1024


def reference_bpb(model_dir):
    """ONNX Runtime's fp32 bits per byte on eval.txt from meta.json, or None."""
    try:
        with open(os.path.join(model_dir, "meta.json")) as f:
            return json.load(f)["metrics_onnxruntime"]["bpb"]
    except (OSError, KeyError, ValueError, TypeError):
        return None


def score(tools, shared, work, schemes, split_variant, quick, progress, notes):
    """Rows {scheme, bits_per_byte, delta_pct (vs slmc fp32), seconds} for
    each scheme (variants such as +prune=2:4 compile with their flags), and
    the reference; ({}, None) when the trained model is absent."""
    model_dir = os.path.join(shared, "models", TRAINED)
    onnx = os.path.join(model_dir, "prefill", "model.onnx")
    text = os.path.join(model_dir, "eval.txt")
    if not (os.path.exists(onnx) and os.path.exists(text)):
        notes.append("accuracy: %s not found under %s/models: no bits-per-byte column"
                     % (TRAINED, shared))
        return {}, None
    if quick:
        with open(text, "rb") as f:
            head = f.read(QUICK_BYTES)
        text = os.path.join(work, "eval-head.txt")
        with open(text, "wb") as f:
            f.write(head)
    rows = {}
    for scheme in (["fp32"] if "fp32" not in schemes else []) + list(schemes):
        base, flags = split_variant(scheme)
        if base != "fp32":
            flags = ["--quant", base] + flags
        pkg = os.path.join(work, "%s-prefill-%s.slmpkg" % (TRAINED, scheme))
        progress.log("accuracy: %s on %s" % (scheme, TRAINED))
        t0 = time.perf_counter()
        try:
            compile_package(tools, onnx, pkg, flags)
            rows[scheme] = {"scheme": scheme, "bits_per_byte": eval_bpb(tools, pkg, text, jobs=2),
                            "seconds": round(time.perf_counter() - t0, 1)}
        except RuntimeError as e:
            notes.append("accuracy of %s on %s: %s" % (scheme, TRAINED, str(e).strip().splitlines()[-1]))
        progress.advance(40.0 if not quick else 3.0)
    fp32 = rows.get("fp32", {}).get("bits_per_byte")
    for row in rows.values():
        row["delta_pct"] = 100.0 * (row["bits_per_byte"] / fp32 - 1.0) if fp32 else None
    return rows, (None if quick else reference_bpb(model_dir))
