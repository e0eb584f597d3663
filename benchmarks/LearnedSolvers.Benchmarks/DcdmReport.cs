using System.Diagnostics;
using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Learned.Dcdm;
using LearnedSolvers.Preconditioners.Factories;
using LearnedSolvers.Problems;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Benchmarks;

/// <summary>
/// `-- dcdm MODEL [device] [grids…]`: a trained DCDM network against CG, Jacobi-PCG, IC(0)-PCG and AMG-PCG on unseen systems: 2D
/// Poisson with random right-hand sides and ConDiff-style diffusion with new coefficient fields (contrast bands), or
/// for a 3-D network 3D Poisson with random and constant sources, at each grid side; iterations and time to a relative
/// residual of 1e-6 (and DCDM at 1e-8), true residuals, fallbacks, and the time of one network pass.
/// </summary>
public static class DcdmReport
{
    public static void Run(string modelPath, Device device, IReadOnlyList<int> grids)
    {
        var (network, metadata) = DcdmModelFile.Load(modelPath, device);
        using (network)
        {
            Console.WriteLine($"# DCDM model {modelPath} ({network.SpatialDimensions}-D, {network.ParameterCount:N0} parameters; trained on {metadata.GetValueOrDefault("problem", "?")}, grid {metadata.GetValueOrDefault("grid", "?")}), device {device.Name}, {DateTime.UtcNow:yyyy-MM-dd}");
            Console.WriteLine("| system | n | method | rtol | iterations | time s | true residual | note |");
            Console.WriteLine("|---|---:|---|---:|---:|---:|---:|---|");
            foreach (int n in grids)
            {
                var random = new Random(n);
                if (network.SpatialDimensions == 3)
                {
                    // No 3-D coefficient-field generator: Poisson with a random right-hand side and with f = 1.
                    var poisson3 = Poisson.ThreeD(n);
                    var grid3 = new Shape(n, n, n);
                    Rows("3-D Poisson, random b", poisson3.Matrix, RandomVector(random, poisson3.Size), grid3, network, device);
                    Rows("3-D Poisson, f = 1", poisson3.Matrix, poisson3.RightHandSide, grid3, network, device);
                    continue;
                }
                var poisson = Poisson.TwoD(n);
                var grid = new Shape(n, n);
                Rows("Poisson, random b", poisson.Matrix, RandomVector(random, poisson.Size), grid, network, device);
                foreach (double contrast in new[] { 10.0, 1e3 })
                {
                    var diffusion = Diffusion.Generate(new DiffusionOptions { GridSize = n, TargetContrast = contrast, Seed = 1000 + n });
                    Rows($"diffusion, contrast {contrast:G3}", diffusion.Matrix, diffusion.RightHandSide, grid, network, device);
                }
            }
        }
    }

    /// <summary>The grid as the table's n column shows it: 64×64, 32×32×32.</summary>
    private static string Sides(Shape grid) => string.Join("×", grid.ToArray());

    private static double[] RandomVector(Random random, int length) => Enumerable.Range(0, length).Select(_ => random.NextDouble() - 0.5).ToArray();

    private static void Rows(string label, CsrMatrix a, double[] b, Shape grid, DcdmNetwork network, Device device)
    {
        using var da = device.Upload(a);
        using var db = device.Upload(b);
        var strict = new SolverOptions(RelativeTolerance: 1e-6, MaxIterations: 20_000);
        Row(label, grid, "CG", strict, da, db, o => new ConjugateGradient(da, null, o));
        using (var jacobi = PreconditionerFactories.Jacobi().Create(da))
            Row(label, grid, "Jacobi-PCG", strict, da, db, o => new ConjugateGradient(da, jacobi, o));
        var ic = PreconditionerFactories.Ic0();
        if (ic.Supports(device))
        {
            var m = ic.Create(da);
            Row(label, grid, "IC(0)-PCG", strict, da, db, o => new ConjugateGradient(da, m, o));
            (m as IDisposable)?.Dispose();
        }
        var amg = PreconditionerFactories.Amg().Create(da);
        Row(label, grid, "AMG-PCG", strict, da, db, o => new ConjugateGradient(da, amg, o));
        (amg as IDisposable)?.Dispose();
        using var directions = new NetworkDirection(network, grid);
        ForwardRow(label, grid, network, device);
        foreach (double rtol in new[] { 1e-6, 1e-8 })
            Row(label, grid, "DCDM", strict with { RelativeTolerance = rtol }, da, db, o => new DeepConjugateDirections(da, directions, null, o));
    }

    /// <summary>One network pass on a single right-hand side of the grid: median of 20 after 3 warm-up passes, the device synchronized.</summary>
    private static void ForwardRow(string label, Shape grid, DcdmNetwork network, Device device)
    {
        var random = new Random(1);
        using var input = device.Upload<float>(RandomVector(random, grid.Length).Select(v => (float)v).ToArray(), new Shape([1, 1, .. grid.ToArray()]));
        for (int i = 0; i < 3; i++) network.Forward(input);
        device.Synchronize();
        var times = new double[20];
        for (int i = 0; i < times.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            network.Forward(input);
            device.Synchronize();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(times);
        Console.WriteLine($"| {label} | {Sides(grid)} | network pass (ms, median of 20) | | | {times[times.Length / 2]:F3} | | best {times[0]:F3} ms |");
    }

    private static void Row(string label, Shape grid, string method, SolverOptions options, DeviceCsrMatrix a, DeviceVector b, Func<SolverOptions, KrylovSolver> create)
    {
        using var x = a.Device.Allocate(a.Rows);
        using var solver = create(options);
        var clock = Stopwatch.StartNew();
        var result = solver.Solve(b, x);
        double seconds = clock.Elapsed.TotalSeconds;
        string note = result.Converged ? (result.Message.Length > 0 ? result.Message : "") : result.Reason.ToString();
        Console.WriteLine($"| {label} | {Sides(grid)} | {method} | {options.RelativeTolerance:G1} | {result.Iterations} | {seconds:F3} | {result.RelativeResidual:E1} | {note} |");
    }
}
