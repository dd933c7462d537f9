#!/usr/bin/python3
"""Imports every model under shared/models and checks the result.

For each model.onnx: `slmc import` exits 0; the output verifies with slmc-opt
and no shape computation survives (slm-verify-shapes-resolved); every
`slm.weight` handle names an initializer of the same shape and dtype, and the
handles add up to the bytes of every initializer too large to inline; the
function's result types carry the same dims as the graph outputs declare
(dim_param expressions included).

Graph-only exports (weights_index.json, no weights.bin) are imported from a
temporary copy with a sparse, zero-filled weights.bin of the indexed size:
import reads the layout, not the values.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import onnx

INLINE_LIMIT = 1024  # bytes; the importer's maxInlineConstantBytes
DTYPE_BYTES = {1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 16: 2}
MLIR_DTYPE = {1: "f32", 6: "i32", 7: "i64", 9: "i1", 10: "f16", 11: "f64", 16: "bf16"}


def canonical_dim(text):
    """'b + a' -> 'a + b' (terms sorted) so ONNX dim_params compare with ours."""
    return " + ".join(sorted(t.strip() for t in text.split("+")))


def tensor_type(dims, dtype):
    shape = "x".join(str(d) for d in dims)
    return "tensor<%s%s>" % (shape + "x" if dims else "", MLIR_DTYPE.get(dtype, "?"))


def prepare(model_dir, tmp):
    """Returns the model.onnx to import (a temp copy with sparse weights if needed)."""
    index = os.path.join(model_dir, "weights_index.json")
    if not os.path.exists(index) or os.path.exists(os.path.join(model_dir, "weights.bin")):
        return os.path.join(model_dir, "model.onnx")
    with open(index) as f:
        entries = json.load(f)
    size = max(e["offset"] + e["length"] for e in entries["external"])
    work = os.path.join(tmp, os.path.basename(model_dir.rstrip("/")))
    os.makedirs(work)
    shutil.copy(os.path.join(model_dir, "model.onnx"), work)
    with open(os.path.join(work, entries["external_file"]), "wb") as f:
        f.truncate(size)
    return os.path.join(work, "model.onnx")


def check(model_dir, tools, tmp):
    problems = []
    path = prepare(model_dir, tmp)
    out = os.path.join(tmp, "out.mlir")
    r = subprocess.run([os.path.join(tools, "slmc"), "import", path, "-o", out, "--quiet"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return ["slmc import failed: " + r.stderr.strip()]
    r = subprocess.run([os.path.join(tools, "slmc-opt"), out, "--slm-verify-shapes-resolved",
                        "-o", os.devnull], capture_output=True, text=True)
    if r.returncode != 0:
        problems.append("slmc-opt: " + r.stderr.strip()[:2000])
    ir = open(out).read()
    for op in ("slm.shape ", "slm.dims "):
        if ("= " + op) in ir:
            problems.append("shape op survived: " + op.strip())

    model = onnx.load(os.path.join(model_dir, "model.onnx"), load_external_data=False)
    used = {i for n in model.graph.node for i in n.input}
    expected = {}
    for t in model.graph.initializer:
        n = 1
        for d in t.dims:
            n *= d
        nbytes = n * DTYPE_BYTES.get(t.data_type, 0)
        if t.name in used and nbytes > INLINE_LIMIT:
            expected[t.name] = (tensor_type(t.dims, t.data_type), nbytes)
    handles = {}
    for m in re.finditer(r'= slm\.weight @"?([^"\s]+?)"? : (tensor<[^>]*>)', ir):
        handles[m.group(1)] = m.group(2)
    for name, ty in handles.items():
        if name not in expected:
            problems.append("weight handle @%s is no large initializer" % name)
        elif expected[name][0] != ty:
            problems.append("weight @%s: %s, initializer is %s" % (name, ty, expected[name][0]))
    missing = sorted(set(expected) - set(handles))
    if missing:
        problems.append("initializers without a handle: " + ", ".join(missing[:5]))
    handle_bytes = sum(expected[n][1] for n in handles if n in expected)
    init_bytes = sum(b for _, b in expected.values())
    if handle_bytes != init_bytes:
        problems.append("handles hold %d bytes, initializers %d" % (handle_bytes, init_bytes))

    # Result dims must match the graph's declared output dims.
    sig = re.search(r"func\.func @main\((.*?)\) -> \((.*?)\) (attributes )?\{", ir, re.S)
    results = re.findall(r"tensor<([^,>]*?)(?:, #slm\.dims<([^>]*)>)?>", sig.group(2)) if sig else []
    if len(results) != len(model.graph.output):
        problems.append("%d results for %d graph outputs" % (len(results), len(model.graph.output)))
    for (shape, syms), out_info in zip(results, model.graph.output):
        sym_list = [s.strip().strip('"') for s in syms.split('",')] if syms else []
        dims, k = [], 0
        for d in shape.split("x")[:-1]:
            if d == "?":
                dims.append(canonical_dim(sym_list[k]))
                k += 1
            else:
                dims.append(d)
        want = [str(d.dim_value) if d.HasField("dim_value") else canonical_dim(d.dim_param)
                for d in out_info.type.tensor_type.shape.dim]
        if dims != want:
            problems.append("output %s: dims %s, graph declares %s" % (out_info.name, dims, want))
    print("  %d weight handles, %d bytes; %d ops" % (len(handles), handle_bytes,
                                                     ir.count(" = slm.")))
    return problems


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--shared", required=True)
    p.add_argument("--tools", required=True)
    args = p.parse_args()
    models = sorted(os.path.dirname(os.path.join(root, "model.onnx"))
                    for root, _, files in os.walk(os.path.join(args.shared, "models"))
                    if "model.onnx" in files)
    if not models:
        sys.exit("no model.onnx under %s/models" % args.shared)
    passed = failed = 0
    for model_dir in models:
        print(os.path.relpath(model_dir, args.shared))
        with tempfile.TemporaryDirectory() as tmp:
            problems = check(model_dir, args.tools, tmp)
        for pr in problems:
            print("  FAIL: " + pr)
        passed += not problems
        failed += bool(problems)
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
