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

    /// <returns>
    /// The exit code: success when every system converged. Ctrl-C stops between systems: the systems solved so far
    /// become a smaller data set (see <see cref="WritePart"/>) and the code is <see cref="ExitCodes.Interrupted"/>.
    /// </returns>
    /// <param name="provenance">Which members of a generated family the systems are (null for the user's own systems).</param>
    public static int Execute(TextWriter output, TextWriter error, IReadOnlyList<LinearSystem> systems, SequenceSolverOptions options,
        Labels labels, string outPath, bool baseline, bool breakdown, DatasetProvenance? provenance = null)
    {
        var first = systems[0];
        int members = systems.Count;
        var run = new Totals();
        using var interruption = new Interruption();
        var solved = new List<SequenceStep>();
        using (var writer = new SequenceDatasetWriter(outPath, members, first.Size, first.Coefficients?.Length ?? 0,
            labels.Problem, labels.Method, labels.Order, labels.GridSize, labels.Dimension, options.Solver.RelativeTolerance, provenance))
        {
            var solver = new SequenceSolver(options);
            ProgressReporter.Run(error, $"solving {members} systems", members, "systems", progress =>
            {
                foreach (var step in solver.Solve(systems))
                {
                    var s = systems[step.Index];
                    writer.Write(step.Index, s.RightHandSide, step.Solution, s.Coefficients, step.Result.Iterations, step.Result.RelativeResidual);
                    solved.Add(step);
                    run.Add(step);
                    progress.Report(step.Position + 1);
                    interruption.Completed();
                    if (interruption.Requested) break;
                }
                return 0;
            });
            run.Order = solver.LastOrder;
        }
        if (solved.Count < members)
        {
            if (solved.Count > 0) WritePart(systems, solved, labels, options.Solver.RelativeTolerance, outPath, provenance);
            error.WriteLine(solved.Count == 0
                ? $"interrupted before the first system was solved: nothing written to {outPath}"
                : $"interrupted after {solved.Count} of {members} systems: {outPath} holds those {solved.Count} (rows in their input order)");
            return ExitCodes.Interrupted;
        }

        Totals? reference = null;
        var extra = new List<(string Label, Totals Totals)>();
        if (baseline || breakdown)
        {
            reference = Run(systems, options with { Method = KrylovMethod.Gmres, Sort = false, WarmStart = false }, interruption);
            if (breakdown && !interruption.Requested)
            {
                extra.Add(($"gmres({options.Restart}) skr (ordering alone)", Run(systems, options with { Method = KrylovMethod.Gmres, Sort = true }, interruption)));
                if (!interruption.Requested)
                    extra.Add(($"gcrodr({options.Restart},{options.Recycle}) natural (recycling alone)", Run(systems, options with { Method = KrylovMethod.GcroDr, Sort = false }, interruption)));
            }
            if (interruption.Requested)
            {
                error.WriteLine($"interrupted during the baseline: {outPath} is complete ({members} systems); no comparison printed");
                return ExitCodes.Interrupted;
            }
        }
        WriteSummary(output, options, run, reference, extra, outPath, provenance);
        return run.AllConverged ? ExitCodes.Success : ExitCodes.NotConverged;
    }

    /// <summary>
    /// The systems solved before an interruption, as a data set of their own: the writer cannot end a file early
    /// (PureHDF fixes each data set's shape when it is declared and writes the file's index only when it closes), so
    /// a second, smaller file is written from the solutions kept in memory. Its rows follow the input order of the
    /// systems it holds, and its solve order is theirs renumbered; a family's global indices are those of the systems it
    /// holds, so that merging it with the other shards names the members it lacks.
    /// </summary>
    private static void WritePart(IReadOnlyList<LinearSystem> systems, List<SequenceStep> solved, Labels labels, double relativeTolerance, string outPath,
        DatasetProvenance? provenance)
    {
        var first = systems[0];
        var kept = solved.Select(s => s.Index).Order().ToList();
        var row = kept.Select((index, r) => (index, r)).ToDictionary(p => p.index, p => p.r);
        using var writer = new SequenceDatasetWriter(outPath, solved.Count, first.Size, first.Coefficients?.Length ?? 0,
            labels.Problem, labels.Method, labels.Order, labels.GridSize, labels.Dimension, relativeTolerance, provenance?.Subset(kept));
        foreach (var step in solved)
        {
            var s = systems[step.Index];
            writer.Write(row[step.Index], s.RightHandSide, step.Solution, s.Coefficients, step.Result.Iterations, step.Result.RelativeResidual);
        }
    }

    private static Totals Run(IReadOnlyList<LinearSystem> systems, SequenceSolverOptions options, Interruption interruption)
    {
        var totals = new Totals();
        foreach (var step in new SequenceSolver(options).Solve(systems))
        {
            totals.Add(step);
            interruption.Completed();
            if (interruption.Requested) break;
        }
        return totals;
    }

    private static void WriteSummary(TextWriter output, SequenceSolverOptions options, Totals run, Totals? reference,
        IReadOnlyList<(string Label, Totals Totals)> extra, string path, DatasetProvenance? provenance)
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
        output.WriteLine(provenance is { Shard.Count: > 1 } p
            ? $"wrote {path}: shard {p.Shard} (global members {p.GlobalIndices[0]}-{p.GlobalIndices[^1]} of {p.GlobalCount})"
            : $"wrote {path}");
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
}
