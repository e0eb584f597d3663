#!/usr/bin/env bash
# The Gpu-trait tests on the device machine (called by run.sh, after .device/run has unpacked the bundle): each test
# class in a process of its own, its tests one after another, kernel launches synchronous. A kernel that faults
# leaves a sticky error in its CUDA context; this way it fails its own class only, and the stack names the kernel.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bash "$root/.device/run" LearnedSolvers.Tests -list classes -trait Category=Gpu -noColor >/tmp/gpu-classes || exit 1
rc=0
for class in $(grep '^LearnedSolvers' /tmp/gpu-classes); do
    echo "-- $class"
    CUDA_LAUNCH_BLOCKING=1 LEARNEDSOLVERS_MATRICES=$root/.device/matrices DOTNET_ROOT=/tmp/gb/dotnet /tmp/gb/dotnet/dotnet \
        /tmp/gb/apps/LearnedSolvers.Tests/LearnedSolvers.Tests.dll -class "$class" -trait Category=Gpu -parallel none -noColor || rc=1
done
exit $rc
