using System.CommandLine;
using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Learned.Factors;
using LearnedSolvers.Preconditioners.Factories;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Cli;

/// <summary>
/// `learnedsolvers compare`: every applicable method and preconditioner pair (see <see cref="ComparisonPlan"/>) on one
/// system, in one table; with --report, the table, plots and histories written to a folder.
/// </summary>
internal static class CompareCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var matrix = new Option<string>("--matrix") { Required = true, Description = "Matrix Market file with A" };
        var rhs = new Option<string?>("--rhs") { Description = "Matrix Market vector b (default: b = A * ones)" };
        var methods = new Option<string?>("--methods")
        {
            Description = "comma-separated METHOD or METHOD:PRECOND, e.g. pcg:ic0,gmres:ilu0,cg; a bare METHOD runs every preconditioner that applies "
                + "(cg: none; pcg, fcg: the symmetric ones). Default: every applicable pair",
        };
        var model = new Option<string?>("--model") { Description = "a trained neuralpcg|precorrector|learned-fsai model: adds that preconditioner (without it, learned ones are skipped)" };
        var report = new Option<string?>("--report") { Description = "folder for report.md, convergence.png, convergence-time.png and histories.csv" };
        var restart = new Option<int>("--restart") { DefaultValueFactory = _ => 30, Description = "GMRES/GCRO-DR restart length m" };
        var recycle = new Option<int>("--recycle") { DefaultValueFactory = _ => 10, Description = "GCRO-DR recycle dimension k (< m)" };
        var rtol = new Option<double>("--rtol") { DefaultValueFactory = _ => 1e-8, Description = "relative tolerance on ||b-Ax||/||b||" };
        var maxit = new Option<int>("--maxit") { DefaultValueFactory = _ => 10_000, Description = "maximum iterations per solve" };
        var device = new Option<string>("--device") { DefaultValueFactory = _ => "cpu", Description = "cpu|cuda|ilgpu-cpu|auto" };

        var command = new Command("compare", "Solve one system with every applicable method and preconditioner and compare them (exit 0 once the table is printed)")
        {
            matrix, rhs, methods, model, report, restart, recycle, rtol, maxit, device,
        };
        command.SetAction(p =>
        {
            int m = p.GetValue(restart);
            if (m < 1) throw new UsageException($"--restart must be at least 1 (got {m})");
            int k = p.GetValue(recycle);
            if (k < 0) throw new UsageException($"--recycle must be at least 0 (got {k})");
            var options = new SolverOptions(RelativeTolerance: p.GetValue(rtol), MaxIterations: p.GetValue(maxit));
            try
            {
                options.Validate();
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw new UsageException($"bad tolerance or iteration limit: {e.ActualValue}");
            }
            var dev = SolveCommand.DeviceFromName(p.GetValue(device)!);
            string? modelPath = p.GetValue(model);
            LearnedFactorKind? learned = null;
            if (modelPath is not null)
            {
                var (loaded, _) = LearnedFactorModelFile.Load(modelPath, Device.Cpu);
                learned = loaded.Kind;
                loaded.Dispose();
            }

            string matrixPath = p.GetValue(matrix)!;
            var a = MatrixMarketReader.ReadMatrix(matrixPath);
            if (!a.IsSquare) throw new UsageException($"{matrixPath} is {a.Rows} x {a.Columns}; compare needs a square matrix");
            var (b, rhsSource) = RightHandSide(a, p.GetValue(rhs));

            var factories = new Dictionary<string, IPreconditionerFactory>();
            IPreconditionerFactory Factory(string name)
            {
                if (!factories.TryGetValue(name, out var f))
                    factories[name] = f = PreconditionerRegistry.Get(name, new Dictionary<string, string> { ["model"] = modelPath ?? "" });
                return f;
            }
            try
            {
                var plan = new ComparisonPlan(a.IsSymmetric(), dev, Factory, learned);
                var pairs = p.GetValue(methods) is { } selection ? plan.Select(selection) : plan.All();
                output.WriteLine($"{matrixPath}: {a.Rows} rows, {a.NonZeros} nonzeros, {(a.IsSymmetric() ? "symmetric" : "nonsymmetric")}; "
                    + $"{pairs.Count} method and preconditioner pairs on {dev.Name}, rtol {options.RelativeTolerance.ToString("0.##e+00", System.Globalization.CultureInfo.InvariantCulture)}");
                output.WriteLine();
                using var interruption = new Interruption();
                var rows = ProgressReporter.Run(error, $"comparing {pairs.Count} pairs", pairs.Count, "pairs", progress =>
                    Comparison.Run(a, b, pairs, Factory, options, m, k, dev, done =>
                    {
                        progress.Report(done.Count, $"{done.Count}/{pairs.Count} pairs ({done[^1].Method}:{done[^1].Preconditioner} done)");
                        interruption.Completed();
                    }, interruption.Token));
                ComparisonTable.WriteText(output, rows);
                if (rows.Count < pairs.Count)
                {
                    error.WriteLine($"interrupted after {rows.Count} of {pairs.Count} pairs: the table shows those; no report written");
                    return ExitCodes.Interrupted;
                }
                if (p.GetValue(report) is { } folder)
                {
                    ComparisonReport.Write(folder, rows, a, matrixPath, rhsSource, options, m, dev.Name, CommandLine(p));
                    output.WriteLine();
                    output.WriteLine($"report: {Path.Combine(folder, ComparisonReport.ReportFile)}");
                }
                return ExitCodes.Success;
            }
            finally
            {
                foreach (var f in factories.Values) (f as IDisposable)?.Dispose();
            }
        });
        return command;
    }

    private static (double[] B, string Source) RightHandSide(CsrMatrix a, string? path)
    {
        if (path is null)
        {
            var b = new double[a.Rows];
            a.Multiply(Enumerable.Repeat(1.0, a.Columns).ToArray(), b);
            return (b, "b = A * ones");
        }
        var columns = MatrixMarketReader.ReadColumns(path);
        if (columns.Rows != a.Rows) throw new UsageException($"{path} has {columns.Rows} rows; the matrix has {a.Rows}");
        if (columns.Columns != 1) throw new UsageException($"{path} has {columns.Columns} columns; compare takes one right-hand side");
        return (columns.Values, path);
    }

    /// <summary>The command as typed (shell-quoted where needed), for a report to say how it was made.</summary>
    internal static string CommandLine(ParseResult parsed) => "learnedsolvers " + string.Join(" ", parsed.Tokens.Select(t => Quote(t.Value)));

    private static string Quote(string token) =>
        token.Length > 0 && token.All(c => char.IsLetterOrDigit(c) || "-_.,:/=+@%".Contains(c)) ? token : "'" + token.Replace("'", "'\\''") + "'";
}
