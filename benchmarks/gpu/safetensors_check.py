#!/usr/bin/env python3
"""Cross-checks LearnedSolvers' safetensors files against the reference library (safetensors.numpy) or, where that
package is not installed (Debian ships none), against safetensors_compat.py's reader and writer, written from the format's
specification.
Usage: safetensors_check.py OURS.safetensors OUT_DIR
Prints each tensor of OURS (name, dtype, shape, sum) and its metadata; saves the same tensors and metadata again with
safetensors' own writer to OUT_DIR/echo.safetensors and compares the bytes with OURS (our writer follows the reference
layout, so they are identical; with two or more metadata keys the reference writer's key order is a hash order, so then
headers are compared as JSON); writes OUT_DIR/reference.safetensors, a fixed file for our reader to check:
  "w" F32 [[1, 2], [3, 4]], "d" F64 [0.5, -0.0, 1/3], "s" F32 scalar 2.5, metadata {"writer": "safetensors_check.py"}.
Exits 1 on a mismatch."""
import json, struct, sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import safetensors_compat  # the reference package when installed, else a reader and writer from the format's specification

writer = safetensors_compat.IMPLEMENTATION


def save(arrays, path, metadata):
    safetensors_compat.write(path, arrays, metadata)


def split(data):
    """(header as parsed JSON, data section) of a file's bytes."""
    n = struct.unpack("<Q", data[:8])[0]
    return json.loads(data[8:8 + n]), data[8 + n:]


ours, out = Path(sys.argv[1]), Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
arrays = {}
read, metadata = safetensors_compat.read(ours)
metadata = metadata or None
print(f"{ours}: {len(read)} tensors, metadata {metadata}; read and written with {writer}")
for name, a in read.items():
    arrays[name] = a
    print(f"  {name}: {a.dtype} {list(a.shape)} sum {float(np.sum(a, dtype=np.float64)):.17g}")

echo = out / "echo.safetensors"
save(arrays, echo, metadata)
mine, theirs = ours.read_bytes(), echo.read_bytes()
if mine == theirs:
    print(f"echo through {writer}: identical bytes ({len(mine)})")
elif split(mine) == split(theirs):
    print(f"echo through {writer}: same header and data, metadata keys in another order")
else:
    print(f"echo through {writer}: MISMATCH\n  ours:   {mine[8:8 + 200]!r}\n  theirs: {theirs[8:8 + 200]!r}")
    sys.exit(1)

save({"w": np.array([[1, 2], [3, 4]], dtype=np.float32), "d": np.array([0.5, -0.0, 1 / 3]),
      "s": np.array(2.5, dtype=np.float32)}, out / "reference.safetensors", {"writer": "safetensors_check.py"})
print(f"wrote {out / 'reference.safetensors'} with {writer}")
