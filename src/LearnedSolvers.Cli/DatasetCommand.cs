using System.CommandLine;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners.Factories;
using LearnedSolvers.Problems;
using LearnedSolvers.Sequences;

namespace LearnedSolvers.Cli;

/// <summary>
/// `learnedsolvers dataset`: generates a family of related systems, solves them in SKR or natural order with GCRO-DR
/// (recycling) or GMRES, writes fields, right-hand sides and solutions to HDF5, and prints a summary, optionally
/// against a GMRES(m) baseline in natural order run in the same process.
/// </summary>
internal static class DatasetCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var problem = new Option<string>("--problem") { Required = true, Description = "diffusion|darcy|poisson|convdiff" }
            .AcceptOnlyFromAmong("diffusion", "darcy", "poisson", "convdiff");
        var count = new Option<int>("--count") { Required = true, Description = "number of systems" };
        var n = new Option<int>("--n") { Required = true, Description = "grid cells per side" };
        var contrast = new Option<double?>("--contrast") { Description = "diffusion: max k / min k of every field" };
        var perturbation = new Option<double>("--perturbation") { DefaultValueFactory = _ => 0.3, Description = "diffusion/darcy: relative size of each member's field perturbation (0..1)" };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 0, Description = "random seed" };
        var order = new Option<string>("--order") { DefaultValueFactory = _ => "skr", Description = "skr|natural" }.AcceptOnlyFromAmong("skr", "natural");
        var method = new Option<string>("--method") { DefaultValueFactory = _ => "gcrodr", Description = "gcrodr|gmres" }.AcceptOnlyFromAmong("gcrodr", "gmres");
        var precond = new Option<string>("--precond") { DefaultValueFactory = _ => "none", Description = string.Join("|", PreconditionerRegistry.Names) }
            .AcceptOnlyFromAmong([.. PreconditionerRegistry.Names]);
        var restart = new Option<int>("--restart") { DefaultValueFactory = _ => 40, Description = "restart length m" };
        var recycle = new Option<int>("--recycle") { DefaultValueFactory = _ => 15, Description = "GCRO-DR recycle dimension k" };
        var rtol = new Option<double>("--rtol") { DefaultValueFactory = _ => 1e-8, Description = "relative tolerance per system" };
        var outPath = new Option<string>("--out") { Required = true, Description = "HDF5 file to write" };
        var baseline = new Option<bool>("--baseline") { Description = "also run GMRES(m) in natural order and report the speedup" };
        var warmStart = new Option<bool>("--warm-start") { Description = "start each solve from the previous solution in solve order" };
        var breakdown = new Option<bool>("--breakdown") { Description = "with --baseline: also ordering alone (GMRES, SKR order) and recycling alone (GCRO-DR, natural order)" };

        var command = new Command("dataset", "Generate and solve a sequence of related systems; write an HDF5 data set")
        {
            problem, count, n, contrast, perturbation, seed, order, method, precond, restart, recycle, rtol, warmStart, outPath, baseline, breakdown,
        };
        command.SetAction(p =>
        {
            int members = p.GetValue(count);
            if (members < 1) throw new UsageException($"--count must be at least 1 (got {members})");
            if (p.GetValue(restart) < 1) throw new UsageException($"--restart must be at least 1 (got {p.GetValue(restart)})");
            if (p.GetValue(method) == "gcrodr" || p.GetValue(breakdown)) OptionChecks.Recycle(p.GetValue(recycle), p.GetValue(restart));
            OptionChecks.RelativeTolerance("--rtol", p.GetValue(rtol));
            OptionChecks.Contrast("--contrast", p.GetValue(contrast));
            double eps = p.GetValue(perturbation);
            if (!(eps >= 0 && eps <= 1)) throw new UsageException($"--perturbation must lie in [0, 1] (got {eps})");
            // Every member is kept (matrix, right-hand side, solution, field) until the sequence is ordered and solved,
            // so the count is checked against memory before the first one is generated; the basis on top of that.
            OptionChecks.Grid("--n", p.GetValue(n), dimensions: 2, systems: members);
            double unknowns = (double)p.GetValue(n) * p.GetValue(n);
            OptionChecks.Fits(8 * unknowns * (Math.Min(p.GetValue(restart), unknowns) + 4 * (p.GetValue(recycle) + 1) + 4), $"--restart {p.GetValue(restart)} on {unknowns} unknowns");
            var solverOptions = new SolverOptions(RelativeTolerance: p.GetValue(rtol), MaxIterations: 100_000, RecordHistory: false);
            string problemName = p.GetValue(problem)!;
            var systems = Family(problemName, p.GetValue(n), members, p.GetValue(contrast), p.GetValue(perturbation), p.GetValue(seed)).ToList();
            var options = new SequenceSolverOptions
            {
                Method = KrylovSolvers.Parse(p.GetValue(method)!),
                Preconditioner = PreconditionerRegistry.Get(p.GetValue(precond)!),
                Restart = p.GetValue(restart),
                Recycle = p.GetValue(recycle),
                Solver = solverOptions,
                Sort = p.GetValue(order) == "skr",
                WarmStart = p.GetValue(warmStart),
                Distance = systems[0].Coefficients is null ? SequenceDistance.RightHandSide : SequenceDistance.CoefficientField,
            };

            var first = systems[0];
            var run = new Totals();
            using (var writer = new SequenceDatasetWriter(p.GetValue(outPath)!, members, first.Size, first.Coefficients?.Length ?? 0,
                problemName, p.GetValue(method)!, p.GetValue(order)!, first.GridSize, first.Dimension, p.GetValue(rtol)))
            {
                var progress = new ProgressLine(error, members);
                var solver = new SequenceSolver(options);
                foreach (var step in solver.Solve(systems))
                {
                    var s = systems[step.Index];
                    writer.Write(step.Index, s.RightHandSide, step.Solution, s.Coefficients, step.Result.Iterations, step.Result.RelativeResidual);
                    run.Add(step);
                    progress.Report(step.Position + 1, run.Seconds);
                }
                progress.Done();
                run.Order = solver.LastOrder;
            }

            Totals? reference = null;
            var extra = new List<(string Label, Totals Totals)>();
            if (p.GetValue(baseline) || p.GetValue(breakdown))
            {
                reference = Run(systems, options with { Method = KrylovMethod.Gmres, Sort = false, WarmStart = false });
                if (p.GetValue(breakdown))
                {
                    extra.Add(($"gmres({options.Restart}) skr (ordering alone)", Run(systems, options with { Method = KrylovMethod.Gmres, Sort = true })));
                    extra.Add(($"gcrodr({options.Restart},{options.Recycle}) natural (recycling alone)", Run(systems, options with { Method = KrylovMethod.GcroDr, Sort = false })));
                }
            }
            WriteSummary(output, options, run, reference, extra, p.GetValue(outPath)!);
            return run.AllConverged ? ExitCodes.Success : ExitCodes.NotConverged;
        });
        return command;
    }

    /// <summary>The related systems of one problem family (shared pattern, perturbed coefficients or right-hand sides).</summary>
    internal static IEnumerable<LinearSystem> Family(string problem, int n, int count, double? contrast, double perturbation, int seed)
    {
        if (contrast is not null && problem != "diffusion") throw new UsageException("--contrast applies to --problem diffusion only");
        return problem switch
        {
            "diffusion" => ParametricFamily.Diffusion(new DiffusionOptions { GridSize = n, TargetContrast = contrast, Seed = seed }, count, perturbation, seed + 1),
            "darcy" => ParametricFamily.Diffusion(DiffusionOptions.SkrDarcy(n, seed), count, perturbation, seed + 1),
            "poisson" => ParametricFamily.RightHandSides(Poisson.TwoD(n), count, seed),
            // Péclet numbers from 1 to 100 in a shuffled order, so that sorting has something to find.
            "convdiff" => ParametricFamily.ConvectionDiffusion(new ConvectionDiffusionOptions { GridSize = n, Seed = seed },
                Enumerable.Range(0, count).Select(i => 1 + 99.0 * i / Math.Max(1, count - 1)).ToArray().Shuffled(seed)),
            _ => throw new UsageException($"unknown problem '{problem}'"),
        };
    }

    private static double[] Shuffled(this double[] values, int seed)
    {
        new Random(seed).Shuffle(values);
        return values;
    }

    private static Totals Run(IReadOnlyList<LinearSystem> systems, SequenceSolverOptions options)
    {
        var totals = new Totals();
        foreach (var step in new SequenceSolver(options).Solve(systems)) totals.Add(step);
        return totals;
    }

    private static void WriteSummary(TextWriter output, SequenceSolverOptions options, Totals run, Totals? reference,
        IReadOnlyList<(string Label, Totals Totals)> extra, string path)
    {
        output.WriteLine();
        string label = $"{options.Method.ToString().ToLowerInvariant()}({options.Restart}{(options.Method == KrylovMethod.GcroDr ? $",{options.Recycle}" : "")}) {(options.Sort ? "skr" : "natural")}";
        var rows = new List<string[]> { new[] { "run", "systems", "iterations", "matvecs", "seconds", "max residual", "converged" } };
        rows.Add(run.Row(label));
        foreach (var (name, totals) in extra) rows.Add(totals.Row(name));
        if (reference is not null) rows.Add(reference.Row($"gmres({options.Restart}) natural"));
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var (row, i) in rows.Select((r, i) => (r, i)))
        {
            output.WriteLine(string.Join("  ", row.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))));
            if (i == 0) output.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        }
        if (run.Order is { TotalDistance: var d, NaturalDistance: var nd } && options.Sort)
            output.WriteLine($"ordering: total neighbour distance {d:G4} (natural order {nd:G4})");
        if (reference is not null)
        {
            output.WriteLine($"speedup against the baseline: {(double)reference.MatrixVectorProducts / run.MatrixVectorProducts:F2}x fewer matvecs, {reference.Seconds / run.Seconds:F2}x less time");
            foreach (var (name, totals) in extra)
                output.WriteLine($"  {name}: {(double)reference.MatrixVectorProducts / totals.MatrixVectorProducts:F2}x fewer matvecs, {reference.Seconds / totals.Seconds:F2}x less time");
        }
        output.WriteLine($"wrote {path}");
    }

    /// <summary>Sums over a run of a sequence.</summary>
    private sealed class Totals
    {
        public int Systems, Iterations, Failed;
        public long MatrixVectorProducts;
        public double Seconds, MaxResidual;
        public SequenceOrder? Order;
        public bool AllConverged => Failed == 0;

        public void Add(SequenceStep step)
        {
            Systems++;
            Iterations += step.Result.Iterations;
            MatrixVectorProducts += step.MatrixVectorProducts;
            Seconds += step.Result.Elapsed.TotalSeconds + step.SetupTime.TotalSeconds;
            MaxResidual = Math.Max(MaxResidual, step.Result.RelativeResidual);
            if (!step.Result.Converged) Failed++;
        }

        public string[] Row(string label) =>
            [label, Systems.ToString(), Iterations.ToString(), MatrixVectorProducts.ToString(), Seconds.ToString("F2"), MaxResidual.ToString("0.00e+00"), $"{Systems - Failed}/{Systems}"];
    }

    /// <summary>A one-line progress bar on stderr: redrawn in place on a terminal, every tenth otherwise.</summary>
    private sealed class ProgressLine(TextWriter error, int total)
    {
        private readonly bool _terminal = ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;
        private int _lastTenth = -1;

        public void Report(int done, double seconds)
        {
            int tenth = done * 10 / total;
            if (!_terminal && tenth == _lastTenth) return;
            _lastTenth = tenth;
            int filled = done * 30 / total;
            string line = $"[{new string('#', filled)}{new string('.', 30 - filled)}] {done}/{total} systems, {seconds:F1} s";
            if (_terminal) error.Write("\r" + line);
            else error.WriteLine(line);
        }

        public void Done()
        {
            if (_terminal) error.WriteLine();
        }
    }
}
