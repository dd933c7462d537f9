"""Running slmc and slmc-run from the e2e scripts: one place for the
command lines and for reading bits per byte off `slmc-run --eval-text`."""
import os
import subprocess


def run(cmd):
    """stdout of `cmd`; a RuntimeError with its output when it fails."""
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("%s failed:\n%s%s" % (" ".join(cmd), r.stdout[-2000:], r.stderr[-2000:]))
    return r.stdout


def compile_package(tools, onnx_path, pkg, flags=()):
    """slmc compile ONNX -o PKG --quiet FLAGS."""
    run([os.path.join(tools, "slmc"), "compile", onnx_path, "-o", pkg, "--quiet"] + list(flags))


def eval_bpb(tools, pkg, text, jobs=None):
    """Bits per byte of package PKG on the text file TEXT (slmc-run --eval-text;
    JOBS runs in parallel, default slmc-run's)."""
    cmd = [os.path.join(tools, "slmc-run"), pkg, "--eval-text", text]
    out = run(cmd + (["--jobs", str(jobs)] if jobs else [])).strip().splitlines()
    if not out or not out[-1].startswith("bits_per_byte="):
        raise RuntimeError("slmc-run --eval-text printed no bits_per_byte line:\n%s" % "\n".join(out))
    return float(out[-1].split("=")[1])
