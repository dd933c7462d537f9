#!/usr/bin/python3
"""Pruned vs dense package speed, alternating, in one run (bench/pruning.md).

  bench/prune_speed.py --tools build/bin --pair DENSE_DECODE PRUNED_DECODE decode \\
      --pair DENSE_PREFILL PRUNED_PREFILL prefill [--rounds 5] [--threads 1]

For each round and pair, times the dense then the pruned package (the
order alternates by round) with `slmc-run --bench` (decode: --seq 1 --past
128; prefill: --seq 128) and keeps each run's median latency; prints per
pair the median over rounds of each and the speed-up dense / pruned.
The machine is shared: only the ratio within one run means anything.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

SHAPES = {"decode": ["--seq", "1", "--past", "128", "--iters", "5"],
          "prefill": ["--seq", "128", "--iters", "2"]}


def latency(tools, pkg, kind, threads):
    r = subprocess.run([os.path.join(tools, "slmc-run"), pkg, "--bench", "--threads", str(threads),
                        "--warmup", "1"] + SHAPES[kind], capture_output=True, text=True)
    m = re.search(r"median ([0-9.]+) ms", r.stdout + r.stderr)
    if r.returncode != 0 or not m:
        sys.exit("prune_speed: slmc-run %s failed:\n%s" % (pkg, r.stdout + r.stderr))
    return float(m.group(1))


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tools", required=True)
    p.add_argument("--pair", nargs=3, action="append", required=True,
                   metavar=("DENSE", "PRUNED", "decode|prefill"))
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args()
    times = {i: ([], []) for i in range(len(args.pair))}
    for r in range(args.rounds):
        for i, (dense, pruned, kind) in enumerate(args.pair):
            order = [(0, dense), (1, pruned)]
            if r % 2:
                order.reverse()
            for slot, pkg in order:
                times[i][slot].append(latency(args.tools, pkg, kind, args.threads))
    for i, (dense, pruned, kind) in enumerate(args.pair):
        d, q = statistics.median(times[i][0]), statistics.median(times[i][1])
        print("%s threads=%d dense %.2f ms pruned %.2f ms speed-up %.3fx (%s vs %s, %d rounds)"
              % (kind, args.threads, d, q, d / q, os.path.basename(dense),
                 os.path.basename(pruned), args.rounds))


if __name__ == "__main__":
    main()
