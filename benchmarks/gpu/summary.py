#!/usr/bin/env python3
"""Summary of one benchmarks/gpu/run.sh call: reads the stage logs in OUT and prints our figures beside CuPy's,
against the GPU targets. Usage: summary.py OUT"""
import re, sys
from pathlib import Path

out = Path(sys.argv[1])

def read(name):
    p = out / f"{name}.log"
    return p.read_text(errors="replace") if p.exists() else ""

def table_rows(text):
    """Rows of the markdown tables in text, as lists of stripped cells (separator rows left out)."""
    return [[c.strip() for c in line.strip().strip("|").split("|")] for line in text.splitlines()
            if line.startswith("|") and not re.match(r"^\|[-:| ]+\|$", line.strip())]

tests = read("tests")
counts = [list(map(int, m)) for m in re.findall(r"Total:\s*(\d+),\s*Errors:\s*(\d+),\s*Failed:\s*(\d+),\s*Skipped:\s*(\d+)", tests)]
print("## Gpu-trait tests")
if counts:
    total, errors, failed, skipped = (sum(c[i] for c in counts) for i in range(4))
    print(f"total {total}, errors {errors}, failed {failed}, skipped {skipped} ({len(counts)} test processes)")
else:
    print("no test summary (see tests.log)")
for line in tests.splitlines():
    if "[FAIL]" in line:
        print("  " + line.strip())

bench = read("bench")
copy = re.search(r"copy bandwidth ([\d.]+) GB/s", bench)
ours = {}
for r in table_rows(bench):
    if len(r) == 9 and r[0].isdigit():
        n, fmt = int(r[0]), r[1]
        row = dict(fmt=fmt, spmv_ms=float(r[3]), spmv_gbs=float(r[4]), spmv_pct=r[5], cg_ms=float(r[6]), cg_pct=r[8])
        best = ours.setdefault(n, {})
        if "spmv_ms" not in best or row["spmv_ms"] < best["spmv_ms"]:
            best.update({k: v for k, v in row.items() if k.startswith("spmv")}, spmv_fmt=fmt)
        if "cg_ms" not in best or row["cg_ms"] < best["cg_ms"]:
            best.update({k: v for k, v in row.items() if k.startswith("cg")}, cg_fmt=fmt)

cupy_text = read("cupy")
cupy_copy = re.search(r"copy (\d+) GB/s", cupy_text)
cupy = {}
for line in cupy_text.splitlines():
    f = line.split(",")
    if len(f) == 6 and f[0].isdigit():
        cupy[int(f[0])] = dict(spmv_ms=float(f[2]), spmv_gbs=float(f[3]), cg_ms=float(f[4]))

print()
print(f"## SpMV and CG on 2D Poisson (copy bandwidth: ours {copy[1] if copy else '?'} GB/s, CuPy's {cupy_copy[1] if cupy_copy else '?'} GB/s)")
print("targets: SpMV ≥ 90% copy at n ≥ 4M; CG ≥ 85% copy at n ≥ 1M, ≤ 0.015 ms/it at 65k; CG ≥ 4x CuPy's cg per iteration")
print("| n | unknowns | SpMV ms (fmt) | SpMV % copy | CuPy SpMV ms | CG ms/it (fmt) | CG % copy | CuPy cg ms/it | CuPy / ours |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for n in sorted(set(ours) | set(cupy)):
    o, c = ours.get(n, {}), cupy.get(n, {})
    ratio = f"{c['cg_ms'] / o['cg_ms']:.2f}x" if o.get("cg_ms") and c.get("cg_ms") else "-"
    print(f"| {n} | {n * n} | {o.get('spmv_ms', '-')} ({o.get('spmv_fmt', '-')}) | {o.get('spmv_pct', '-')} | {c.get('spmv_ms', '-')} | "
          f"{o.get('cg_ms', '-')} ({o.get('cg_fmt', '-')}) | {o.get('cg_pct', '-')} | {c.get('cg_ms', '-')} | {ratio} |")

for name, title in [("conv", "Our convolutions on the GPU (target: ≤ 2x PyTorch's time)"), ("torchconv", "PyTorch's convolutions (GPU, then the device machine's CPU)"),
                    ("dcdmequivalence", "DCDM's network against PyTorch, both ways (relative 1e-5)"),
                    ("dcdm", "DCDM against CG, Jacobi-PCG, IC(0)-PCG and AMG-PCG on cuda, 2-D 256² and 3-D 64³ (targets: a 256² network pass < 0.5 ms; time to 1e-6)"), ("multigrid", "Multigrid PCG, 2D Poisson 2048² (targets: GMG < 50 ms, AMG < 100 ms solve)"),
                    ("sequences", "GCRO-DR + SKR against GMRES on cuda, 64² (30 systems)"), ("sequences128", "the same at 128², 20 systems (target ≥ 4x in time)")]:
    text = read(name)
    if text:
        print()
        print(f"## {title}")
        for line in text.splitlines():
            if line.startswith("|") or "relative difference" in line:
                print(line)
