using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Cli;

/// <summary>
/// Runs method and preconditioner pairs on one system, each from x = 0 through <see cref="SolveRunner"/>. A failed
/// setup (a zero pivot, a multigrid that refuses the matrix) becomes its row's reason, and a solve that stops short
/// keeps its stop reason: one pair never ends the comparison.
/// </summary>
internal static class Comparison
{
    /// <param name="completed">Told after each pair, with the rows so far.</param>
    /// <param name="cancellationToken">Stops between pairs; the rows of the pairs finished are returned.</param>
    public static IReadOnlyList<ComparisonRow> Run(CsrMatrix a, double[] b, IEnumerable<MethodPair> pairs, Func<string, IPreconditionerFactory> factory,
        SolverOptions options, int restart, int recycle, Device device, Action<IReadOnlyList<ComparisonRow>>? completed = null,
        CancellationToken cancellationToken = default)
    {
        var rows = new List<ComparisonRow>();
        foreach (var pair in pairs)
        {
            if (cancellationToken.IsCancellationRequested) break;
            rows.Add(pair.Chosen is { } chosen
                ? RunChosen(a, b, chosen, options, device)
                : RunOne(a, b, pair.Method, factory(pair.Preconditioner), options, restart, recycle, device));
            completed?.Invoke(rows);
        }
        return rows;
    }

    public static ComparisonRow RunOne(CsrMatrix a, double[] b, KrylovMethod method, IPreconditionerFactory preconditioner,
        SolverOptions options, int restart, int recycle, Device device)
    {
        try
        {
            var x = new double[a.Rows];
            return ComparisonRow.Solved(SolveRunner.Run(a, b, x, method, preconditioner, options, restart, device, recycle: recycle));
        }
        catch (ZeroPivotException e)
        {
            return new ComparisonRow(method.ToString().ToLowerInvariant(), preconditioner.Name, null, $"zero pivot at row {e.Row}");
        }
        catch (ArgumentException e) when (e is not ArgumentOutOfRangeException)
        {
            // Setup refusing this matrix (geometric multigrid off a stencil grid) says so in an ArgumentException.
            return new ComparisonRow(method.ToString().ToLowerInvariant(), preconditioner.Name, null, FirstLine(e.Message));
        }
    }

    /// <summary>"direct" or "auto": the preconditioner column names the backend or the strategy that ran.</summary>
    public static ComparisonRow RunChosen(CsrMatrix a, double[] b, string method, SolverOptions options, Device device)
    {
        try
        {
            var x = new DenseColumns(a.Rows, 1, new double[a.Rows]);
            return ComparisonRow.Solved(SolveRunner.RunChosen(a, new DenseColumns(a.Rows, 1, b), x, method, options, device)[0]);
        }
        catch (Direct.FactorMemoryException e)
        {
            return new ComparisonRow(method, "-", null, FirstLine(e.Message));
        }
    }

    private static string FirstLine(string message)
    {
        int newline = message.IndexOfAny(['\r', '\n']);
        return System.Text.RegularExpressions.Regex.Replace(newline < 0 ? message : message[..newline], @" \(Parameter '[^']*'\)$", "");
    }
}
