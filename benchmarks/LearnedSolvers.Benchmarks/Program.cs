using BenchmarkDotNet.Running;
using LearnedSolvers.Benchmarks;

// dotnet run -c Release --project benchmarks/LearnedSolvers.Benchmarks -- --filter '*'       (BenchmarkDotNet comparisons)
// dotnet run -c Release --project benchmarks/LearnedSolvers.Benchmarks -- multigrid [n …]  (multigrid scaling report)
if (args.Length > 0 && args[0] == "multigrid")
{
    var sizes = args.Skip(1).Select(int.Parse).DefaultIfEmpty(0).ToArray();
    MultigridScalingReport.Run(sizes is [0] ? [128, 256, 512, 1024, 2048] : sizes);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(SideBySideConfig).Assembly).Run(args);
