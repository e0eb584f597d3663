#!/usr/bin/env bash
# Prepares the one device call of benchmarks/gpu/run.sh, on the build machine, from the repository root:
#   benchmarks/gpu/bundle.sh
# Packs the .NET runtime, the test, CLI and benchmark programs (../shared/tools/gpu-bundle), the test matrices
# (tests/data/matrices) and the CuPy peer script into .device/ (git-ignored). Then call the device tool with carry [".device"] and
#   bash benchmarks/gpu/run.sh
set -euo pipefail
root=$(git rev-parse --show-toplevel)
cd "$root"
shared=${LEARNEDSOLVERS_SHARED:-$root/../shared}
[ -x "$shared/tools/gpu-bundle" ] || { echo "bundle.sh: $shared/tools/gpu-bundle not found (set LEARNEDSOLVERS_SHARED)" >&2; exit 2; }
"$shared/tools/gpu-bundle" tests/LearnedSolvers.Tests/LearnedSolvers.Tests.csproj src/LearnedSolvers.Cli/LearnedSolvers.Cli.csproj \
    benchmarks/LearnedSolvers.Benchmarks/LearnedSolvers.Benchmarks.csproj
rm -rf .device/matrices && cp -r tests/data/matrices .device/matrices && chmod -R u+w .device/matrices
cp "$shared/tools/cupy_peer.py" .device/cupy_peer.py
git rev-parse --short HEAD > .device/commit
du -sh .device | sed 's/\t.*/ in .device (64 MiB travel limit)/'
