using System.Diagnostics;
using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Problems;
using LearnedSolvers.Sequences;

namespace LearnedSolvers.Benchmarks;

/// <summary>
/// `-- sequences GRID [count] [rounds] [seed] [device]`: recycling against restarting, on a ConDiff-style diffusion family (the CLI's
/// `dataset --problem diffusion` defaults: seed 0, perturbation 0.3, no preconditioner, rtol 1e-8): GMRES(40) on each
/// system from zero in the natural order against GCRO-DR(40, 15) with SKR ordering (SequenceSolverOptions' defaults m, k),
/// the breakdown (ordering alone, recycling alone) and GCRO-DR + SKR with a warm start. The runs alternate for
/// <c>rounds</c> rounds and the least time of each counts (this VM's timings vary by ±20%); matrix-vector products are
/// exact counts. device: cpu (default), cuda, ilgpu-cpu or auto, as the command line's --device.
/// </summary>
public static class SequenceReport
{
    private sealed record Totals(string Label, long Iterations, long MatrixVectorProducts, List<double> Seconds)
    {
        public double Best => Seconds.Min();
        public double Median => Seconds.Order().ElementAt(Seconds.Count / 2);
    }

    public static void Run(int grid, int count, int rounds, int seed, Device device)
    {
        var systems = ParametricFamily.Diffusion(new DiffusionOptions { GridSize = grid, Seed = seed }, count, 0.3, seed + 1).ToList();
        var solver = new SolverOptions(RelativeTolerance: 1e-8, MaxIterations: 100_000, RecordHistory: false);
        var baseline = new SequenceSolverOptions { Method = KrylovMethod.Gmres, Solver = solver, Device = device };
        var recycled = baseline with { Method = KrylovMethod.GcroDr, Sort = true };
        string gmres = $"GMRES({baseline.Restart})", gcrodr = $"GCRO-DR({recycled.Restart}, {recycled.Recycle})";
        (string Label, SequenceSolverOptions Options)[] runs =
        [
            ($"{gcrodr}, SKR order (both)", recycled),
            ($"{gmres}, SKR order (ordering alone)", baseline with { Sort = true }),
            ($"{gcrodr}, natural order (recycling alone)", recycled with { Sort = false }),
            ($"{gcrodr}, SKR order, warm start", recycled with { WarmStart = true }),
            ($"{gmres}, natural order (baseline)", baseline),
        ];

        Console.WriteLine($"# {count} diffusion systems {grid}² (seed {seed}), rtol 1e-8, no preconditioner, device {device.Name} ({Environment.ProcessorCount} CPU cores), {DateTime.UtcNow:yyyy-MM-dd}, best of {rounds}");
        var totals = new Totals?[runs.Length];
        for (int r = 0; r < rounds; r++)
            for (int i = 0; i < runs.Length; i++)
                totals[i] = Measure(runs[i].Label, systems, runs[i].Options, totals[i]);
        var reference = totals[^1]!;
        Console.WriteLine("| run | iterations | matvecs | best s | median s | matvecs vs baseline | time vs baseline (best) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var row in totals)
            Console.WriteLine($"| {row!.Label} | {row.Iterations:N0} | {row.MatrixVectorProducts:N0} | {row.Best:F2} | {row.Median:F2} | " +
                $"{(double)reference.MatrixVectorProducts / row.MatrixVectorProducts:F2}x | {reference.Best / row.Best:F2}x |");
    }

    private static Totals Measure(string label, IReadOnlyList<LinearSystem> systems, SequenceSolverOptions options, Totals? previous)
    {
        long iterations = 0, products = 0;
        int converged = 0;
        var clock = Stopwatch.StartNew();
        foreach (var step in new SequenceSolver(options).Solve(systems))
        {
            iterations += step.Result.Iterations;
            products += step.MatrixVectorProducts;
            if (step.Result.Converged) converged++;
        }
        double seconds = clock.Elapsed.TotalSeconds;
        Console.Error.WriteLine($"{label}: {seconds:F2} s, {iterations:N0} iterations, {converged}/{systems.Count} converged");
        if (converged != systems.Count) throw new InvalidOperationException($"{label}: only {converged} of {systems.Count} systems converged.");
        var run = previous ?? new Totals(label, iterations, products, []);
        run.Seconds.Add(seconds);
        return run;
    }
}
