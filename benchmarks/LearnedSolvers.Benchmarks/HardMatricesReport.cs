using System.Diagnostics;
using System.Globalization;
using LearnedSolvers.Auto;
using LearnedSolvers.Devices;
using LearnedSolvers.Direct;
using LearnedSolvers.Direct.SuiteSparse;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Sparse;
using LearnedSolvers.Sparse.Orderings;
using LearnedSolvers.Sparse.Scaling;

namespace LearnedSolvers.Benchmarks;

/// <summary>
/// `-- hard [DIR]`: every Matrix Market file in DIR (default tests/data/matrices), b = A·ones. Per matrix: each direct
/// backend (factor and solve ms, fill nnz(L+U)/nnz(A), true residual); GMRES(30) with ILUTP on the matrix as given and
/// after matching and scaling (with and without RCM) at two settings (iterations to 1e-8 on the original residual, at
/// most 500; setup and solve ms; fill); and `--method auto` (choice, time, residual). Best of three for times.
/// </summary>
public static class HardMatricesReport
{
    private const int MaxIterations = 500;

    public static void Run(string directory)
    {
        var device = Device.Cpu;
        var ci = CultureInfo.InvariantCulture;
        Console.WriteLine($"# hard matrices from {directory}, b = A·ones, {DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, SuiteSparse {SuiteSparseLibrary.Version?.ToString() ?? "absent"}");
        Console.WriteLine();
        Console.WriteLine("| matrix | n | nnz | method | preconditioner | ordering/scaling | iterations | setup ms | solve ms | fill | residual |");
        Console.WriteLine("|---|---:|---:|---|---|---|---:|---:|---:|---:|---:|");
        foreach (var path in Directory.GetFiles(directory, "*.mtx").Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileNameWithoutExtension(path);
            var a = MatrixMarketReader.ReadMatrix(path);
            var b = new double[a.Rows];
            a.Multiply(Enumerable.Repeat(1.0, a.Columns).ToArray(), b);
            void Row(string method, string preconditioner, string ordering, string iterations, double setup, double solve, double fill, double residual) =>
                Console.WriteLine(string.Create(ci, $"| {name} | {a.Rows} | {a.NonZeros} | {method} | {preconditioner} | {ordering} | {iterations} | {setup:F1} | {solve:F2} | {fill:F2} | {residual:E1} |"));

            bool symmetric = a.IsSymmetric(MatrixProperties.SymmetryTolerance);
            var backends = new List<DirectBackend> { DirectBackend.ManagedLu };
            if (symmetric) backends.Add(DirectBackend.ManagedCholesky);
            if (SuiteSparseLibrary.IsAvailable)
            {
                backends.AddRange([DirectBackend.Klu, DirectBackend.Umfpack]);
                if (symmetric) backends.Add(DirectBackend.Cholmod);
            }
            using var da = device.Upload(a);
            foreach (var backend in backends)
            {
                var (setup, solve, residual, fill, failure) = Direct(da, b, backend);
                if (failure is not null) Row("direct", backend.ToString(), "AMD", failure, setup, 0, 0, double.NaN);
                else Row("direct", backend.ToString(), "AMD", "1", setup, solve, fill, residual);
            }
            foreach (var (tau, fillPerRow) in new[] { (1e-3, 10), (1e-4, 20) })
            {
                foreach (var (label, system) in Systems(a))
                {
                    var (iterations, setup, solve, fill, residual) = Ilutp(system, b, tau, fillPerRow, device);
                    Row("gmres(30)", $"ilutp({tau:G1}, {fillPerRow})", label, iterations, setup, solve, fill, residual);
                }
            }
            {
                var clock = Stopwatch.StartNew();
                using var auto = new AutoSolver(da);
                using var db = device.Upload(b);
                using var dx = device.Allocate(a.Rows);
                var result = auto.Solve(db, dx);
                double total = clock.Elapsed.TotalMilliseconds;
                var x = dx.ToArray();
                Row("auto", auto.Choice?.Name ?? "none", "", result.Converged ? result.Iterations.ToString(ci) : result.Reason.ToString(), total - result.Elapsed.TotalMilliseconds, result.Elapsed.TotalMilliseconds, 0, Residual(a, x, b));
                var iterative = new AutoSolver(da, new AutoSolverOptions { DirectFirstRows = 0, IterationsPerAttempt = MaxIterations });
                using (iterative)
                {
                    dx.CopyFrom(new double[a.Rows]);
                    clock.Restart();
                    result = iterative.Solve(db, dx);
                    total = clock.Elapsed.TotalMilliseconds;
                    Row("auto, no direct first", iterative.Choice?.Name ?? "none", "", result.Converged ? result.Iterations.ToString(ci) : result.Reason.ToString(), total - result.Elapsed.TotalMilliseconds, result.Elapsed.TotalMilliseconds, 0, Residual(a, dx.ToArray(), b));
                }
            }
        }
    }

    private static IEnumerable<(string Label, ScaledPermutedSystem System)> Systems(CsrMatrix a)
    {
        yield return ("as given", new ScaledPermutedSystem(a));
        ScaledPermutedSystem? matched = null, rcm = null;
        try
        {
            matched = ScaledPermutedSystem.FromMatching(a);
            rcm = ScaledPermutedSystem.FromMatching(a, SymmetricOrdering.ReverseCuthillMcKee);
        }
        catch (StructurallySingularException)
        {
        }
        if (matched is not null) yield return ("matching + scaling", matched);
        if (rcm is not null) yield return ("matching + scaling + RCM", rcm);
    }

    private static (double Setup, double Solve, double Residual, double Fill, string? Failure) Direct(DeviceCsrMatrix a, double[] b, DirectBackend backend)
    {
        double bestSetup = double.PositiveInfinity, bestSolve = double.PositiveInfinity, residual = double.NaN, fill = 0;
        for (int round = 0; round < 3; round++)
        {
            var clock = Stopwatch.StartNew();
            using var solver = new SparseDirectSolver(a, new DirectSolverOptions { Backend = backend }, new SolverOptions(RelativeTolerance: 1e-14));
            bestSetup = Math.Min(bestSetup, clock.Elapsed.TotalMilliseconds);
            if (solver.Failure is not null) return (bestSetup, 0, double.NaN, 0, solver.Failure.NotPositiveDefinite ? "not SPD" : "singular");
            var x = new double[a.Rows];
            clock.Restart();
            solver.Solve(b, x);
            bestSolve = Math.Min(bestSolve, clock.Elapsed.TotalMilliseconds);
            residual = Residual(a.Host, x, b);
            fill = solver.Fill;
        }
        return (bestSetup, bestSolve, residual, fill, null);
    }

    private static (string Iterations, double Setup, double Solve, double Fill, double Residual) Ilutp(ScaledPermutedSystem system, double[] b, double tau, int fill, Device device)
    {
        var original = system.Original;
        double bestSetup = double.PositiveInfinity, bestSolve = double.PositiveInfinity, residual = double.NaN, ratio = 0;
        string iterations = "";
        for (int round = 0; round < 3; round++)
        {
            var clock = Stopwatch.StartNew();
            var matrix = system.Matrix;
            using var dm = device.Upload(matrix);
            IncompleteLuThresholdPivoting m;
            try
            {
                m = new IncompleteLuThresholdPivoting(matrix, tau, fill, device: device);
            }
            catch (ZeroPivotException)
            {
                return ("zero pivot", clock.Elapsed.TotalMilliseconds, 0, 0, double.NaN);
            }
            using (m)
            {
                bestSetup = Math.Min(bestSetup, clock.Elapsed.TotalMilliseconds);
                ratio = m.FillRatio;
                var bHat = system.TransformRightHandSide(b);
                using var db = device.Upload(bHat);
                using var dx = device.Allocate(matrix.Rows);
                // The row scaling changes norms: ask the transformed solve for 1e-8 over the scaling's spread, so the original meets 1e-8.
                double spread = system.RowScaling.Max() / system.RowScaling.Min();
                using var gmres = new Gmres(dm, m, new SolverOptions(RelativeTolerance: Math.Max(1e-15, 1e-8 / Math.Sqrt(spread)), MaxIterations: MaxIterations), 30);
                clock.Restart();
                var result = gmres.Solve(db, dx);
                bestSolve = Math.Min(bestSolve, clock.Elapsed.TotalMilliseconds);
                var x = system.RecoverSolution(dx.ToArray());
                residual = Residual(original, x, b);
                iterations = residual <= 1e-8 ? result.Iterations.ToString(CultureInfo.InvariantCulture) : $"{result.Reason} ({result.Iterations})";
            }
        }
        return (iterations, bestSetup, bestSolve, ratio, residual);
    }

    private static double Residual(CsrMatrix a, double[] x, double[] b)
    {
        var ax = new double[a.Rows];
        a.Multiply(x, ax);
        double rr = 0, bb = 0;
        for (int i = 0; i < ax.Length; i++)
        {
            rr += (b[i] - ax[i]) * (b[i] - ax[i]);
            bb += b[i] * b[i];
        }
        return Math.Sqrt(rr / bb);
    }
}
