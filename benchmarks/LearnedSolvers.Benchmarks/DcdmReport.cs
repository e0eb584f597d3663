using System.Diagnostics;
using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Learned.Dcdm;
using LearnedSolvers.Preconditioners.Factories;
using LearnedSolvers.Problems;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Benchmarks;

/// <summary>
/// `-- dcdm MODEL [device] [grids…]`: a trained DCDM network against CG, IC(0)-PCG and AMG-PCG on unseen systems: 2D
/// Poisson with random right-hand sides and ConDiff-style diffusion with new coefficient fields (contrast bands), at
/// each grid side; iterations and time to a relative residual of 1e-6 (and DCDM at 1e-8), true residuals, fallbacks.
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
                var poisson = Poisson.TwoD(n);
                var b = Enumerable.Range(0, poisson.Size).Select(_ => random.NextDouble() - 0.5).ToArray();
                Rows("Poisson, random b", poisson.Matrix, b, n, network, device);
                foreach (double contrast in new[] { 10.0, 1e3 })
                {
                    var diffusion = Diffusion.Generate(new DiffusionOptions { GridSize = n, TargetContrast = contrast, Seed = 1000 + n });
                    Rows($"diffusion, contrast {contrast:G3}", diffusion.Matrix, diffusion.RightHandSide, n, network, device);
                }
            }
        }
    }

    private static void Rows(string label, CsrMatrix a, double[] b, int n, DcdmNetwork network, Device device)
    {
        using var da = device.Upload(a);
        using var db = device.Upload(b);
        var strict = new SolverOptions(RelativeTolerance: 1e-6, MaxIterations: 20_000);
        Row(label, n, "CG", strict, da, db, o => new ConjugateGradient(da, null, o));
        var ic = PreconditionerFactories.Ic0();
        if (ic.Supports(device))
        {
            var m = ic.Create(da);
            Row(label, n, "IC(0)-PCG", strict, da, db, o => new ConjugateGradient(da, m, o));
            (m as IDisposable)?.Dispose();
        }
        var amg = PreconditionerFactories.Amg().Create(da);
        Row(label, n, "AMG-PCG", strict, da, db, o => new ConjugateGradient(da, amg, o));
        (amg as IDisposable)?.Dispose();
        using var directions = new NetworkDirection(network, new Shape(n, n));
        foreach (double rtol in new[] { 1e-6, 1e-8 })
            Row(label, n, "DCDM", strict with { RelativeTolerance = rtol }, da, db, o => new DeepConjugateDirections(da, directions, null, o));
    }

    private static void Row(string label, int n, string method, SolverOptions options, DeviceCsrMatrix a, DeviceVector b, Func<SolverOptions, KrylovSolver> create)
    {
        using var x = a.Device.Allocate(a.Rows);
        using var solver = create(options);
        var clock = Stopwatch.StartNew();
        var result = solver.Solve(b, x);
        double seconds = clock.Elapsed.TotalSeconds;
        string note = result.Converged ? (result.Message.Length > 0 ? result.Message : "") : result.Reason.ToString();
        Console.WriteLine($"| {label} | {n} | {method} | {options.RelativeTolerance:G1} | {result.Iterations} | {seconds:F3} | {result.RelativeResidual:E1} | {note} |");
    }
}
