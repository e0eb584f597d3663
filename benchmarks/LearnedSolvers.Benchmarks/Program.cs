using BenchmarkDotNet.Running;
using LearnedSolvers.Benchmarks;

// dotnet run -c Release --project benchmarks/LearnedSolvers.Benchmarks -- --filter '*'       (BenchmarkDotNet comparisons)
// dotnet run -c Release --project benchmarks/LearnedSolvers.Benchmarks -- multigrid [device] [n …]  (multigrid scaling report)
// dotnet run -c Release --project benchmarks/LearnedSolvers.Benchmarks -- sequences GRID [count] [rounds] [seed] [device]  (GCRO-DR + SKR vs GMRES)
// dotnet run -c Release --project benchmarks/LearnedSolvers.Benchmarks -- rhs [grid] [k] [rounds] [rtol]  (k right-hand sides: block SpMV, simultaneous CG)
// dotnet run -c Release --project benchmarks/LearnedSolvers.Benchmarks -- dcdm MODEL [device] [grids…]  (a trained DCDM network against CG, IC(0) and AMG)
// dotnet run -c Release --project benchmarks/LearnedSolvers.Benchmarks -- conv [device] [repeats]  (network convolutions: GFLOP/s)
// dotnet run -c Release --project benchmarks/LearnedSolvers.Benchmarks -- preconditioners DEVICE [grids=..] [variances=..] [systems=N] [poisson3d=N] [neuralpcg|precorrector|learned-fsai|dcdm=MODEL]  (the side-by-side table)
// dotnet run -c Release --project benchmarks/LearnedSolvers.Benchmarks -- graph-network [device] [grids…]  (the graph network's passes: ms)
// dotnet run -c Release --project benchmarks/LearnedSolvers.Benchmarks -- hard [DIR]  (direct backends, ILUTP-GMRES with matching/scaling, auto, per matrix)
// dotnet run -c Release --project benchmarks/LearnedSolvers.Benchmarks -- dcdm-equivalence write|check DIR [device] [dims]  (against PyTorch)
// Bad arguments end in one line and exit code 2, anything else in one line and 4 (LEARNEDSOLVERS_DEBUG=1 adds the trace),
// as the command line does: a report run from a script must not end in a stack trace.
try
{
    if (args.Length > 0 && args[0] == "multigrid")
    {
        var (device, sizes) = DeviceAndSizes(args, 1);
        MultigridScalingReport.Run(sizes is [0] ? [128, 256, 512, 1024, 2048] : sizes, device);
        return;
    }
    if (args.Length > 1 && args[0] == "sequences")
    {
        SequenceReport.Run(Int(args[1]), args.Length > 2 ? Int(args[2]) : 200, args.Length > 3 ? Int(args[3]) : 3,
            args.Length > 4 ? Int(args[4]) : 0, LearnedSolvers.Devices.Device.FromName(args.Length > 5 ? args[5] : "cpu"));
        return;
    }
    if (args.Length > 0 && args[0] == "rhs")
    {
        RightHandSidesReport.Run(args.Length > 1 ? Int(args[1]) : 1024, args.Length > 2 ? Int(args[2]) : 8,
            args.Length > 3 ? Int(args[3]) : 3, args.Length > 4 ? double.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture) : 1e-8);
        return;
    }
    if (args.Length > 1 && args[0] == "dcdm")
    {
        var (device, grids) = DeviceAndSizes(args, 2);
        DcdmReport.Run(args[1], device, grids is [0] ? [64, 128, 256] : grids);
        return;
    }
    if (args.Length > 2 && args[0] == "dcdm-equivalence")
    {
        Environment.ExitCode = DcdmEquivalence.Run(args[1], args[2], LearnedSolvers.Devices.Device.FromName(args.Length > 3 ? args[3] : "cpu"),
            args.Length > 4 ? Int(args[4]) : 2);
        return;
    }
    if (args.Length > 1 && args[0] == "preconditioners")
    {
        // preconditioners DEVICE grids=64,128 variances=0.1,1 systems=3 poisson3d=32 neuralpcg=FILE precorrector=FILE learned-fsai=FILE dcdm=FILE
        var settings = args.Skip(2).Select(a => a.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var ci = System.Globalization.CultureInfo.InvariantCulture;
        string Setting(string key, string fallback) => settings.TryGetValue(key, out var v) ? v : fallback;
        var models = new[] { "neuralpcg", "precorrector", "learned-fsai" }.Where(settings.ContainsKey).ToDictionary(k => k, k => settings[k]);
        PreconditionerTable.Run(LearnedSolvers.Devices.Device.FromName(args[1]), models, settings.GetValueOrDefault("dcdm"),
            Setting("grids", "64,128,256").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Int).ToArray(),
            Setting("variances", "0.1,0.4,1,2").Split(',').Select(v => double.Parse(v, ci)).ToArray(),
            Int(Setting("systems", "3")), Int(Setting("poisson3d", "32")));
        return;
    }
    if (args.Length > 0 && args[0] == "graph-network")
    {
        var (device, sizes) = DeviceAndSizes(args, 1);
        GraphNetworkReport.Run(device, sizes is [0] ? [64, 128, 256] : sizes, 7);
        return;
    }
    if (args.Length > 0 && args[0] == "hard")
    {
        HardMatricesReport.Run(args.Length > 1 ? args[1] : Path.Combine("tests", "data", "matrices"));
        return;
    }
    if (args.Length > 0 && args[0] == "conv")
    {
        ConvolutionReport.Run(LearnedSolvers.Devices.Device.FromName(args.Length > 1 ? args[1] : "cpu"), args.Length > 2 ? Int(args[2]) : 5);
        return;
    }
    BenchmarkSwitcher.FromAssembly(typeof(SideBySideConfig).Assembly).Run(args);
}
catch (Exception e) when (e is FormatException or OverflowException or ArgumentException or LearnedSolvers.Devices.DeviceUnavailableException or FileNotFoundException or DirectoryNotFoundException)
{
    Console.Error.WriteLine($"error: {System.Text.RegularExpressions.Regex.Replace(e.Message.Split('\n')[0].Trim(), @" \(Parameter '[^']*'\)", "")} (the arguments of each report are listed at the top of benchmarks/LearnedSolvers.Benchmarks/Program.cs)");
    Environment.ExitCode = 2;
}
catch (Exception e)
{
    Console.Error.WriteLine($"error: internal error: {e.GetType().Name}: {e.Message.Split('\n')[0].Trim()}");
    if (Environment.GetEnvironmentVariable("LEARNEDSOLVERS_DEBUG") == "1") Console.Error.WriteLine(e);
    Environment.ExitCode = 4;
}

// args[at…]: an optional device name, then grid sides; [0] when no side is given.
static (LearnedSolvers.Devices.Device Device, int[] Sizes) DeviceAndSizes(string[] args, int at)
{
    bool named = args.Length > at && !char.IsDigit(args[at][0]);
    var device = named ? LearnedSolvers.Devices.Device.FromName(args[at]) : LearnedSolvers.Devices.Device.Cpu;
    return (device, args.Skip(named ? at + 1 : at).Select(Int).DefaultIfEmpty(0).ToArray());
}

// int.Parse's message does not say which value it could not read.
static int Int(string text) => int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int value)
    ? value
    : throw new FormatException($"'{text}' is not a whole number in the range of int");
