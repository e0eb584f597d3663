using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/LearnedSolvers.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(LearnedSolvers.Benchmarks.SideBySideConfig).Assembly).Run(args);
