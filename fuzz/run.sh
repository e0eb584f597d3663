#!/usr/bin/env bash
# Builds the fuzzing harness, instruments the library with SharpFuzz and runs afl-fuzz on one target.
#   fuzz/run.sh TARGET SECONDS      TARGET: matrixmarket | dataset | model
# Needs afl++ (apt-get install afl++) and the .NET SDK; installs the sharpfuzz tool into fuzz/.tools.
# Findings go to fuzz/findings/TARGET/default/{crashes,hangs}; replay them with
#   dotnet fuzz/build/TARGET/LearnedSolvers.Fuzz.dll TARGET --replay FILE...
set -euo pipefail
target=${1:?usage: fuzz/run.sh TARGET SECONDS}
seconds=${2:?usage: fuzz/run.sh TARGET SECONDS}
here=$(cd "$(dirname "$0")" && pwd)
build=$here/build/$target
findings=$here/findings/$target

if [ ! -x "$here/.tools/sharpfuzz" ]; then
  dotnet tool install --tool-path "$here/.tools" SharpFuzz.CommandLine --version 2.3.0
fi

# A fresh build each run: sharpfuzz rewrites the assemblies in place, and instrumenting twice fails.
rm -rf "$build"
dotnet publish "$here/LearnedSolvers.Fuzz/LearnedSolvers.Fuzz.csproj" -c Release -o "$build" --nologo -v quiet
"$here/.tools/sharpfuzz" "$build/LearnedSolvers.dll"
# The data-set reader hands most of the work to PureHDF; instrument it too so AFL sees its branches.
if [ "$target" = dataset ]; then "$here/.tools/sharpfuzz" "$build/PureHDF.dll"; fi

export AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_SKIP_BIN_CHECK=1
export DOTNET_TieredCompilation=0 DOTNET_CLI_TELEMETRY_OPTOUT=1
rm -rf "$findings"
mkdir -p "$findings"
# -t: per-input timeout in ms (the .NET runtime stays up between inputs, but the first one pays for start-up).
# -m none: the CLR reserves far more virtual memory than AFL's default limit allows.
afl-fuzz -V "$seconds" -i "$here/corpus/$target" -o "$findings" -t 5000 -m none \
  -- dotnet "$build/LearnedSolvers.Fuzz.dll" "$target" || true

stats=$findings/default/fuzzer_stats
if [ -f "$stats" ]; then
  grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|unique_crashes|unique_hangs) ' "$stats" || true
fi
echo "crash inputs: $(ls "$findings/default/crashes" 2>/dev/null | grep -vc README || true)"
echo "hang inputs:  $(ls "$findings/default/hangs" 2>/dev/null | wc -l)"
