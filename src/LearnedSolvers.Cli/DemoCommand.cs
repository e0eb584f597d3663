using System.CommandLine;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Preconditioners.Factories;
using LearnedSolvers.Problems;

namespace LearnedSolvers.Cli;

/// <summary>
/// `learnedsolvers demo`: the built-in problem (a ConDiff-style high-contrast diffusion on a 2D grid) solved by
/// several method and preconditioner pairs, compared in one table with the true residual of each solution; the last
/// row is DCDM with the small network shipped with the tool (trained on 64² Poisson; see RESULTS.md), and a PreCorrector
/// row the same way (trained on ConDiff systems at 64²).
/// </summary>
internal static class DemoCommand
{
    /// <summary>The pretrained DCDM model, copied beside the tool.</summary>
    internal static string ShippedModelPath => Path.Combine(AppContext.BaseDirectory, "Models", "dcdm-poisson-64.safetensors");

    /// <summary>The PreCorrector model shipped with the tool (trained on ConDiff variance-1 systems at 64²; see RESULTS.md).</summary>
    internal static string ShippedFactorModelPath => Path.Combine(AppContext.BaseDirectory, "Models", "precorrector-diffusion-64.safetensors");

    private static readonly (KrylovMethod Method, IPreconditionerFactory Preconditioner)[] Contenders =
    [
        (KrylovMethod.Cg, PreconditionerFactories.None()),
        (KrylovMethod.Pcg, PreconditionerFactories.Jacobi()),
        (KrylovMethod.Pcg, PreconditionerFactories.Ssor()),
        (KrylovMethod.Pcg, PreconditionerFactories.Ic0()),
        (KrylovMethod.Pcg, PreconditionerFactories.Fsai()),
        (KrylovMethod.Pcg, PreconditionerFactories.Amg()),
        (KrylovMethod.Pcg, PreconditionerFactories.RsAmg()),
        (KrylovMethod.Pcg, PreconditionerFactories.Gmg()),
        (KrylovMethod.Fcg, PreconditionerFactories.Ic0()),
        (KrylovMethod.Gmres, PreconditionerFactories.Ilu0()),
        (KrylovMethod.BiCgStab, PreconditionerFactories.Ilu0()),
    ];

    public static Command Create(TextWriter output)
    {
        var n = new Option<int>("--n") { DefaultValueFactory = _ => 160, Description = "grid cells per side" };
        var contrast = new Option<double>("--contrast") { DefaultValueFactory = _ => 1e3, Description = "coefficient contrast max k / min k" };
        var command = new Command("demo", "Solve the built-in problem with several methods and compare") { n, contrast };
        command.SetAction(p => Run(p.GetValue(n), p.GetValue(contrast), output));
        return command;
    }

    private static int Run(int n, double contrast, TextWriter output)
    {
        OptionChecks.Contrast("--contrast", contrast);
        OptionChecks.Grid("--n", n, dimensions: 2);
        var system = Diffusion.Generate(new DiffusionOptions { GridSize = n, TargetContrast = contrast, Seed = 1 });
        var a = system.Matrix;
        output.WriteLine($"Built-in problem: {system.Description}");
        output.WriteLine($"{a.Rows} unknowns, {a.NonZeros} nonzeros; rtol 1e-8; device cpu ({Environment.ProcessorCount} cores)");
        output.WriteLine();
        var table = new List<string[]> { new[] { "method", "precond", "iterations", "setup ms", "solve ms", "true residual", "result" } };
        var options = new SolverOptions(RelativeTolerance: 1e-8, MaxIterations: 20_000);
        foreach (var (method, preconditioner) in Contenders)
        {
            var x = new double[a.Rows];
            string[] row;
            try
            {
                var r = SolveRunner.Run(a, system.RightHandSide, x, method, preconditioner, options, restart: 30, Devices.Device.Cpu);
                row = [r.Method, r.Preconditioner, r.Iterations.ToString(), $"{r.SetupSeconds * 1e3:F1}", $"{r.Seconds * 1e3:F1}", r.RelativeResidual.ToString("0.00e+00", System.Globalization.CultureInfo.InvariantCulture), r.Reason];
            }
            catch (ZeroPivotException e)
            {
                row = [method.ToString().ToLowerInvariant(), preconditioner.Name, "-", "-", "-", "-", $"setup failed: zero pivot at row {e.Row}"];
            }
            table.Add(row);
        }
        if (File.Exists(ShippedFactorModelPath))
        {
            var x = new double[a.Rows];
            using var learned = PreconditionerFactories.Learned(Learned.Factors.LearnedFactorKind.PreCorrector, ShippedFactorModelPath);
            var r = SolveRunner.Run(a, system.RightHandSide, x, KrylovMethod.Pcg, learned, options, restart: 30, Devices.Device.Cpu);
            table.Add([r.Method, r.Preconditioner, r.Iterations.ToString(), $"{r.SetupSeconds * 1e3:F1}", $"{r.Seconds * 1e3:F1}", r.RelativeResidual.ToString("0.00e+00", System.Globalization.CultureInfo.InvariantCulture), r.Reason]);
        }
        if (File.Exists(ShippedModelPath) && n % 2 == 0)
        {
            var x = new double[a.Rows];
            var r = SolveRunner.RunDcdm(a, system.RightHandSide, x, ShippedModelPath, null, PreconditionerFactories.None(), options, Devices.Device.Cpu);
            table.Add([r.Method, "network", r.Iterations.ToString(), $"{r.SetupSeconds * 1e3:F1}", $"{r.Seconds * 1e3:F1}", r.RelativeResidual.ToString("0.00e+00", System.Globalization.CultureInfo.InvariantCulture), r.Reason]);
        }
        WriteTable(output, table);
        return ExitCodes.Success;
    }

    private static void WriteTable(TextWriter output, List<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var (row, index) in rows.Select((r, i) => (r, i)))
        {
            output.WriteLine(string.Join("  ", row.Select((cell, c) => c is 0 or 1 or 6 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd());
            if (index == 0) output.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        }
    }
}
