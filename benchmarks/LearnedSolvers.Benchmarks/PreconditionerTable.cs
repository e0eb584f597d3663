using System.Diagnostics;
using System.Globalization;
using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Learned.Dcdm;
using LearnedSolvers.Preconditioners.Factories;
using LearnedSolvers.Problems;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Benchmarks;

/// <summary>
/// The side-by-side table of the learned preconditioners: ConDiff-style diffusion systems (grids × contrast bands, unseen
/// seeds) and 3-D Poisson, each solved by PCG to 1e-8 with Jacobi, IC(0), FSAI, AMG, the learned factors whose model
/// files are given, and DCDM (2-D, when a model is given): setup (inference included), iterations, time to solution.
/// Means over the systems of each row.
/// </summary>
internal static class PreconditionerTable
{
    public static void Run(Device device, IReadOnlyDictionary<string, string> models, string? dcdmModel, int[] grids, double[] variances, int systems, int poisson3d)
    {
        var c = CultureInfo.InvariantCulture;
        var methods = new List<string> { "jacobi", "ic0", "fsai", "amg" };
        methods.AddRange(models.Keys);
        using var factories = new FactorySet(methods, models);
        DcdmNetwork? dcdm = dcdmModel is null ? null : DcdmModelFile.Load(dcdmModel, device).Network;
        Console.WriteLine($"PCG to 1e-8 on {device.Name}; means over {systems} unseen systems per row after one untimed warm-up solve; setup includes inference; total = setup + solve");
        Console.WriteLine("| problem | n | method | setup ms | iterations | solve ms | total ms |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (int grid in grids)
            foreach (double variance in variances)
            {
                var list = Enumerable.Range(0, systems).Select(s => Diffusion.Generate(DiffusionOptions.ConDiff(grid, variance, seed: 700_000 + s))).ToList();
                Rows($"diffusion var {variance.ToString(c)}", grid, list, methods, factories, dcdm, device);
            }
        if (poisson3d > 0)
        {
            var p = Poisson.ThreeD(poisson3d);
            var list = ParametricFamily.RightHandSides(p, systems, 77).ToList();
            Rows("Poisson 3-D", poisson3d, list, methods, factories, null, device);
        }
        dcdm?.Dispose();
    }

    private static void Rows(string problem, int grid, List<LinearSystem> systems, List<string> methods, FactorySet factories, DcdmNetwork? dcdm, Device device)
    {
        var c = CultureInfo.InvariantCulture;
        foreach (var method in methods)
        {
            double setup = 0, solve = 0, iterations = 0;
            int failures = 0;
            Solve(device, systems[0], factories.Get(method)); // warm: JIT and the per-size workspaces are not what a sequence of systems pays
            foreach (var system in systems)
            {
                var (s, t, its, ok) = Solve(device, system, factories.Get(method));
                setup += s;
                solve += t;
                iterations += its;
                if (!ok) failures++;
            }
            int k = systems.Count;
            Console.WriteLine(string.Create(c, $"| {problem} | {grid} | {method} | {1e3 * setup / k:F1} | {iterations / k:F0}{(failures > 0 ? $" ({failures} not converged)" : "")} | {1e3 * solve / k:F1} | {1e3 * (setup + solve) / k:F1} |"));
        }
        if (dcdm is not null && systems[0].Dimension == 2)
        {
            double solve = 0, iterations = 0;
            int failures = 0;
            foreach (var system in systems)
            {
                using var a = device.Upload(system.Matrix);
                using var b = device.Upload(system.RightHandSide);
                using var x = device.Allocate(system.Size);
                using var directions = new NetworkDirection(dcdm, new Shape(system.GridSize, system.GridSize));
                using var solver = new DeepConjugateDirections(a, directions, null, new SolverOptions(RelativeTolerance: 1e-8, MaxIterations: 5000));
                var clock = Stopwatch.StartNew();
                var result = solver.Solve(b, x);
                solve += clock.Elapsed.TotalSeconds;
                iterations += result.Iterations;
                if (!result.Converged) failures++;
            }
            int k = systems.Count;
            Console.WriteLine(string.Create(c, $"| {problem} | {grid} | dcdm | 0 | {iterations / k:F0}{(failures > 0 ? $" ({failures} not converged)" : "")} | {1e3 * solve / k:F1} | {1e3 * solve / k:F1} |"));
        }
    }

    private static (double Setup, double Solve, int Iterations, bool Converged) Solve(Device device, LinearSystem system, IPreconditionerFactory factory)
    {
        using var a = device.Upload(system.Matrix);
        using var b = device.Upload(system.RightHandSide);
        using var x = device.Allocate(system.Size);
        var clock = Stopwatch.StartNew();
        var m = factory.Create(a);
        double setup = clock.Elapsed.TotalSeconds;
        try
        {
            using var cg = new ConjugateGradient(a, m, new SolverOptions(RelativeTolerance: 1e-8, MaxIterations: 20_000));
            clock.Restart();
            var result = cg.Solve(b, x);
            return (setup, clock.Elapsed.TotalSeconds, result.Iterations, result.Converged);
        }
        finally
        {
            (m as IDisposable)?.Dispose();
        }
    }

    /// <summary>The factories by name, learned ones reading their model files; disposes what holds device memory.</summary>
    private sealed class FactorySet(List<string> names, IReadOnlyDictionary<string, string> models) : IDisposable
    {
        private readonly Dictionary<string, IPreconditionerFactory> _factories = names.ToDictionary(n => n,
            n => PreconditionerRegistry.Get(n, models.TryGetValue(n, out var path) ? new Dictionary<string, string> { ["model"] = path } : null));

        public IPreconditionerFactory Get(string name) => _factories[name];

        public void Dispose()
        {
            foreach (var f in _factories.Values) (f as IDisposable)?.Dispose();
        }
    }
}
