#!/usr/bin/env bash
# The issue's PyTorch checks on the CPU, from the repository root after `dotnet build -c Release`
# (needs python3-torch from Debian; the safetensors package is used when installed, else safetensors_compat.py):
#   1. convolutions: ours beside PyTorch's (torch.set_num_threads(THREADS)), CONV_ROUNDS alternating rounds;
#   2. DCDM both ways, 2-D ([2, 1, 64, 64]) and 3-D ([1, 1, 32, 32, 32]): outputs (relative 1e-5) and the DCDM loss's
#      parameter gradients (relative 1e-4 per parameter), ours -> PyTorch and PyTorch -> ours;
#   3. safetensors: our model file echoed through the Python writer (bytes compared), the Python writer's fixed file read by ours.
# Exit code 1 when a comparison fails.
set -uo pipefail
cd "$(dirname "$0")/../.."
py=${PYTHON:-/usr/bin/python3}
bench="dotnet benchmarks/LearnedSolvers.Benchmarks/bin/Release/net10.0/LearnedSolvers.Benchmarks.dll"
dir=${DCDM_DIR:-$(mktemp -d)}
status=0
echo "# $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $($py -c 'import torch; print("PyTorch", torch.__version__)'); commit $(git rev-parse --short HEAD 2>/dev/null)"
[ "${SKIP_CONV:-0}" = 1 ] || $py benchmarks/torch/conv_side_by_side.py --rounds "${CONV_ROUNDS:-5}" --repeats "${CONV_REPEATS:-10}" --threads "${THREADS:-2}" || status=1
for dims in 2 3; do
    echo "## DCDM ${dims}-D, files in $dir/$dims"
    $bench dcdm-equivalence write "$dir/$dims" cpu $dims || status=1
    $py benchmarks/gpu/dcdm_torch_equivalence.py "$dir/$dims" --device cpu || status=1
    $py benchmarks/gpu/safetensors_check.py "$dir/$dims/ours.safetensors" "$dir/$dims" || status=1
    $bench dcdm-equivalence check "$dir/$dims" cpu $dims || status=1
done
echo "cpu_checks.sh: $([ $status = 0 ] && echo 'all comparisons hold' || echo 'A COMPARISON FAILED')"
exit $status
