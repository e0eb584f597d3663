using System.Diagnostics;
using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Multigrid;
using LearnedSolvers.Preconditioners.Factories;
using LearnedSolvers.Problems;

namespace LearnedSolvers.Benchmarks;

/// <summary>
/// `-- multigrid [sizes…]`: PCG with GMG and with AMG on 2D Poisson at growing sizes (iterations must not grow),
/// setup and solve time separately, operator complexity; then, at 1M unknowns, time to solution against IC(0)-PCG.
/// One solve per row (a multi-second solve needs no statistics to compare 10x); b = h²·1, rtol 1e-8.
/// </summary>
public static class MultigridScalingReport
{
    public static void Run(IReadOnlyList<int> sizes)
    {
        var cpu = Device.Cpu;
        Console.WriteLine($"# 2D Poisson, PCG to rtol 1e-8, device cpu ({Environment.ProcessorCount} cores), {DateTime.UtcNow:yyyy-MM-dd}");
        Console.WriteLine("| n | unknowns | precond | levels | op. complexity | iterations | setup s | solve s | total s | true residual |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (int n in sizes)
        {
            // A fresh matrix object per row: setup work cached per matrix (the ρ(D⁻¹A) estimate) must not carry over.
            foreach (var factory in new IPreconditionerFactory[] { PreconditionerFactories.Gmg(), PreconditionerFactories.Amg() })
                Row(Poisson.TwoD(n), factory, cpu);
            if (n == 1024) Row(Poisson.TwoD(n), PreconditionerFactories.Ic0(), cpu);
        }
    }

    private static void Row(LinearSystem s, IPreconditionerFactory factory, Device cpu)
    {
        var a = cpu.Upload(s.Matrix);
        var clock = Stopwatch.StartNew();
        var m = factory.Create(a)!;
        double setup = clock.Elapsed.TotalSeconds;
        var x = cpu.Allocate(s.Size);
        var result = new ConjugateGradient(a, m, new SolverOptions(MaxIterations: 20_000)).Solve(cpu.Upload(s.RightHandSide), x);
        string levels = "-", complexity = "-";
        if (m is MultigridPreconditioner mg)
        {
            levels = mg.Hierarchy.LevelCount.ToString();
            complexity = mg.Hierarchy.OperatorComplexity.ToString("F2");
            mg.Hierarchy.Dispose();
        }
        double solve = result.Elapsed.TotalSeconds;
        Console.WriteLine($"| {s.GridSize} | {s.Size} | {factory.Name} | {levels} | {complexity} | {result.Iterations} | {setup:F2} | {solve:F2} | {setup + solve:F2} | {result.RelativeResidual:E1} ({result.Reason}) |");
    }
}
