using System.Diagnostics;
using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
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
        var deviceMatrix = device.Upload(a);
        var m = preconditioner.Create(deviceMatrix);
        if (hierarchyOut is not null && m is MultigridPreconditioner multigrid) hierarchyOut.WriteLine(multigrid.Hierarchy.Summary());
        using var solver = KrylovSolvers.Create(method, deviceMatrix, m, options, restart, recycle);
        var db = device.Upload(b);
        var dx = device.Upload(x);
        double setup = clock.Elapsed.TotalSeconds;

        var result = solver.Solve(db, dx);
        dx.CopyTo(x);
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
            string.IsNullOrEmpty(result.Message) ? null : result.Message);
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
