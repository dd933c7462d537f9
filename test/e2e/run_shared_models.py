#!/usr/bin/python3
"""Compiles every shared model that has test data and runs its test sets.

For each model folder with test_data_set_* and each target: `slmc compile`
(one package), then `slmc-run --test-dir` (all test sets: different batch,
sequence and past lengths through the same package).
"""
import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from shared_models import model_dirs  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--shared", required=True)
    p.add_argument("--tools", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--targets", default="native")
    p.add_argument("--atol", default="1e-4")
    p.add_argument("--rtol", default="1e-3")
    p.add_argument("--no-fusion", action="store_true", help="compile with slmc --no-fusion")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    models = model_dirs(args.shared, with_test_data=True)
    passed = failed = 0
    for target in args.targets.split(","):
        for model in models:
            name = os.path.relpath(model, os.path.join(args.shared, "models")).replace("/", "-")
            pkg = os.path.join(args.out, "%s-%s.slmpkg" % (name, target))
            r = subprocess.run([os.path.join(args.tools, "slmc"), "compile",
                                os.path.join(model, "model.onnx"), "--target", target,
                                "-o", pkg, "--quiet"] + (["--no-fusion"] if args.no_fusion else []),
                               capture_output=True, text=True)
            if r.returncode == 0:
                r = subprocess.run([os.path.join(args.tools, "slmc-run"), pkg, "--test-dir", model,
                                    "--atol", args.atol, "--rtol", args.rtol],
                                   capture_output=True, text=True)
            ok = r.returncode == 0
            last = (r.stdout + r.stderr).strip().splitlines()[-1:] or [""]
            print("%s %s %s: %s" % ("ok  " if ok else "FAIL", target, name, last[0]))
            if not ok:
                print(r.stdout + r.stderr)
            passed += ok
            failed += not ok
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
