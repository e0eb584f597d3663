using System.Diagnostics;
using LearnedSolvers.Auto;
using LearnedSolvers.Devices;
using LearnedSolvers.Direct;
using LearnedSolvers.Krylov;
using LearnedSolvers.Learned.Dcdm;
using LearnedSolvers.Multigrid;
using LearnedSolvers.Preconditioners.Factories;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Cli;

/// <summary>Runs one configured solve and measures it; shared by `solve` and `demo`.</summary>
internal static class SolveRunner
{
    public static SolveReport Run(CsrMatrix a, double[] b, double[] x, KrylovMethod method, IPreconditionerFactory preconditioner,
        SolverOptions options, int restart, Device device, string? methodLabel = null, TextWriter? hierarchyOut = null, int recycle = 10)
    {
        if (!a.IsSquare) throw new UsageException($"the matrix is {a.Rows} x {a.Columns}; solve needs a square matrix");
        if (b.Length != a.Rows) throw new UsageException($"the right-hand side has {b.Length} entries; the matrix has {a.Rows} rows");

        var clock = Stopwatch.StartNew();
        using var deviceMatrix = device.Upload(a);
        var m = preconditioner.Create(deviceMatrix);
        SolveResult result;
        double setup;
        try
        {
            if (hierarchyOut is not null && m is MultigridPreconditioner multigrid) hierarchyOut.WriteLine(multigrid.Hierarchy.Summary());
            using var solver = KrylovSolvers.Create(method, deviceMatrix, m, options, restart, recycle);
            using var db = device.Upload(b);
            using var dx = device.Upload(x);
            setup = clock.Elapsed.TotalSeconds;
            result = solver.Solve(db, dx);
            dx.CopyTo(x);
        }
        finally
        {
            // The product may hold device buffers and uses deviceMatrix: it goes first (compare runs many setups in one process).
            (m as IDisposable)?.Dispose();
        }
        return new SolveReport(
            methodLabel ?? method.ToString().ToLowerInvariant(),
            preconditioner.Name,
            device.Name,
            a.Rows,
            a.NonZeros,
            result.Converged,
            result.Reason.ToString(),
            result.Iterations,
            TrueRelativeResidual(a, x, b),
            setup,
            result.Elapsed.TotalSeconds,
            string.IsNullOrEmpty(result.Message) ? null : result.Message)
        {
            ResidualHistory = result.ResidualHistory,
        };
    }

    /// <summary>
    /// `--method direct` or `--method auto` for the k columns of <paramref name="b"/> with one setup (one factorization;
    /// auto keeps the strategy that succeeded for the next column): one report per column, each naming the backend or
    /// the strategy, auto's with what it tried. Setup time is the whole block's first setup.
    /// </summary>
    public static IReadOnlyList<SolveReport> RunChosen(CsrMatrix a, DenseColumns b, DenseColumns x, string methodName, SolverOptions options, Device device)
    {
        if (b.Rows != a.Rows) throw new UsageException($"the right-hand side has {b.Rows} entries; the matrix has {a.Rows} rows");
        var clock = Stopwatch.StartNew();
        using var deviceMatrix = device.Upload(a);
        using ILinearSolver solver = methodName == "direct"
            ? new SparseDirectSolver(deviceMatrix, new DirectSolverOptions(), options)
            : new AutoSolver(deviceMatrix, new AutoSolverOptions { Solver = options });
        using var db = device.Allocate(a.Rows);
        using var dx = device.Allocate(a.Rows);
        double setup = clock.Elapsed.TotalSeconds;
        var reports = new SolveReport[b.Columns];
        for (int j = 0; j < b.Columns; j++)
        {
            db.CopyFrom(b.Column(j));
            dx.CopyFrom(x.Column(j));
            var result = solver.Solve(db, dx);
            dx.CopyTo(x.Column(j));
            reports[j] = Report(a, b.Column(j).ToArray(), x.Column(j).ToArray(), methodName, solver, result, device, setup);
        }
        return reports;
    }

    private static SolveReport Report(CsrMatrix a, double[] b, double[] x, string methodName, ILinearSolver solver, SolveResult result, Device device, double setup)
    {
        string label = solver switch
        {
            SparseDirectSolver direct => direct.Backend.ToString(),
            AutoSolver auto => auto.Choice?.Name ?? "none",
            _ => "none",
        };
        string? detail = solver switch
        {
            SparseDirectSolver { Failure: null } direct =>
                $"{direct.BackendNote}; factor nnz {direct.FactorNonZeros} (fill {direct.Fill:F1}), factored in {direct.FactorTime.TotalMilliseconds:F0} ms"
                + (result.Message.Length > 0 ? $"; {result.Message}" : ""),
            _ => string.IsNullOrEmpty(result.Message) ? null : result.Message,
        };
        return new SolveReport(methodName, label, device.Name, a.Rows, a.NonZeros, result.Converged, result.Reason.ToString(), result.Iterations,
            TrueRelativeResidual(a, x, b), setup, result.Elapsed.TotalSeconds, detail)
        {
            ResidualHistory = result.ResidualHistory,
            Attempts = solver is AutoSolver chooser ? chooser.Attempts.Select(t => t.ToString()).ToArray() : null,
        };
    }

    /// <summary>
    /// DCDM with the network in <paramref name="modelPath"/> on <paramref name="grid"/> ("64x64"; null: the square or cube
    /// of the model's dimension with a's size), falling back to <paramref name="fallback"/>'s residual direction.
    /// </summary>
    public static SolveReport RunDcdm(CsrMatrix a, double[] b, double[] x, string modelPath, string? grid, IPreconditionerFactory fallback,
        SolverOptions options, Device device)
    {
        if (!a.IsSquare) throw new UsageException($"the matrix is {a.Rows} x {a.Columns}; solve needs a square matrix");
        if (b.Length != a.Rows) throw new UsageException($"the right-hand side has {b.Length} entries; the matrix has {a.Rows} rows");
        var clock = Stopwatch.StartNew();
        var (network, _) = DcdmModelFile.Load(modelPath, device);
        using (network)
        {
            var shape = GridOf(grid, network.SpatialDimensions, a.Rows);
            using var directions = new NetworkDirection(network, shape);
            using var deviceMatrix = device.Upload(a);
            var m = fallback.Name == "none" ? null : fallback.Create(deviceMatrix);
            using var solver = new DeepConjugateDirections(deviceMatrix, directions, m, options);
            using var db = device.Upload(b);
            using var dx = device.Upload(x);
            double setup = clock.Elapsed.TotalSeconds;
            var result = solver.Solve(db, dx);
            dx.CopyTo(x);
            (m as IDisposable)?.Dispose();
            return new SolveReport("dcdm", fallback.Name, device.Name, a.Rows, a.NonZeros, result.Converged, result.Reason.ToString(), result.Iterations,
                TrueRelativeResidual(a, x, b), setup, result.Elapsed.TotalSeconds, string.IsNullOrEmpty(result.Message) ? null : result.Message)
            {
                ResidualHistory = result.ResidualHistory,
            };
        }
    }

    /// <summary>"NxN" or "NxNxN", or the square/cube of <paramref name="dimensions"/> that has <paramref name="size"/> points.</summary>
    internal static Shape GridOf(string? text, int dimensions, int size)
    {
        int[] sides;
        if (text is null)
        {
            int side = (int)Math.Round(Math.Pow(size, 1.0 / dimensions));
            sides = Enumerable.Repeat(side, dimensions).ToArray();
        }
        else
        {
            var parts = text.Split('x', 'X');
            sides = parts.Select(t => int.TryParse(t, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int v) && v > 0 ? v : -1).ToArray();
            if (sides.Any(v => v < 0)) throw new UsageException($"--grid '{text}' is not NxN or NxNxN");
        }
        if (sides.Length != dimensions)
            throw new UsageException($"the model is {dimensions}-D; --grid {string.Join("x", sides)} has {sides.Length} sides");
        if (sides.Aggregate(1L, (p, v) => p * v) != size)
            throw new UsageException(text is null
                ? $"{size} unknowns are not a {dimensions}-D square grid; give --grid"
                : $"--grid {text} has {sides.Aggregate(1L, (p, v) => p * v)} points; the matrix has {size} rows");
        if (sides.Any(v => v % 2 != 0)) throw new UsageException($"the grid {string.Join("x", sides)} has an odd side; the network needs even sides");
        return new Shape(sides);
    }

    /// <summary>
    /// Solves for the k columns of <paramref name="b"/> with one setup: CG and PCG run block CG on all columns at once (one
    /// block SpMV per iteration and a shared Krylov space, <see cref="BlockConjugateGradient"/>, up to its
    /// <see cref="BlockConjugateGradient.MaxColumns"/>), the other methods take them in turn.
    /// One report per column, each with its own true residual; setup and time are the whole block's.
    /// </summary>
    public static IReadOnlyList<SolveReport> RunColumns(CsrMatrix a, DenseColumns b, DenseColumns x, KrylovMethod method, IPreconditionerFactory preconditioner,
        SolverOptions options, int restart, Device device, int recycle = 10)
    {
        if (!a.IsSquare) throw new UsageException($"the matrix is {a.Rows} x {a.Columns}; solve needs a square matrix");
        if (b.Rows != a.Rows) throw new UsageException($"the right-hand sides have {b.Rows} rows; the matrix has {a.Rows}");

        var clock = Stopwatch.StartNew();
        using var deviceMatrix = device.Upload(a);
        var m = preconditioner.Create(deviceMatrix);
        using var db = device.Upload<double>(b.Values, Shape.Block(b.Rows, b.Columns));
        using var dx = device.Upload<double>(x.Values, Shape.Block(x.Rows, x.Columns));
        BlockSolveResult result;
        double setup;
        if (method is KrylovMethod.Cg or KrylovMethod.Pcg && b.Columns <= BlockConjugateGradient.MaxColumns)
        {
            using var solver = new BlockConjugateGradient(deviceMatrix, b.Columns, m, options);
            setup = clock.Elapsed.TotalSeconds;
            result = solver.Solve(db, dx);
        }
        else
        {
            using var solver = KrylovSolvers.Create(method, deviceMatrix, m, options, restart, recycle);
            setup = clock.Elapsed.TotalSeconds;
            result = solver.Solve(db, dx);
        }
        (m as IDisposable)?.Dispose();
        dx.CopyTo(x.Values);
        var reports = new SolveReport[b.Columns];
        for (int j = 0; j < b.Columns; j++)
        {
            var column = result.Columns[j];
            reports[j] = new SolveReport(method.ToString().ToLowerInvariant(), preconditioner.Name, device.Name, a.Rows, a.NonZeros,
                column.Converged, column.Reason.ToString(), column.Iterations, TrueRelativeResidual(a, x.Column(j).ToArray(), b.Column(j).ToArray()),
                setup, result.Elapsed.TotalSeconds, string.IsNullOrEmpty(column.Message) ? null : column.Message);
        }
        return reports;
    }

    /// <summary>‖b − Ax‖/‖b‖ by the serial reference SpMV in double: independent of the solver's kernels and device.</summary>
    public static double TrueRelativeResidual(CsrMatrix a, double[] x, double[] b)
    {
        var ax = new double[a.Rows];
        a.Multiply(x, ax);
        double rr = 0, bb = 0;
        for (int i = 0; i < ax.Length; i++)
        {
            double r = b[i] - ax[i];
            rr += r * r;
            bb += b[i] * b[i];
        }
        return bb == 0 ? Math.Sqrt(rr) : Math.Sqrt(rr / bb);
    }
}
