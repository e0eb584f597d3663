using LearnedSolvers.Krylov;
using LearnedSolvers.Problems;
using LearnedSolvers.Sequences;

namespace LearnedSolvers.Cli;

/// <summary>
/// Solves a sequence with <see cref="SequenceSolver"/>, streams it into an HDF5 data set, and prints the summary table,
/// optionally against a GMRES(m) baseline in natural order run in the same process: what `dataset` does with the
/// systems it generates and `sequence` with the systems the user brings.
/// </summary>
internal static class SequenceRun
{
    /// <summary>What the data set records about where its systems came from and how they were solved.</summary>
    /// <param name="Problem">The family ("diffusion", …) or "matrices" for the user's files.</param>
    /// <param name="GridSize">Grid cells per side, 0 when the systems come from no grid.</param>
    /// <param name="Dimension">2 or 3, 0 when the systems come from no grid.</param>
    public sealed record Labels(string Problem, string Method, string Order, int GridSize, int Dimension);

    /// <returns>The exit code: success when every system converged.</returns>
    public static int Execute(TextWriter output, TextWriter error, IReadOnlyList<LinearSystem> systems, SequenceSolverOptions options,
        Labels labels, string outPath, bool baseline, bool breakdown)
    {
        var first = systems[0];
        int members = systems.Count;
        var run = new Totals();
        using (var writer = new SequenceDatasetWriter(outPath, members, first.Size, first.Coefficients?.Length ?? 0,
            labels.Problem, labels.Method, labels.Order, labels.GridSize, labels.Dimension, options.Solver.RelativeTolerance))
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
        if (baseline || breakdown)
        {
            reference = Run(systems, options with { Method = KrylovMethod.Gmres, Sort = false, WarmStart = false });
            if (breakdown)
            {
                extra.Add(($"gmres({options.Restart}) skr (ordering alone)", Run(systems, options with { Method = KrylovMethod.Gmres, Sort = true })));
                extra.Add(($"gcrodr({options.Restart},{options.Recycle}) natural (recycling alone)", Run(systems, options with { Method = KrylovMethod.GcroDr, Sort = false })));
            }
        }
        WriteSummary(output, options, run, reference, extra, outPath);
        return run.AllConverged ? ExitCodes.Success : ExitCodes.NotConverged;
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
