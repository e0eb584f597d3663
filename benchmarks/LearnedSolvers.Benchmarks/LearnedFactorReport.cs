using System.Diagnostics;
using System.Globalization;
using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Learned.Factors;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Preconditioners.Factories;
using LearnedSolvers.Problems;

namespace LearnedSolvers.Benchmarks;

/// <summary>
/// Trains a learned factor on ConDiff-style diffusion systems of one variance band and compares PCG with it against
/// IC(0) on unseen systems of the same band: iterations and time to 1e-8, setup (inference) included.
/// </summary>
internal static class LearnedFactorReport
{
    public static void Run(LearnedFactorKind kind, int trainGrid, int count, int epochs, double variance, int[] testGrids, int testCount)
    {
        var c = CultureInfo.InvariantCulture;
        var clock = Stopwatch.StartNew();
        var pairs = Enumerable.Range(0, count).AsParallel().AsOrdered()
            .Select(s => FactorTrainingPairs.Solve(Diffusion.Generate(DiffusionOptions.ConDiff(trainGrid, variance, seed: s)))).ToList();
        var validation = Enumerable.Range(0, Math.Max(2, count / 10)).AsParallel().AsOrdered()
            .Select(s => FactorTrainingPairs.Solve(Diffusion.Generate(DiffusionOptions.ConDiff(trainGrid, variance, seed: 500_000 + s)))).ToList();
        Console.WriteLine(string.Create(c, $"{count} training systems {trainGrid}² (variance {variance}) in {clock.Elapsed.TotalSeconds:F1} s"));
        using var model = new LearnedFactorModel(Device.Cpu, kind);
        Console.WriteLine(string.Create(c, $"initial validation loss {LearnedFactorTrainer.MeanLoss(model, validation):G4}"));
        var record = LearnedFactorTrainer.Train(model, pairs, validation, new LearnedFactorTrainingOptions { Epochs = epochs },
            p => { if (p.Batch == p.Batches) Console.WriteLine(string.Create(c, $"epoch {p.Epoch}: {p.SamplesPerSecond:F1} systems/s")); });
        for (int e = 0; e < record.Epochs; e++)
            Console.WriteLine(string.Create(c, $"epoch {e + 1}: loss {record.EpochLosses[e]:G4}, validation {record.ValidationLosses[e]:G4}"));
        if (model.Alpha is not null) Console.WriteLine($"alpha {model.Alpha.Value.ToArray()[0]}");
        Console.WriteLine("| grid | system | IC(0) its | IC(0) s | FSAI its | FSAI s | learned its | learned s (setup) |");
        foreach (int grid in testGrids)
        {
            for (int s = 0; s < testCount; s++)
            {
                var system = Diffusion.Generate(DiffusionOptions.ConDiff(grid, variance, seed: 900_000 + s));
                using var a = Device.Cpu.Upload(system.Matrix);
                using var b = Device.Cpu.Upload(system.RightHandSide);
                var (icIts, icSeconds, _) = Solve(a, b, () => PreconditionerFactories.Ic0().Create(a)!);
                var (fsaiIts, fsaiSeconds, _) = Solve(a, b, () => PreconditionerFactories.Fsai().Create(a));
                var (its, seconds, setup) = Solve(a, b, () => kind == LearnedFactorKind.LearnedFsai
                    ? new SparseInverseFactorPreconditioner(new SparseInverseFactor(model.PredictInverseFactor(system.Matrix)), Device.Cpu)
                    : new TriangularFactorPreconditioner(model.PredictFactor(system.Matrix).Factor, true, Device.Cpu));
                Console.WriteLine(string.Create(c, $"| {grid} | {s} | {icIts} | {icSeconds:F3} | {fsaiIts} | {fsaiSeconds:F3} | {its} | {seconds:F3} ({setup:F3}) |"));
            }
        }
    }

    private static (int Iterations, double Seconds, double Setup) Solve(DeviceCsrMatrix a, DeviceVector b, Func<IPreconditioner> create)
    {
        var clock = Stopwatch.StartNew();
        var m = create();
        double setup = clock.Elapsed.TotalSeconds;
        using var x = a.Device.Allocate(a.Rows);
        using var cg = new ConjugateGradient(a, m, new SolverOptions(RelativeTolerance: 1e-8, MaxIterations: 20_000));
        var result = cg.Solve(b, x);
        (m as IDisposable)?.Dispose();
        return (result.Converged ? result.Iterations : -result.Iterations, clock.Elapsed.TotalSeconds, setup);
    }
}
