using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Sparse;
using MathNet.Numerics;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double;
using MathNet.Numerics.LinearAlgebra.Double.Solvers;
using MathNet.Numerics.LinearAlgebra.Solvers;
using MathNet.Numerics.LinearAlgebra.Storage;
using MathNetPreconditioner = MathNet.Numerics.LinearAlgebra.Solvers.IPreconditioner<double>;

namespace LearnedSolvers.Interop;

/// <summary>
/// Our Krylov solvers behind MathNet's <see cref="IIterativeSolver{T}"/>, so a MathNet user changes one line:
/// <c>A.SolveIterative(b, new MathNetSolver(KrylovMethod.Cg), iterator, preconditioner)</c>. Runs on the CPU device.
/// <para>
/// Per solve: the iterator's iteration limit and residual tolerance become our <see cref="SolverOptions"/>
/// (<see cref="MathNetStopCriteria"/>); the preconditioner is used as ours (a <see cref="LearnedSolversPreconditioner"/>
/// is unwrapped; any other MathNet one goes through <see cref="MathNetPreconditionerAdapter"/>;
/// <see cref="UnitPreconditioner{T}"/> means none); <c>result</c> is the initial guess and receives the solution; then the
/// iterator is reset and asked once to judge the final iterate with its true residual b − Ax, so its
/// <see cref="Iterator{T}.Status"/> reads as MathNet's own solvers would leave it (Converged, StoppedWithoutConvergence,
/// Diverged or Failure, by the criteria the user chose). A solve that stopped early for a reason no criterion sees
/// (breakdown, an indefinite matrix, stagnation) is reported as StoppedWithoutConvergence when the iterator has an
/// iteration limit, and otherwise throws <see cref="NumericalBreakdownException"/>, as MathNet's BiCgStab does on breakdown
/// (<c>result</c> holds the last iterate either way). An iterator already cancelled stops the solve before it starts.
/// </para>
/// <para>
/// Repeated solves with the same matrix instance reuse its conversion, the preconditioner setup and the solver
/// workspace: each solve compares the matrix's arrays with the cached copy (one read pass, far cheaper than setup) and
/// converts again only when a value or the pattern changed. Not thread-safe: use one instance per thread.
/// </para>
/// </summary>
public sealed class MathNetSolver : IIterativeSolver<double>
{
    private readonly Device _device = Device.Cpu;

    // Matrix cache: the last MathNet matrix, its conversion and the uploaded operator.
    private Matrix<double>? _matrix;
    private CsrMatrix? _csr;
    private double[]? _denseSnapshot;
    private DeviceCsrMatrix? _operator;

    // Preconditioner cache: valid for the current conversion only.
    private MathNetPreconditioner? _mathNetPreconditioner;
    private IPreconditioner? _preconditioner;

    // Solver cache: valid for the current operator, preconditioner and options.
    private KrylovSolver? _solver;

    // Workspace: b, x and the true residual, each as our vector and as a MathNet vector over the same array.
    private double[] _b = [], _x = [], _r = [];
    private CpuVector? _bVector, _xVector, _rVector;
    private DenseVector? _bDense, _xDense, _rDense;

    /// <param name="method">The Krylov method.</param>
    /// <param name="restart">Steps per cycle for GMRES and FGMRES (≥ 1); ignored by the other methods.</param>
    /// <param name="symmetricPreconditioner">
    /// Declares MathNet preconditioners symmetric (see <see cref="MathNetPreconditionerAdapter"/>), as CG requires.
    /// <c>DiagonalPreconditioner</c> counts as symmetric regardless.
    /// </param>
    public MathNetSolver(KrylovMethod method, int restart = 30, bool symmetricPreconditioner = false)
    {
        if (!Enum.IsDefined(method)) throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown Krylov method.");
        ArgumentOutOfRangeException.ThrowIfLessThan(restart, 1);
        Method = method;
        Restart = restart;
        SymmetricPreconditioner = symmetricPreconditioner;
    }

    public KrylovMethod Method { get; }
    public int Restart { get; }
    public bool SymmetricPreconditioner { get; }

    /// <summary>Our account of the last solve (stop reason, iterations, true relative residual); null before the first.</summary>
    public SolveResult? LastResult { get; private set; }

    /// <summary>How many times a MathNet matrix was converted (cache misses); for tests and diagnostics.</summary>
    internal int Conversions { get; private set; }

    /// <summary>Solves A x = b with x = <paramref name="result"/> as the initial guess; see the class remarks.</summary>
    /// <param name="matrix">The square matrix A.</param>
    /// <param name="input">The right-hand side b.</param>
    /// <param name="result">The initial guess on entry, the solution on return.</param>
    /// <param name="iterator">The stop criteria; MathNet's defaults when null.</param>
    /// <param name="preconditioner">A MathNet preconditioner, or null for none.</param>
    public void Solve(Matrix<double> matrix, Vector<double> input, Vector<double> result, Iterator<double> iterator, MathNetPreconditioner preconditioner)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(result);
        if (matrix.RowCount != matrix.ColumnCount)
            throw new ArgumentException($"The matrix is {matrix.RowCount} x {matrix.ColumnCount}; a Krylov solver needs a square one.", nameof(matrix));
        int n = matrix.RowCount;
        if (input.Count != n) throw new ArgumentException($"input has length {input.Count}; the matrix is {n} x {n}.", nameof(input));
        if (result.Count != n) throw new ArgumentException($"result has length {result.Count}; the matrix is {n} x {n}.", nameof(result));
        if (ReferenceEquals(input, result)) throw new ArgumentException("input and result must be different vectors.", nameof(result));

        iterator ??= new Iterator<double>(Matrix<double>.Build.IterativeSolverStopCriteria());
        if (iterator.Status == IterationStatus.Cancelled) return;
        var criteria = MathNetStopCriteria.From(iterator);
        // Each solve is a fresh calculation for the criteria (they keep per-solve state such as the last iteration
        // seen); MathNet's multi-column TrySolveIterative reuses one iterator without resetting it.
        iterator.Reset();

        UseMatrix(matrix);
        UseWorkspace(n);
        input.CopyTo(_bDense!);
        result.CopyTo(_xDense!);
        var m = UsePreconditioner(matrix, preconditioner);
        var options = criteria.ToSolverOptions(_b);
        if (_solver is null || !ReferenceEquals(_solver.Preconditioner, m) || _solver.Options != options)
        {
            _solver?.Dispose();
            _solver = KrylovSolvers.Create(Method, _operator!, m, options, Restart);
        }

        var outcome = _solver.Solve(_bVector!, _xVector!);
        LastResult = outcome;
        _xDense!.CopyTo(result);

        // The true residual b − Ax of the returned x: what MathNet's solvers hand the iterator when they stop.
        _operator!.Apply(_xVector!, _rVector!);
        _device.Axpby(1, _bVector!, -1, _rVector!);
        var status = iterator.DetermineStatus(outcome.Iterations, result, input, _rDense!);
        if (status != IterationStatus.Continue || outcome.Converged) return;

        // Stopped early for a reason the criteria do not see: report it as the iteration limit would.
        if (criteria.MaximumIterations is { } limit && iterator.DetermineStatus(Math.Max(limit, outcome.Iterations), result, input, _rDense!) != IterationStatus.Continue)
            return;
        throw new NumericalBreakdownException($"{Method} stopped without converging and no stop criterion of the iterator applies: {outcome}");
    }

    /// <summary>Converts <paramref name="matrix"/> unless it is the cached instance with unchanged arrays.</summary>
    private void UseMatrix(Matrix<double> matrix)
    {
        if (ReferenceEquals(matrix, _matrix) && MatchesCache(matrix)) return;
        _csr = MathNetConversions.FromMathNet(matrix);
        _denseSnapshot = matrix.Storage is DenseColumnMajorMatrixStorage<double> d ? (double[])d.Data.Clone() : null;
        _operator?.Dispose();
        _operator = _device.Upload(_csr);
        _matrix = matrix;
        Conversions++;
        _mathNetPreconditioner = null;
        _preconditioner = null;
        _solver?.Dispose(); // its workspace is sized for the previous matrix
        _solver = null;
    }

    private bool MatchesCache(Matrix<double> matrix)
    {
        var a = _csr!;
        switch (matrix.Storage)
        {
            case SparseCompressedRowMatrixStorage<double> s:
                int nnz = s.RowPointers[s.RowCount];
                return nnz == a.NonZeros
                    && s.RowPointers.AsSpan(0, s.RowCount + 1).SequenceEqual(a.RowPointers)
                    && s.ColumnIndices.AsSpan(0, nnz).SequenceEqual(a.ColumnIndices.AsSpan(0, nnz))
                    && s.Values.AsSpan(0, nnz).SequenceEqual(a.Values.AsSpan(0, nnz));
            case DenseColumnMajorMatrixStorage<double> d:
                return _denseSnapshot is not null && d.Data.AsSpan().SequenceEqual(_denseSnapshot);
            default:
                // Diagonal or custom storage: no arrays to compare; converting is as cheap as comparing.
                return false;
        }
    }

    private IPreconditioner? UsePreconditioner(Matrix<double> matrix, MathNetPreconditioner? preconditioner)
    {
        if (preconditioner is null or UnitPreconditioner<double>) return null;
        // Reuse the setup unless it is another instance, or ours was re-initialized elsewhere (e.g. by a MathNet solver).
        if (ReferenceEquals(preconditioner, _mathNetPreconditioner)
            && (preconditioner is not LearnedSolversPreconditioner wrapped || ReferenceEquals(wrapped.Preconditioner, _preconditioner)))
            return _preconditioner;
        _preconditioner = preconditioner switch
        {
            LearnedSolversPreconditioner ours => InitializeOurs(ours),
            _ => new MathNetPreconditionerAdapter(preconditioner, matrix, SymmetricPreconditioner || preconditioner is DiagonalPreconditioner),
        };
        _mathNetPreconditioner = preconditioner;
        return _preconditioner;
    }

    /// <summary>Ours wrapped for MathNet: use it directly, built from the conversion already made.</summary>
    private IPreconditioner InitializeOurs(LearnedSolversPreconditioner ours)
    {
        ours.Initialize(_csr!);
        return ours.Preconditioner!;
    }

    private void UseWorkspace(int n)
    {
        if (_b.Length == n && _bVector is not null) return;
        _b = new double[n];
        _x = new double[n];
        _r = new double[n];
        _bVector = CpuVector.Wrap(_b);
        _xVector = CpuVector.Wrap(_x);
        _rVector = CpuVector.Wrap(_r);
        _bDense = new DenseVector(_b);
        _xDense = new DenseVector(_x);
        _rDense = new DenseVector(_r);
    }
}
