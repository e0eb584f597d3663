#!/usr/bin/env bash
# The one device call: on the lent GPU machine, from the repository root, after benchmarks/gpu/bundle.sh here
# (device tool: carry [".device"], command `bash benchmarks/gpu/run.sh`, timeout_s 560). In about 8 minutes it runs
#   1. the Gpu-trait tests (the test matrices carried in .device/matrices),
#   2. `bench gpu` (copy bandwidth, SpMV, device-resident CG) at n = 256², 1024², 2048², 4096²,
#   3. CuPy's SpMV and cg on the same matrices (../shared/tools/cupy_peer.py), in the same call,
#   4. GMG-PCG and AMG-PCG on 2D Poisson 2048² (`multigrid cuda 2048`),
#   5. the network library: our convolutions (`conv cuda`) beside PyTorch's (torch_conv.py, GPU and CPU), and DCDM's
#      network against PyTorch both ways (dcdm-equivalence write, dcdm_torch_equivalence.py, dcdm-equivalence check),
#      and DCDM's solves against CG, Jacobi-PCG, IC(0)-PCG and AMG-PCG at 2-D 256² and 3-D 64³ (`dcdm MODEL cuda N`),
#   6. the graph network's passes at 256² and 512² (`graph-network cuda`), and the learned preconditioners beside Jacobi, IC(0), FSAI and AMG on ConDiff 256² (variance 1; models in
#      benchmarks/models, inference on the GPU included in the setup),
#   7. GCRO-DR + SKR against GMRES on cuda at 64² (`sequences 64 30 1 0 cuda`: GMRES's baseline dominates the time)
#      and 128² (`sequences 128 20 1 0 cuda`; GPU_SEQUENCES_128=0 leaves it out),
# each under its own time budget, and prints a summary table last; $OUT receives summary.md and logs.tar.gz (each
# stage's full log).
# Exit codes: 0 all stages ran and the tests passed; 1 a stage failed or ran out of time; 2 no CUDA device found;
# 3 no bundle in .device/.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
out=${OUT:-$(mktemp -d)}
logs=$(mktemp -d)   # stage logs; $OUT gets summary.md and logs.tar.gz (the device tool returns at most 8 files)
mkdir -p "$out"

if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L 2>/dev/null | grep -q '^GPU '; then
    echo "run.sh: no CUDA device found (nvidia-smi lists no GPU); this script measures on an NVIDIA GPU only" >&2
    exit 2
fi
if [ ! -x .device/run ]; then
    echo "run.sh: no bundle in .device/; run benchmarks/gpu/bundle.sh on the build machine and carry .device" >&2
    exit 3
fi

start=$(date +%s)
deadline=$((start + ${GPU_RUN_SECONDS:-470}))
status=0
declare -a summary=()

# stage NAME BUDGET_SECONDS COMMAND...: runs under the smaller of its budget and the time left; logs to $logs/NAME.log.
stage() {
    local name=$1 budget=$2; shift 2
    local left=$((deadline - $(date +%s)))
    [ "$budget" -gt "$left" ] && budget=$left
    if [ "$budget" -lt 10 ]; then
        summary+=("| $name | skipped: no time left | |"); status=1; return
    fi
    echo "== $name (budget ${budget}s): $*"
    local t0=$(date +%s) rc
    timeout --kill-after=5 "$budget" "$@" 2>&1 | tee "$logs/$name.log"
    rc=${PIPESTATUS[0]}
    local took=$(($(date +%s) - t0))
    case $rc in
        0) summary+=("| $name | ok | ${took}s |") ;;
        124|137) summary+=("| $name | TIMED OUT after ${budget}s | ${took}s |"); status=1 ;;
        *) summary+=("| $name | FAILED (exit $rc) | ${took}s |"); status=1 ;;
    esac
}

{
    echo "commit $(cat .device/commit 2>/dev/null || echo unknown), $(date -u +%Y-%m-%dT%H:%MZ)"
    nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm --format=csv
} 2>&1 | tee "$logs/machine.log"

sizes=${GPU_SIZES:-256,1024,2048,4096}
stage tests 200 bash benchmarks/gpu/tests.sh
[ "${GPU_TESTS_ONLY:-0}" = 1 ] && deadline=0
stage bench 90 bash .device/run LearnedSolvers.Cli bench gpu --device cuda --sizes "$sizes"
PYTHONUNBUFFERED=1 stage cupy 60 python3 .device/cupy_peer.py --sizes "$sizes"
stage multigrid 75 bash .device/run LearnedSolvers.Benchmarks multigrid cuda 2048
stage conv 60 bash .device/run LearnedSolvers.Benchmarks conv cuda 20
PYTHONUNBUFFERED=1 stage torchconv 60 python3 benchmarks/gpu/torch_conv.py --devices cuda,cpu --repeats 20
stage dcdmequivalence 60 bash -c "bash .device/run LearnedSolvers.Benchmarks dcdm-equivalence write /tmp/dcdm cuda && python3 benchmarks/gpu/dcdm_torch_equivalence.py /tmp/dcdm && bash .device/run LearnedSolvers.Benchmarks dcdm-equivalence check /tmp/dcdm cuda"
models=benchmarks/models
# DCDM on the device: the shipped 2-D model (trained on Poisson 64²) at 256², the 3-D model (trained on Poisson 16³) at 64³.
stage dcdm 90 bash -c "bash .device/run LearnedSolvers.Benchmarks dcdm src/LearnedSolvers.Cli/Models/dcdm-poisson-64.safetensors cuda 256 &&
    bash .device/run LearnedSolvers.Benchmarks dcdm $models/dcdm-poisson3d-16.safetensors cuda 64"
stage graphnetwork 40 bash .device/run LearnedSolvers.Benchmarks graph-network cuda 256 512
stage preconditioners 90 bash .device/run LearnedSolvers.Benchmarks preconditioners cuda grids=256 variances=1 systems=2 poisson3d=0 \
    "precorrector=$models/precorrector-small-64.safetensors" "neuralpcg=$models/neuralpcg-small-64.safetensors" \
    "learned-fsai=$models/learned-fsai-diffusion-64.safetensors"
# IC(0)-PCG with the factor in double and in single precision (level-scheduled solves: bandwidth-bound on the GPU).
stage precision 60 bash -c 'bash .device/run LearnedSolvers.Cli generate --problem poisson2d --n 512 --out /tmp/p512.mtx > /dev/null &&
    for p in double single double single; do bash .device/run LearnedSolvers.Cli solve --matrix /tmp/p512.mtx --method pcg --precond ic0 --precision $p --device cuda --json; echo; done'
stage sequences 70 bash .device/run LearnedSolvers.Benchmarks sequences 64 "${GPU_SEQUENCES_COUNT:-30}" 1 0 cuda
[ "${GPU_SEQUENCES_128:-1}" = 1 ] && stage sequences128 160 bash .device/run LearnedSolvers.Benchmarks sequences 128 20 1 0 cuda

python3 "$root/benchmarks/gpu/summary.py" "$logs" 2>&1 | tee "$out/summary.md"
{
    echo
    echo "| stage | result | wall |"
    echo "|---|---|---:|"
    printf '%s\n' "${summary[@]}"
    echo "total $(($(date +%s) - start))s; logs in $out/logs.tar.gz"
} | tee -a "$out/summary.md"
tar -czf "$out/logs.tar.gz" -C "$logs" .
exit $status
