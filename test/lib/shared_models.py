"""The models under shared/models, for the e2e scripts.

model_dirs() finds them (optionally only those with test sets, or a named
subset that must all exist); check_each() runs a per-model check in a
temporary folder, prints PASS/FAIL lines and the `N passed, N failed` line
lit and CI read, and returns the exit status.
"""
import os
import sys
import tempfile


def model_dirs(shared, with_test_data=False, names=""):
    """Folders holding a model.onnx (sorted), relative names in `names`
    (comma-separated, e.g. "tiny-llama-prefill,trained-code-llama-5m/decode")
    selecting a subset; exits with a message when nothing or a name is missing."""
    root = os.path.join(shared, "models")
    found = sorted(r for r, dirs, files in os.walk(root)
                   if "model.onnx" in files and
                   (not with_test_data or any(d.startswith("test_data_set_") for d in dirs)))
    if names:
        by_name = {os.path.relpath(m, root): m for m in found}
        missing = [n for n in names.split(",") if n not in by_name]
        if missing:
            sys.exit("no such model%s under %s: %s" % (" with test data" if with_test_data else "",
                                                       root, ", ".join(missing)))
        found = [by_name[n] for n in names.split(",")]
    if not found:
        sys.exit("no models%s under %s" % (" with test data" if with_test_data else "", root))
    return found


def model_name(shared, model_dir):
    return os.path.relpath(model_dir, os.path.join(shared, "models"))


def check_each(shared, models, check):
    """check(model_dir, tmp) -> list of problems (empty: pass)."""
    passed = failed = 0
    for model_dir in models:
        with tempfile.TemporaryDirectory() as tmp:
            problems = check(model_dir, tmp)
        name = model_name(shared, model_dir)
        print(("FAIL %s: %s" % (name, "; ".join(problems))) if problems else "PASS " + name)
        passed += not problems
        failed += bool(problems)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0
