#!/usr/bin/env python3
"""PyTorch's side of the network-kernel comparison, in the same device call as `LearnedSolvers.Benchmarks conv`:
conv2d 16 -> 16, 3x3, padding 1, float32, on [8, 16, 256, 256], and conv3d 3x3x3 on [2, 16, 64, 64, 64]: forward, input
gradient and weight gradient (torch.nn.grad), timed with CUDA events on the GPU (TF32 off) and wall clock on the CPU
(all cores, or --threads N). Prints the same table as ours: best, median and worst ms, GFLOP/s counting
2*N*Cout*Cin*taps*positions. Runs on PyTorch 1.13 and later.

  python3 torch_conv.py [--devices cuda,cpu] [--repeats 20] [--threads N]"""
import argparse, statistics, time
import torch
import torch.nn.functional as F
from torch.nn.grad import conv2d_input, conv2d_weight, conv3d_input, conv3d_weight

ap = argparse.ArgumentParser()
ap.add_argument("--devices", default="cuda,cpu")
ap.add_argument("--repeats", type=int, default=20)
ap.add_argument("--threads", type=int, default=0, help="CPU threads (torch.set_num_threads); 0 keeps PyTorch's default")
args = ap.parse_args()
if args.threads > 0:
    torch.set_num_threads(args.threads)
torch.backends.cudnn.allow_tf32 = False
torch.backends.cuda.matmul.allow_tf32 = False


def timed(fn, device, repeats):
    fn()
    times = []
    for _ in range(repeats):
        if device == "cuda":
            start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record(); fn(); stop.record(); stop.synchronize()
            times.append(start.elapsed_time(stop))
        else:
            t = time.perf_counter(); fn(); times.append((time.perf_counter() - t) * 1e3)
    return min(times), statistics.median(times), max(times)


for device in [d for d in args.devices.split(",") if d]:
    if device == "cuda" and not torch.cuda.is_available():
        print("no CUDA device for PyTorch"); continue
    print(f"# PyTorch {torch.__version__} convolutions on {device} ({torch.get_num_threads()} threads), {args.repeats} repeats")
    print("| convolution | kernel | best (ms) | median (ms) | worst (ms) | GFLOP/s (best) | GFLOP/s (median) |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for dims, shape in ((2, (8, 16, 256, 256)), (3, (2, 16, 64, 64, 64))):
        g = torch.Generator(device="cpu").manual_seed(1)
        x = (torch.rand(shape, generator=g) - 0.5).to(device)
        w = (torch.rand((16, 16) + (3,) * dims, generator=g) - 0.5).to(device)
        b = (torch.rand(16, generator=g) - 0.5).to(device)
        dy = (torch.rand(shape, generator=g) - 0.5).to(device)
        conv = F.conv2d if dims == 2 else F.conv3d
        grad_input = conv2d_input if dims == 2 else conv3d_input
        grad_weight = conv2d_weight if dims == 2 else conv3d_weight
        positions = 1
        for s in shape[2:]: positions *= s
        flops = 2 * shape[0] * 16 * 16 * 3 ** dims * positions
        label = "x".join(map(str, shape))
        for name, fn in (("forward", lambda: conv(x, w, b, padding=1)),
                         ("input gradient", lambda: grad_input(x.shape, w, dy, padding=1)),
                         ("weight gradient", lambda: grad_weight(x, w.shape, dy, padding=1))):
            best, median, worst = timed(fn, device, args.repeats)
            print(f"| {label} | {name} | {best:.3f} | {median:.3f} | {worst:.3f} | {flops / best / 1e6:.1f} | {flops / median / 1e6:.1f} |", flush=True)
