using System.Diagnostics;
using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Multigrid;
using LearnedSolvers.Preconditioners.Factories;
using LearnedSolvers.Problems;

namespace LearnedSolvers.Benchmarks;

/// <summary>
/// `-- multigrid [device] [sizes…]`: PCG with GMG and with AMG on 2D Poisson at growing sizes (iterations must not grow),
/// setup and solve time separately, operator complexity; then, at 1M unknowns, time to solution against IC(0)-PCG.
/// b = h²·1, rtol 1e-8. On the CPU one solve per row (a multi-second solve needs no statistics to compare 10x); on an
/// accelerator the first solve compiles the kernels, so the row reports it apart and then the best of three more.
/// </summary>
public static class MultigridScalingReport
{
    public static void Run(IReadOnlyList<int> sizes, Device device)
    {
        Console.WriteLine($"# 2D Poisson, PCG to rtol 1e-8, device {device.Name} ({Environment.ProcessorCount} CPU cores), {DateTime.UtcNow:yyyy-MM-dd}");
        Console.WriteLine("| n | unknowns | precond | levels | op. complexity | iterations | setup s | first solve s | solve s | total s | true residual |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (int n in sizes)
        {
            // A fresh matrix object per row: setup work cached per matrix (the ρ(D⁻¹A) estimate) must not carry over.
            foreach (var factory in new IPreconditionerFactory[] { PreconditionerFactories.Gmg(), PreconditionerFactories.Amg() })
                Row(Poisson.TwoD(n), factory, device);
            if (n == 1024) Row(Poisson.TwoD(n), PreconditionerFactories.Ic0(), device);
        }
    }

    private static void Row(LinearSystem s, IPreconditionerFactory factory, Device device)
    {
        using var a = device.Upload(s.Matrix);
        var clock = Stopwatch.StartNew();
        var m = factory.Create(a)!;
        double setup = clock.Elapsed.TotalSeconds;
        using var x = device.Allocate(s.Size);
        using var b = device.Upload(s.RightHandSide);
        using var cg = new ConjugateGradient(a, m, new SolverOptions(MaxIterations: 20_000));
        var result = cg.Solve(b, x);
        double first = result.Elapsed.TotalSeconds, solve = first;
        for (int repeat = 0; repeat < (device is CpuDevice ? 0 : 3); repeat++)
        {
            device.Fill(x, 0);
            result = cg.Solve(b, x);
            solve = Math.Min(solve, result.Elapsed.TotalSeconds);
        }
        string levels = "-", complexity = "-";
        if (m is MultigridPreconditioner mg)
        {
            levels = mg.Hierarchy.LevelCount.ToString();
            complexity = mg.Hierarchy.OperatorComplexity.ToString("F2");
            mg.Hierarchy.Dispose();
        }
        Console.WriteLine($"| {s.GridSize} | {s.Size} | {factory.Name} | {levels} | {complexity} | {result.Iterations} | {setup:F3} | {first:F3} | {solve:F3} | {setup + solve:F3} | {result.RelativeResidual:E1} ({result.Reason}) |");
    }
}
