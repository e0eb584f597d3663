#!/usr/bin/env python3
"""DCDM's network in PyTorch, for checking ours both ways (GPU device call or CPU; needs torch 1.13 or later, and the
safetensors package or safetensors_compat.py's stand-in beside this file).

  python3 dcdm_torch_equivalence.py DIR [--device auto|cpu|cuda]

DIR holds what `LearnedSolvers.Benchmarks dcdm-equivalence write DIR` wrote: ours.safetensors (our model's parameters,
its architecture in the metadata), input.safetensors ("x": [N, 1, S...]), ours_output.safetensors ("q") and, from the
gradient-writing version on, matrix.safetensors (the grid's Poisson matrix, CSR) and ours_gradients.safetensors (each
parameter's gradient of DCDM's loss with b = x, and "loss"). This script
  1. builds the same architecture in PyTorch, loads ours.safetensors, runs x, compares with q (relative 1e-5), and
     compares autograd's parameter gradients of the same loss with ours (relative 1e-4 per parameter);
  2. writes torch.safetensors (a PyTorch-initialized model, seed 0, its state_dict as is), torch_output.safetensors
     (that model's output on x) and torch_gradients.safetensors (its gradients and loss), which
     `dcdm-equivalence check DIR` loads and must reproduce.
The loss (src/LearnedSolvers/Learned/Dcdm/DcdmLoss.cs): the batch mean of |b - s A q|^2, s = q.b / q.Aq, per sample.
--device auto (the default) takes cuda when PyTorch has it, else cpu. Exit code 0 when the comparisons hold, 1 otherwise."""
import argparse, json, os, sys
from pathlib import Path
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from safetensors_compat import IMPLEMENTATION, load_torch as load_file, metadata as file_metadata, save_torch as save_file

OUTPUT_TOLERANCE, GRADIENT_TOLERANCE = 1e-5, 1e-4


class Dcdm(nn.Module):
    """cnn1 (1 -> C, linear), cnn2-cnn5 at full resolution, 2x average pooling, cnn6-cnn11, nearest upsampling added
    to cnn5's output, cnn12-cnn15, a point-wise linear output; ReLU after every convolution but cnn1; residual adds
    around pairs. Mirrors src/LearnedSolvers/Learned/Dcdm/DcdmNetwork.cs."""

    def __init__(self, dims, channels=16):
        super().__init__()
        conv = nn.Conv2d if dims == 2 else nn.Conv3d
        self.dims = dims
        for i in range(1, 16):
            setattr(self, f"cnn{i}", conv(1 if i == 1 else channels, channels, 3, padding=1))
        self.dense = conv(channels, 1, 1)

    def forward(self, x):
        pool = F.avg_pool2d if self.dims == 2 else F.avg_pool3d
        f = self.cnn1(x)
        a2 = F.relu(self.cnn2(f))
        a3 = F.relu(self.cnn3(a2))
        a4 = F.relu(self.cnn4(a3) + a2)
        a5 = F.relu(self.cnn5(a4))
        p = pool(a5, 2)
        a6 = F.relu(self.cnn6(p))
        a7 = F.relu(self.cnn7(a6) + p)
        a8 = F.relu(self.cnn8(a7))
        a9 = F.relu(self.cnn9(a8) + a7)
        a10 = F.relu(self.cnn10(a9))
        a11 = F.relu(self.cnn11(a10) + a9)
        u = F.interpolate(a11, scale_factor=2, mode="nearest") + a5
        a12 = F.relu(self.cnn12(u))
        a13 = F.relu(self.cnn13(a12) + u)
        a14 = F.relu(self.cnn14(a13))
        a15 = F.relu(self.cnn15(a14) + a13)
        return self.dense(a15)


def relative(a, b):
    return (torch.linalg.vector_norm(a.double() - b.double()) / torch.linalg.vector_norm(b.double())).item()


def dcdm_loss(a, b, q):
    """DcdmLoss: mean over the batch of |b - s A q|^2 with s = q.b / q.Aq (A sparse, n x n; b, q [N, 1, S...])."""
    rows_b, rows_q = b.reshape(b.shape[0], -1), q.reshape(q.shape[0], -1)
    u = torch.sparse.mm(a, rows_q.t()).t()
    s = (rows_q * rows_b).sum(1) / (rows_q * u).sum(1)
    r = rows_b - s[:, None] * u
    return (r * r).sum(1).mean()


def load_matrix(path, device):
    m = {k: v.double() for k, v in load_file(path).items()}
    pointers, columns = m["row_pointers"].long(), m["columns"].long()
    n = pointers.numel() - 1
    rows = torch.repeat_interleave(torch.arange(n), pointers[1:] - pointers[:-1])
    return torch.sparse_coo_tensor(torch.stack([rows, columns]), m["values"].float(), (n, n)).coalesce().to(device)


def gradients(model, a, x):
    """(loss, {name: gradient}) of the DCDM loss with b = x."""
    model.zero_grad()
    loss = dcdm_loss(a, x, model(x))
    loss.backward()
    return loss.item(), {name: p.grad.detach() for name, p in model.named_parameters()}


def main(directory, device="auto"):
    # Full float32 arithmetic: cuDNN's default TF32 convolutions round to 10 mantissa bits (about 1e-3).
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    meta = file_metadata(f"{directory}/ours.safetensors")
    architecture = json.loads(meta.get("architecture", "{}"))
    dims, channels = int(architecture.get("dimensions", 2)), int(architecture.get("channels", 16))
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    x = load_file(f"{directory}/input.safetensors")["x"].to(device)
    ours_q = load_file(f"{directory}/ours_output.safetensors")["q"].to(device)

    model = Dcdm(dims, channels).to(device)
    model.load_state_dict({k: v.to(device) for k, v in load_file(f"{directory}/ours.safetensors").items()})
    with torch.no_grad():
        q = model(x)
    ours_error = relative(q, ours_q)
    ok = ours_error <= OUTPUT_TOLERANCE

    parameters = sum(p.numel() for p in model.parameters())
    print(f"dcdm {dims}-D, {channels} channels, {parameters} parameters, input {tuple(x.shape)} on {device} "
          f"(PyTorch {torch.__version__}, {torch.get_num_threads()} threads; files through {IMPLEMENTATION})")
    print(f"ours loaded into PyTorch: relative difference of outputs {ours_error:.2e} (tolerance {OUTPUT_TOLERANCE:g})")

    has_matrix = os.path.exists(f"{directory}/matrix.safetensors")
    a = load_matrix(f"{directory}/matrix.safetensors", device) if has_matrix else None
    if a is not None and os.path.exists(f"{directory}/ours_gradients.safetensors"):
        theirs = load_file(f"{directory}/ours_gradients.safetensors")
        loss, grads = gradients(model, a, x)
        errors = {name: relative(g, theirs[name].to(device)) for name, g in grads.items()}
        worst = max(errors, key=errors.get)
        everything = relative(torch.cat([g.flatten() for g in grads.values()]),
                              torch.cat([theirs[name].to(device).flatten() for name in grads]))
        our_loss = theirs["loss"].item()
        print(f"ours loaded into PyTorch: DCDM loss {loss!r} against ours {our_loss!r} (relative {abs(loss - our_loss) / abs(our_loss):.2e}); "
              f"parameter gradients: relative difference {everything:.2e} over all, worst {errors[worst]:.2e} ({worst}) "
              f"(tolerance {GRADIENT_TOLERANCE:g} per parameter)")
        ok = ok and errors[worst] <= GRADIENT_TOLERANCE

    torch.manual_seed(0)
    fresh = Dcdm(dims, channels).to(device)
    with torch.no_grad():
        fresh_q = fresh(x)
    save_file({k: v.detach().cpu().contiguous() for k, v in fresh.state_dict().items()}, f"{directory}/torch.safetensors",
              metadata={"architecture": json.dumps({"model": "dcdm", "dimensions": dims, "channels": channels})})
    save_file({"q": fresh_q.cpu().contiguous()}, f"{directory}/torch_output.safetensors")
    written = "torch.safetensors and torch_output.safetensors"
    if a is not None:
        loss, grads = gradients(fresh, a, x)
        save_file({**{k: g.cpu().contiguous() for k, g in grads.items()}, "loss": torch.tensor(loss, dtype=torch.float64)},
                  f"{directory}/torch_gradients.safetensors")
        written += " and torch_gradients.safetensors"
    print(f"wrote {written} for the reverse check")
    return 0 if ok else 1


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("directory", nargs="?", default=".")
    ap.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    args = ap.parse_args()
    sys.exit(main(args.directory, args.device))
