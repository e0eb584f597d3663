using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace LearnedSolvers.Benchmarks;

/// <summary>
/// Every comparison runs its contenders in one process, one after the other, and reports the ratio to the
/// baseline: the ratios are the result, absolute times only describe this machine.
/// </summary>
public sealed class SideBySideConfig : ManualConfig
{
    public SideBySideConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(10));
        AddColumn(StatisticColumn.Min, BaselineRatioColumn.RatioMean);
        Options |= ConfigOptions.DisableOptimizationsValidator;
    }
}
