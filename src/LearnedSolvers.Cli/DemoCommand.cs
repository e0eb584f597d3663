using System.CommandLine;
using LearnedSolvers.Krylov;
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

    /// <summary>The PreCorrector model shipped with the tool (hidden 8, 3 steps; trained on 400 ConDiff variance-1 systems at 64²; see RESULTS.md).</summary>
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
        var report = new Option<string?>("--report") { Description = "folder for report.md, convergence.png, convergence-time.png and histories.csv (as compare --report)" };
        var command = new Command("demo", "Solve the built-in problem with several methods and compare") { n, contrast, report };
        command.SetAction(p => Run(p.GetValue(n), p.GetValue(contrast), p.GetValue(report), CompareCommand.CommandLine(p), output));
        return command;
    }

    private static int Run(int n, double contrast, string? report, string commandLine, TextWriter output)
    {
        OptionChecks.Contrast("--contrast", contrast);
        OptionChecks.Grid("--n", n, dimensions: 2);
        var system = Diffusion.Generate(new DiffusionOptions { GridSize = n, TargetContrast = contrast, Seed = 1 });
        var a = system.Matrix;
        var device = Devices.Device.Cpu;
        output.WriteLine($"Built-in problem: {system.Description}");
        output.WriteLine($"{a.Rows} unknowns, {a.NonZeros} nonzeros; rtol 1e-8; device cpu ({Environment.ProcessorCount} cores)");
        output.WriteLine();
        var options = new SolverOptions(RelativeTolerance: 1e-8, MaxIterations: 20_000);
        const int restart = 30;
        var rows = Contenders.Select(c => Comparison.RunOne(a, system.RightHandSide, c.Method, c.Preconditioner, options, restart, recycle: 10, device)).ToList();
        // The sparse direct solver and the automatic choice, beside the iterations (their preconditioner column names what ran).
        rows.Add(Comparison.RunChosen(a, system.RightHandSide, "direct", options, device));
        rows.Add(Comparison.RunChosen(a, system.RightHandSide, "auto", options, device));
        if (File.Exists(ShippedFactorModelPath))
        {
            using var learned = PreconditionerFactories.Learned(Learned.Factors.LearnedFactorKind.PreCorrector, ShippedFactorModelPath);
            rows.Add(ComparisonRow.Solved(SolveRunner.Run(a, system.RightHandSide, new double[a.Rows], KrylovMethod.Pcg, learned, options, restart, device)));
        }
        if (File.Exists(ShippedModelPath) && n % 2 == 0)
        {
            var r = SolveRunner.RunDcdm(a, system.RightHandSide, new double[a.Rows], ShippedModelPath, null, PreconditionerFactories.None(), options, device);
            rows.Add(ComparisonRow.Solved(r, preconditionerLabel: "network"));
        }
        ComparisonTable.WriteText(output, rows);
        if (report is not null)
        {
            ComparisonReport.Write(report, rows, a, $"the built-in problem: {system.Description}", "the problem's own (the source term f)", options, restart, device.Name, commandLine);
            output.WriteLine();
            output.WriteLine($"report: {Path.Combine(report, ComparisonReport.ReportFile)}");
        }
        return ExitCodes.Success;
    }
}
