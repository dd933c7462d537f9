"""Checks a bench/run.sh output folder: results.json parses and has slmc's
measurements, results.md has the table, every chart is well-formed SVG.
Prints one line per finding for FileCheck; values are not checked."""
import json
import os
import sys
import xml.etree.ElementTree as ET

out = sys.argv[1]
with open(os.path.join(out, "results.json")) as f:
    res = json.load(f)
for key in ("date", "host", "versions", "config", "measurements", "checks", "skipped"):
    assert key in res, "results.json lacks " + key
assert res["host"]["cpu"] and res["host"]["flags"], "no host CPU model/flags"
assert res["versions"]["slmc"], "no slmc version"
print("results.json: ok")
metrics = {r["metric"] for r in res["measurements"] if r["system"] == "slmc"}
for m in ("prefill_tok_s@128", "prefill_tok_s@512", "decode_tok_s@128", "decode_tok_s@1024",
          "ttft_ms", "peak_rss_mb.prefill", "peak_rss_mb.decode", "package_mb", "compile_s"):
    print("slmc %s: %s" % (m, "ok" if m in metrics else "MISSING"))
for r in res["measurements"]:
    assert r["min"] <= r["median"] <= r["max"] and r["n"] == len(r["samples"]), r
# Each peer either measured or skipped with a reason.
for system, label in (("ort", "ONNX Runtime"), ("torch", "PyTorch")):
    measured = any(r["system"] == system for r in res["measurements"])
    reason = res["skipped"].get(label)
    assert measured or reason, label + " neither measured nor skipped"
    print("%s: %s" % (label, "measured" if measured else "skipped"))
for c in res["checks"]:
    print("check %s-%s: %s" % (c["model"], c["flavour"], "ok" if c["ok"] else "MISMATCH"))
with open(os.path.join(out, "results.md")) as f:
    md = f.read()
print("results.md table: %s" % ("ok" if "| metric | threads | slmc fp32 |" in md else "MISSING"))
# Bits per byte of each scheme on the trained model, joined with speed.
rows = res.get("accuracy", {}).get("rows", [])
print("accuracy: %s" % ", ".join("%s %s" % (r["scheme"], "ok" if 0 < r["bits_per_byte"] < 8 else "BAD")
                                 for r in rows))
print("accuracy table: %s" % ("ok" if "| scheme | bits/byte | Δ vs fp32 |" in md else "MISSING"))
svgs = sorted(n for n in os.listdir(out) if n.endswith(".svg"))
for n in svgs:
    root = ET.parse(os.path.join(out, n)).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg", n
    assert root.findall(".//{http://www.w3.org/2000/svg}rect"), n + " has no bars"
print("charts: %d SVG" % len(svgs))
