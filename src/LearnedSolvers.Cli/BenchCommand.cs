using System.CommandLine;
using System.Globalization;

namespace LearnedSolvers.Cli;

/// <summary>`learnedsolvers bench gpu`: copy bandwidth, then SpMV and CG throughput on 2D Poisson, in one run.</summary>
internal static class BenchCommand
{
    public static Command Create(TextWriter output)
    {
        var sizes = new Option<string>("--sizes") { DefaultValueFactory = _ => "256,1024,2048,4096", Description = "grid sides n of the n x n Poisson problems (65k, 1M, 4M, 16M unknowns by default)" };
        var device = new Option<string>("--device") { DefaultValueFactory = _ => "cuda", Description = "cuda|ilgpu-cpu|cpu|auto" };
        var repeats = new Option<int>("--repeats") { DefaultValueFactory = _ => 20, Description = "operations per timed batch" };
        var iterations = new Option<int>("--iterations") { DefaultValueFactory = _ => 200, Description = "CG iterations timed per size" };
        var gpu = new Command("gpu", "Measure copy bandwidth, SpMV and CG iteration throughput on a device") { sizes, device, repeats, iterations };
        gpu.SetAction(p =>
        {
            var grids = ParseSizes(p.GetValue(sizes)!);
            int r = p.GetValue(repeats), its = p.GetValue(iterations);
            if (r < 1) throw new UsageException($"--repeats must be at least 1 (got {r})");
            if (its < 1) throw new UsageException($"--iterations must be at least 1 (got {its})");
            // The copy test's two buffers and the largest problem (CSR, five vectors) must fit before the first is allocated.
            long side = grids.Max();
            OptionChecks.Grid("--sizes", (int)side, dimensions: 2, min: 2);
            OptionChecks.Fits(16.0 * Math.Min(int.MaxValue / 2, Math.Max(1L << 20, 4 * side * side)), $"--sizes {side}: the copy test");
            var dev = SolveCommand.DeviceFromName(p.GetValue(device)!);
            int copyLength = (int)Math.Min(int.MaxValue / 2, Math.Max(1L << 20, 4L * grids.Max() * grids.Max()));
            double copy = DeviceThroughput.CopyBandwidth(dev, copyLength, r);
            var c = CultureInfo.InvariantCulture;
            output.WriteLine(string.Create(c, $"device {dev.Name}; copy bandwidth {copy:F1} GB/s (Device.Copy of {copyLength * 8.0 / 1e6:F0} MB, read + write counted)"));
            var (queued, roundTrip) = DeviceThroughput.LaunchCost(dev);
            output.WriteLine(string.Create(c, $"launch: {queued:F1} µs per kernel queued back to back, {roundTrip:F1} µs launched and waited for"));
            output.WriteLine("bytes counted (CSR, for both formats): SpMV 12 nnz + 4 (n+1) + 16 n; CG iteration 12 nnz + 84 n + 4 (2 kernels: the product forms p and pᵀAp, the update x, r and ‖r‖²); CG keeps its scalars on the device, read every 10 iterations");
            output.WriteLine();
            output.WriteLine("|      n | format | unknowns | SpMV ms | SpMV GB/s | % copy | CG ms/it | CG GB/s | % copy |");
            output.WriteLine("|-------:|:-------|---------:|--------:|----------:|-------:|---------:|--------:|-------:|");
            foreach (int n in grids)
            {
                foreach (string format in DeviceThroughput.Formats(dev))
                {
                    var row = DeviceThroughput.Measure(dev, n, format, r, its, copy);
                    output.WriteLine(string.Create(c, $"| {n,6} | {format,-6} | {row.Unknowns,8} | {row.SpmvMs,7:F3} | {row.SpmvGBs,9:F1} | {row.SpmvPercent,5:F0}% | {row.CgMs,8:F3} | {row.CgGBs,7:F1} | {row.CgPercent,5:F0}% |"));
                }
            }
            return ExitCodes.Success;
        });
        return new Command("bench", "Device benchmarks") { gpu };
    }

    private static int[] ParseSizes(string text)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0) throw new UsageException("--sizes needs at least one grid side");
        return parts.Select(s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= 2
            ? n
            : throw new UsageException($"--sizes: '{s}' is not a whole number ≥ 2")).ToArray();
    }
}
