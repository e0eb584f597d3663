#!/usr/bin/env python3
"""DCDM's network in PyTorch, for checking ours both ways (run in the GPU device call; needs torch and safetensors).

  python3 dcdm_torch_equivalence.py DIR

DIR holds what `LearnedSolvers.Benchmarks dcdm-equivalence write DIR` wrote: ours.safetensors (our model's parameters,
its architecture in the metadata), input.safetensors ("x": [N, 1, S...]) and ours_output.safetensors ("q").
This script
  1. builds the same architecture in PyTorch, loads ours.safetensors, runs x, compares with q (relative 1e-5);
  2. writes torch.safetensors (a PyTorch-initialized model, seed 0, its state_dict as is) and torch_output.safetensors
     (that model's output on x), which `dcdm-equivalence check DIR` loads and must reproduce.
Exit code 0 when the comparison holds, 1 otherwise."""
import json, sys
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import load_file, save_file, safe_open


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


def main(directory):
    # Full float32 arithmetic: cuDNN's default TF32 convolutions round to 10 mantissa bits (about 1e-3).
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    with safe_open(f"{directory}/ours.safetensors", "pt") as f:
        meta = f.metadata() or {}
    architecture = json.loads(meta.get("architecture", "{}"))
    dims, channels = int(architecture.get("dimensions", 2)), int(architecture.get("channels", 16))
    device = "cuda" if torch.cuda.is_available() else "cpu"
    x = load_file(f"{directory}/input.safetensors")["x"].to(device)
    ours_q = load_file(f"{directory}/ours_output.safetensors")["q"].to(device)

    model = Dcdm(dims, channels).to(device)
    model.load_state_dict({k: v.to(device) for k, v in load_file(f"{directory}/ours.safetensors").items()})
    with torch.no_grad():
        q = model(x)
    ours_error = relative(q, ours_q)

    torch.manual_seed(0)
    fresh = Dcdm(dims, channels).to(device)
    with torch.no_grad():
        fresh_q = fresh(x)
    save_file({k: v.detach().cpu().contiguous() for k, v in fresh.state_dict().items()}, f"{directory}/torch.safetensors",
              metadata={"architecture": json.dumps({"model": "dcdm", "dimensions": dims, "channels": channels})})
    save_file({"q": fresh_q.cpu().contiguous()}, f"{directory}/torch_output.safetensors")

    parameters = sum(p.numel() for p in model.parameters())
    print(f"dcdm {dims}-D, {channels} channels, {parameters} parameters, input {tuple(x.shape)} on {device}")
    print(f"ours loaded into PyTorch: relative difference of outputs {ours_error:.2e} (tolerance 1e-5)")
    print(f"wrote torch.safetensors and torch_output.safetensors for the reverse check")
    return 0 if ours_error <= 1e-5 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
