using System.Diagnostics;
using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Direct;

/// <summary>
/// A sparse direct solver bound to one matrix, as any <see cref="ILinearSolver"/>: the matrix is factored once on the
/// host (SuiteSparse's KLU, UMFPACK or CHOLMOD when loaded, else our managed LU or Cholesky; <see cref="Backend"/> says
/// which ran), and each <see cref="Solve(DeviceVector, DeviceVector)"/> is a pair of triangular solves followed by iterative refinement in double
/// while it reduces the true residual; the true residual is then checked against the tolerances. A singular matrix does not throw here: the solver is made, and every solve
/// stops with <see cref="StopReason.Singular"/> and the factorization's words, as PETSc's KSP reports a failed PCLU.
/// <para>
/// Threads: one solve at a time (a concurrent <see cref="Solve(DeviceVector, DeviceVector)"/> throws <see cref="InvalidOperationException"/>);
/// the matrix is only read.
/// </para>
/// </summary>
public sealed class SparseDirectSolver : ILinearSolver
{
    private CsrMatrix _a; // the values last factored: residuals are checked against them
    private readonly double[] _b, _x, _r;
    private readonly List<double> _history = [];
    private ISparseFactorization? _factors;
    private int _solving;
    private bool _disposed;

    /// <param name="a">A square matrix uploaded to any device; its host copy is factored.</param>
    /// <param name="options">Backend, ordering, pivoting, memory limit and refinement (defaults when null).</param>
    /// <param name="solverOptions">The tolerances a solve reports convergence against (the factorization itself does not iterate).</param>
    /// <exception cref="FactorMemoryException">The factors would not fit in the memory limit.</exception>
    public SparseDirectSolver(DeviceCsrMatrix a, DirectSolverOptions? options = null, SolverOptions? solverOptions = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!a.Host.IsSquare) throw new ArgumentException($"A direct solve needs a square matrix; this one is {a.Rows} x {a.Columns}.", nameof(a));
        DirectOptions = options ?? new DirectSolverOptions();
        DirectOptions.Validate();
        Options = solverOptions ?? SolverOptions.Default;
        Options.Validate();
        Operator = a;
        _a = a.Host;
        int n = _a.Rows;
        _b = new double[n];
        _x = new double[n];
        _r = new double[n];
        var clock = Stopwatch.StartNew();
        try
        {
            _factors = DirectFactorizations.Factor(_a, DirectOptions, out var tried);
            Backend = _factors.Backend;
            BackendNote = tried;
        }
        catch (SingularMatrixException e)
        {
            Failure = e;
            Backend = e.Backend;
            BackendNote = e.Message;
        }
        FactorTime = clock.Elapsed;
    }

    public ILinearOperator Operator { get; }
    public SolverOptions Options { get; }
    public DirectSolverOptions DirectOptions { get; }

    /// <summary>The implementation that factored the matrix (or failed to).</summary>
    public DirectBackend Backend { get; }

    /// <summary>Why this backend, in words ("CHOLMOD: symmetric with a positive diagonal"; what was tried before it).</summary>
    public string BackendNote { get; }

    /// <summary>The factorization's error when the matrix is singular; null when factored.</summary>
    public SingularMatrixException? Failure { get; }

    /// <summary>Wall time of the analysis and numeric factorization.</summary>
    public TimeSpan FactorTime { get; }

    /// <summary>nnz of the factors (0 when factoring failed).</summary>
    public long FactorNonZeros => _factors?.FactorNonZeros ?? 0;

    /// <summary>Fill: nnz(L + U)/nnz(A), with U = Lᵀ counted for a Cholesky factor (2 nnz(L) − n), so that 1 means no fill either way.</summary>
    public double Fill => _a.NonZeros == 0 || _factors is null ? 0
        : (Backend is DirectBackend.Cholmod or DirectBackend.ManagedCholesky ? 2.0 * FactorNonZeros - _a.Rows : FactorNonZeros) / _a.NonZeros;

    /// <summary>
    /// Solves A x = b: the initial content of <paramref name="x"/> is ignored (x0 = 0). Iterations is 1 (one
    /// application of the factors, refined inside as <see cref="DirectSolverOptions.RefinementSteps"/> says); the
    /// history holds ‖b − Ax‖/‖b‖ before (1) and after.
    /// </summary>
    public SolveResult Solve(DeviceVector b, DeviceVector x)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var device = Operator.Device;
        device.Check(b, _a.Rows, nameof(b));
        device.Check(x, _a.Rows, nameof(x));
        if (ReferenceEquals(b, x)) throw new ArgumentException("b and x must be different vectors.", nameof(x));
        Enter();
        try
        {
            b.CopyTo(_b);
            var result = SolveHost(_b, _x);
            x.CopyFrom(_x);
            return result;
        }
        finally
        {
            Volatile.Write(ref _solving, 0);
        }
    }

    /// <summary>The same solve on host arrays (length n each; they must not overlap).</summary>
    public SolveResult Solve(ReadOnlySpan<double> b, Span<double> x)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (b.Length != _a.Rows) throw new ArgumentException($"b has {b.Length} entries; the matrix has {_a.Rows} rows.", nameof(b));
        if (x.Length != _a.Rows) throw new ArgumentException($"x has {x.Length} entries; the matrix has {_a.Rows} rows.", nameof(x));
        Enter();
        try
        {
            return SolveHost(b, x);
        }
        finally
        {
            Volatile.Write(ref _solving, 0);
        }
    }

    /// <summary>
    /// Factors new values of the same pattern, keeping the ordering and symbolic analysis where the backend can; later
    /// solves use <paramref name="a"/> (the matrix given at construction is not changed).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="a"/> has another pattern.</exception>
    /// <exception cref="SingularMatrixException">The new values are singular.</exception>
    public void Refactor(CsrMatrix a)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(a);
        if (!a.HasSamePattern(_a)) throw new ArgumentException("The matrix does not have the pattern this solver was factored for.", nameof(a));
        if (_factors is null) throw new InvalidOperationException("The first factorization failed (the matrix was singular); make a new solver.");
        Enter();
        try
        {
            _factors.Refactor(a);
            _a = a;
        }
        finally
        {
            Volatile.Write(ref _solving, 0);
        }
    }

    private void Enter()
    {
        if (Interlocked.CompareExchange(ref _solving, 1, 0) != 0)
            throw new InvalidOperationException("This solver is already solving on another thread; create one solver per thread.");
    }

    private SolveResult SolveHost(ReadOnlySpan<double> b, Span<double> x)
    {
        var clock = Stopwatch.StartNew();
        _history.Clear();
        double bNorm = Norm(b);
        if (!double.IsFinite(bNorm)) return Result(StopReason.NaNOrInfinity, 0, double.NaN, clock, "b contains NaN or infinity");
        if (_factors is null)
        {
            x.Clear();
            return Result(StopReason.Singular, 0, double.NaN, clock, Failure!.Message);
        }
        if (bNorm == 0)
        {
            x.Clear();
            _history.Add(0);
            return Result(StopReason.ConvergedRelative, 0, 0, clock);
        }

        try
        {
            _factors.Solve(b, x); // refined inside, as DirectSolverOptions.RefinementSteps says
        }
        catch (SingularMatrixException e)
        {
            x.Clear();
            return Result(StopReason.Singular, 1, double.NaN, clock, e.Message);
        }
        double rNorm = Residual(b, x);
        _history.Add(1); // x0 = 0: one application of the factors, as PETSc's preonly counts it
        _history.Add(rNorm / bNorm);
        if (!double.IsFinite(rNorm))
            return Result(StopReason.NaNOrInfinity, 1, double.NaN, clock, "the factors gave a non-finite solution: the matrix is numerically singular");
        if (Meets(rNorm, bNorm))
            return Result(rNorm <= Options.RelativeTolerance * bNorm ? StopReason.ConvergedRelative : StopReason.ConvergedAbsolute, 1, rNorm / bNorm, clock);
        return Result(StopReason.Stagnation, 1, rNorm / bNorm, clock,
            $"the direct solve's residual {rNorm / bNorm:E2} misses the tolerance after iterative refinement: the matrix is ill-conditioned");
    }

    private bool Meets(double rNorm, double bNorm) => rNorm <= Math.Max(Options.RelativeTolerance * bNorm, Options.AbsoluteTolerance);

    /// <summary>_r = b − A x in double; returns ‖_r‖.</summary>
    private double Residual(ReadOnlySpan<double> b, ReadOnlySpan<double> x)
    {
        _a.ResidualRows(0, _a.Rows, x, b, _r);
        return Norm(_r);
    }

    private static double Norm(ReadOnlySpan<double> v)
    {
        double s = 0;
        foreach (double e in v) s += e * e;
        return Math.Sqrt(s);
    }

    private SolveResult Result(StopReason reason, int steps, double relative, Stopwatch clock, string message = "") =>
        new(reason.IsConverged(), reason, steps, relative, Options.RecordHistory ? _history.ToArray() : [], clock.Elapsed, message);

    /// <summary>Frees the factors (native memory for SuiteSparse's).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _factors?.Dispose();
        _factors = null;
    }
}
