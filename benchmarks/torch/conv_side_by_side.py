#!/usr/bin/env python3
"""Our convolution kernels beside PyTorch's on the CPU, in one run: `LearnedSolvers.Benchmarks conv cpu REPEATS`, then
benchmarks/gpu/torch_conv.py --devices cpu --threads THREADS --repeats REPEATS (the same shapes: 16 -> 16 channels,
3x3 on [8, 16, 256, 256] and 3x3x3 on [2, 16, 64, 64, 64]; forward, input gradient, weight gradient; each after one
warm-up call), one after the other, never at the same time, for --rounds rounds (ours, PyTorch, ours, PyTorch, ...: a
machine shared with other work drifts, and alternating spreads the drift over both). Prints the raw tables, then one
table: per kernel the median over the rounds of each round's median, the range of those round medians (the spread),
the best single call, and the ratios ours / PyTorch of the medians and of the bests (the target is <= 2x).

  python3 benchmarks/torch/conv_side_by_side.py [--rounds 5] [--repeats 10] [--threads 2] [--device cpu]
      [--ours "dotnet benchmarks/LearnedSolvers.Benchmarks/bin/Release/net10.0/LearnedSolvers.Benchmarks.dll"]

Build first: dotnet build -c Release. Our weight-gradient kernel also forms the bias gradient; PyTorch's timed call
(torch.nn.grad.convNd_weight) forms the weight gradient only."""
import argparse, re, shlex, statistics, subprocess, sys
from pathlib import Path

root = Path(__file__).resolve().parents[2]
ap = argparse.ArgumentParser()
ap.add_argument("--rounds", type=int, default=5)
ap.add_argument("--repeats", type=int, default=10)
ap.add_argument("--threads", type=int, default=2, help="PyTorch's CPU threads (ours uses every core the process sees)")
ap.add_argument("--device", default="cpu", help="our device and PyTorch's (cpu or cuda)")
ap.add_argument("--ours", default="dotnet benchmarks/LearnedSolvers.Benchmarks/bin/Release/net10.0/LearnedSolvers.Benchmarks.dll")
args = ap.parse_args()


def run(command):
    print("$ " + " ".join(command), flush=True)
    text = subprocess.run(command, cwd=root, check=True, capture_output=True, text=True).stdout
    print(text, flush=True)
    rows = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) >= 5 and re.match(r"^[\d.]+$", cells[2]):
            rows.append(dict(shape=cells[0], kernel=cells[1], best=float(cells[2]), median=float(cells[3]), worst=float(cells[4])))
    return rows


torch_device = "cuda" if args.device.startswith("cuda") else args.device
ours_rounds, theirs_rounds = [], []
for r in range(args.rounds):
    print(f"### round {r + 1} of {args.rounds}", flush=True)
    ours_rounds.append(run(shlex.split(args.ours) + ["conv", args.device, str(args.repeats)]))
    theirs_rounds.append(run([sys.executable, "benchmarks/gpu/torch_conv.py", "--devices", torch_device, "--threads", str(args.threads),
                              "--repeats", str(args.repeats)]))
    if len(ours_rounds[-1]) != 6 or len(theirs_rounds[-1]) != 6:
        sys.exit(f"expected 6 rows from each side, got {len(ours_rounds[-1])} (ours) and {len(theirs_rounds[-1])} (PyTorch)")


def summary(rounds, k):
    medians = [r[k]["median"] for r in rounds]
    return statistics.median(medians), min(medians), max(medians), min(r[k]["best"] for r in rounds)


print(f"## ours / PyTorch on {args.device}: {args.rounds} rounds of {args.repeats} timed calls each; PyTorch {args.threads} threads")
print("ms: median of the round medians (range of the round medians), best single call")
print("| convolution | kernel | ours median (range) | ours best | PyTorch median (range) | PyTorch best | ours / PyTorch, median | ours / PyTorch, best | ≤ 2x |")
print("|---|---|---:|---:|---:|---:|---:|---:|---|")
for k in range(6):
    om, olo, ohi, ob = summary(ours_rounds, k)
    tm, tlo, thi, tb = summary(theirs_rounds, k)
    t = theirs_rounds[0][k]
    shape = t["shape"].replace("x", " × ")
    print(f"| [{shape}] | {t['kernel']} | {om:.1f} ({olo:.1f}–{ohi:.1f}) | {ob:.1f} | {tm:.1f} ({tlo:.1f}–{thi:.1f}) | {tb:.1f} | "
          f"{om / tm:.2f} | {ob / tb:.2f} | {'yes' if om / tm <= 2 else 'no'} |")
