using System.Diagnostics;
using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Problems;

namespace LearnedSolvers.Cli;

/// <summary>One row of `bench gpu`: SpMV and CG iteration on 2D Poisson against the device's copy bandwidth.</summary>
internal sealed record ThroughputRow(int GridSize, string Format, int Unknowns, long NonZeros, double SpmvMs, double SpmvGBs, double CgMs, double CgGBs, double CopyGBs)
{
    public double SpmvPercent => 100 * SpmvGBs / CopyGBs;
    public double CgPercent => 100 * CgGBs / CopyGBs;
}

/// <summary>
/// Measures a device's copy bandwidth, then SpMV and CG iterations on 2D Poisson, in one run. Bytes counted (not
/// measured): SpMV 12·nnz + 4(n+1) + 16n (values and column indices, row pointers, x read once, y written); a CG
/// iteration 12·nnz + 84n + 4 (the product forms p = z + βp itself and pᵀq: A, its row pointers, z and p read, p and
/// q written; then the x/r update with ‖r‖²: p, q, x, r read, x and r written). A copy of m doubles moves 16m bytes.
/// Every timing ends with <see cref="Device.Synchronize"/>.
/// </summary>
internal static class DeviceThroughput
{
    /// <summary>GB/s of <see cref="Device.Copy"/> on vectors of <paramref name="length"/> doubles (best of five batches).</summary>
    public static double CopyBandwidth(Device device, int length, int repeats)
    {
        using var a = device.Allocate(length);
        using var b = device.Allocate(length);
        device.Fill(a, 1);
        double best = Best(device, repeats, () => device.Copy(a, b));
        return 16.0 * length / best / 1e9;
    }

    /// <summary>
    /// Microseconds per launch of a one-element kernel: queued back to back (the host's launch cost, or the device's
    /// where that is larger), and each waited for (launch and synchronization round trip).
    /// </summary>
    public static (double Queued, double RoundTrip) LaunchCost(Device device)
    {
        using var tiny = device.Allocate(1);
        device.Scale(1, tiny);
        device.Synchronize();
        const int queued = 2000, waited = 200;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < queued; i++) device.Scale(1, tiny);
        device.Synchronize();
        double perQueued = clock.Elapsed.TotalMicroseconds / queued;
        clock.Restart();
        for (int i = 0; i < waited; i++)
        {
            device.Scale(1, tiny);
            device.Synchronize();
        }
        return (perQueued, clock.Elapsed.TotalMicroseconds / waited);
    }

    /// <summary>The formats a device offers: CSR everywhere, sliced ELL on ILGPU devices.</summary>
    public static IReadOnlyList<string> Formats(Device device) => device is Devices.Ilgpu.IlgpuDevice ? ["csr", "sell"] : ["csr"];

    public static ThroughputRow Measure(Device device, int gridSize, string format, int repeats, int cgIterations, double copyGBs)
    {
        var system = Poisson.TwoD(gridSize);
        var a = system.Matrix;
        int n = a.Rows;
        // Bytes are counted for CSR in both formats: SELL's padding on a stencil is a few per cent.
        using var matrix = format == "sell" ? ((Devices.Ilgpu.IlgpuDevice)device).UploadSlicedEll(a) : device.Upload(a);
        using var x = device.Upload(system.RightHandSide);
        using var y = device.Allocate(n);
        double spmv = Best(device, repeats, () => matrix.Apply(x, y));
        long spmvBytes = 12L * a.NonZeros + 4L * (n + 1) + 16L * n;

        var options = new SolverOptions(RelativeTolerance: 1e-300, AbsoluteTolerance: 1e-300, MaxIterations: cgIterations, RecordHistory: false);
        using var cg = KrylovSolvers.Create(KrylovMethod.Cg, matrix, options: options); // device-resident scalars off the CPU
        using var b = device.Upload(system.RightHandSide);
        using var solution = device.Allocate(n);
        cg.Solve(b, solution); // warm-up: kernels compiled, buffers sized
        device.Fill(solution, 0);
        device.Synchronize();
        var clock = Stopwatch.StartNew();
        var result = cg.Solve(b, solution);
        device.Synchronize();
        // The solve also computes an initial and a final true residual: two SpMVs charged to the iterations (conservative).
        double perIteration = clock.Elapsed.TotalSeconds / Math.Max(1, result.Iterations);
        long cgBytes = 12L * a.NonZeros + 84L * n + 4;
        return new ThroughputRow(gridSize, format, n, a.NonZeros, spmv * 1e3, spmvBytes / spmv / 1e9, perIteration * 1e3, cgBytes / perIteration / 1e9, copyGBs);
    }

    /// <summary>Seconds per call: the best of five batches of <paramref name="repeats"/> calls, after one warm-up call.</summary>
    private static double Best(Device device, int repeats, Action action)
    {
        action();
        device.Synchronize();
        double best = double.PositiveInfinity;
        for (int batch = 0; batch < 5; batch++)
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < repeats; i++) action();
            device.Synchronize();
            best = Math.Min(best, clock.Elapsed.TotalSeconds / repeats);
        }
        return best;
    }
}
