using LearnedSolvers.Sparse;

namespace LearnedSolvers.Direct.SuiteSparse;

/// <summary>
/// Sparse LU by SuiteSparse's UMFPACK (T. A. Davis, "Algorithm 832: UMFPACK V4.3, an unsymmetric-pattern multifrontal
/// method", ACM TOMS 30(2), 2004): a column ordering (COLAMD, or AMD on A + Aᵀ for nearly symmetric patterns) and a
/// multifrontal factorization with threshold partial pivoting and BLAS-3 dense kernels; the general-purpose choice for
/// nonsymmetric matrices with more fill than circuits.
/// </summary>
/// <remarks>
/// UMFPACK reads column-compressed matrices; the row-compressed arrays of A are the column-compressed arrays of Aᵀ, so
/// UMFPACK factors Aᵀ and solves with its transpose system (UMFPACK_At) without a copy of A. A singular pivot is
/// therefore found in a row of A, which <see cref="SingularMatrixException"/>'s message names. The matrix given to
/// <see cref="Factor"/> or <see cref="Refactor"/> is kept (not copied) for iterative refinement: do not change its values
/// while this factorization is in use. Not safe for concurrent <see cref="Solve"/> calls (shared workspace).
/// </remarks>
public sealed unsafe class UmfpackFactorization : ISparseFactorization, IFactorSolve
{
    /// <summary>Peak memory over the factor's own entries under the symmetric strategy (frontal matrices, pivoting slack).</summary>
    private const double FrontalMargin = 1.5;

    private readonly UmfpackApi _api;
    private readonly IterativeRefinement _refinement;
    private readonly double[] _control = new double[UmfpackApi.ControlLength];
    private readonly double[] _info = new double[UmfpackApi.InfoLength];
    private readonly int[] _solveIndexWork;
    private readonly double[] _solveWork;
    private void* _symbolic;
    private void* _numeric;
    private CsrMatrix _matrix;
    private bool _disposed;

    private UmfpackFactorization(UmfpackApi api, CsrMatrix a, DirectSolverOptions options)
    {
        _api = api;
        _matrix = a;
        Size = a.Rows;
        _refinement = new IterativeRefinement(a.Rows, options.RefinementSteps);
        _solveIndexWork = new int[a.Rows];
        _solveWork = new double[a.Rows];
        fixed (double* control = _control) api.Defaults(control);
        _control[UmfpackApi.ControlPrintLevel] = 0;
        _control[UmfpackApi.ControlPivotTolerance] = options.PivotTolerance;
        _control[UmfpackApi.ControlSymmetricPivotTolerance] = options.PivotTolerance;
        // Refinement runs in IterativeRefinement, the same for every backend; UMFPACK's own would need 5n more workspace.
        _control[UmfpackApi.ControlIterativeRefinementSteps] = 0;
        switch (options.Ordering)
        {
            case DirectOrdering.Amd:
                _control[UmfpackApi.ControlStrategy] = UmfpackApi.StrategySymmetric;
                _control[UmfpackApi.ControlOrdering] = UmfpackApi.OrderingAmd;
                break;
            case DirectOrdering.Natural:
                _control[UmfpackApi.ControlOrdering] = UmfpackApi.OrderingNone;
                break;
        }
    }

    /// <summary>Analyzes, checks UMFPACK's peak memory estimate against the limit, and factors <paramref name="a"/>.</summary>
    /// <param name="a">A square matrix; kept (not copied) for iterative refinement.</param>
    /// <param name="options">Pivot tolerance (UMFPACK's pivot and symmetric pivot tolerances), ordering (Auto: UMFPACK's choice of COLAMD or AMD; Amd: the symmetric strategy with AMD on A + Aᵀ; Natural: no fill-reducing ordering), memory limit, refinement steps.</param>
    /// <exception cref="SuiteSparseUnavailableException">UMFPACK is not loaded.</exception>
    /// <exception cref="FactorMemoryException">UMFPACK's peak memory estimate exceeds the memory limit.</exception>
    /// <exception cref="SingularMatrixException">A is singular.</exception>
    public static UmfpackFactorization Factor(CsrMatrix a, DirectSolverOptions? options = null)
    {
        options = SuiteSparseChecks.CheckArguments(a, options);
        return SuiteSparseChecks.FactorOrDispose(new UmfpackFactorization(SuiteSparseLibrary.RequireUmfpack(), a, options), f =>
        {
            f.Analyze(options);
            f.FactorNumeric();
        });
    }

    ~UmfpackFactorization() => Free();

    /// <inheritdoc/>
    public int Size { get; }

    /// <inheritdoc/>
    public DirectBackend Backend => DirectBackend.Umfpack;

    /// <summary>nnz(L) + nnz(U), diagonals included, as UMFPACK reports them.</summary>
    public long FactorNonZeros { get; private set; }

    /// <summary>Bytes the analysis predicts at the peak (what the memory limit was checked against): AMD's L + U count with a margin under the symmetric strategy, else UMFPACK's upper bound.</summary>
    public double EstimatedBytes { get; private set; }

    /// <inheritdoc/>
    public void Solve(ReadOnlySpan<double> b, Span<double> x)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _refinement.RequireSolveLengths(b, x);
        if (_numeric == null) throw SuiteSparseChecks.RefactorFailed(Backend);
        _refinement.Solve(_matrix, this, Backend, b, x);
    }

    void IFactorSolve.SolveWithFactors(ReadOnlySpan<double> b, Span<double> x)
    {
        int status;
        fixed (int* ap = _matrix.RowPointers, ai = _matrix.ColumnIndices, wi = _solveIndexWork)
        fixed (double* ax = _matrix.Values, px = x, pb = b, control = _control, info = _info, w = _solveWork)
        {
            status = _api.WorkspaceSolve(UmfpackApi.SystemTranspose, ap, ai, ax, px, pb, _numeric, control, info, wi, w);
        }
        if (status != UmfpackApi.StatusOk) throw Failure(status, "solve");
        // The finalizer frees the native factors: keep this object alive until the native call is over.
        GC.KeepAlive(this);
    }

    /// <summary>Factors new values on the kept ordering and symbolic analysis (pivots are chosen again).</summary>
    public void Refactor(CsrMatrix a)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        SuiteSparseChecks.CheckSamePattern(_matrix, a);
        _matrix = a;
        FactorNumeric();
    }

    private void Analyze(DirectSolverOptions options)
    {
        int status;
        void* symbolic = null;
        fixed (int* ap = _matrix.RowPointers, ai = _matrix.ColumnIndices)
        fixed (double* ax = _matrix.Values, control = _control, info = _info)
        {
            status = _api.Symbolic(Size, Size, ap, ai, ax, &symbolic, control, info);
        }
        _symbolic = symbolic;
        if (status != UmfpackApi.StatusOk) throw Failure(status, "symbolic analysis");
        // UMFPACK's peak estimate bounds every pivot sequence and ran 30x above the measured peak on a 2D Poisson
        // matrix (2 GB predicted, 61 MB used at 300²). With the symmetric strategy the diagonal pivots usually hold,
        // and AMD's count of L + U matched the factor within 2% there; 1.5 times it covers the frontal work.
        double upperBound = _info[UmfpackApi.InfoPeakMemoryEstimate] * _info[UmfpackApi.InfoSizeOfUnit];
        double symmetricEntries = _info[UmfpackApi.InfoSymmetricLuNonZeros];
        double factorBytes = _info[UmfpackApi.InfoStrategyUsed] == UmfpackApi.StrategySymmetric && symmetricEntries > 0
            ? Math.Min(upperBound, FrontalMargin * symmetricEntries * SuiteSparseChecks.BytesPerEntry)
            : upperBound;
        EstimatedBytes = factorBytes + Size * SuiteSparseChecks.BytesPerRow;
        SuiteSparseChecks.CheckMemory(Backend, EstimatedBytes, options);
    }

    private void FactorNumeric()
    {
        FreeNumeric();
        int status;
        void* numeric = null;
        fixed (int* ap = _matrix.RowPointers, ai = _matrix.ColumnIndices)
        fixed (double* ax = _matrix.Values, control = _control, info = _info)
        {
            status = _api.Numeric(ap, ai, ax, _symbolic, &numeric, control, info);
        }
        _numeric = numeric;
        if (status == UmfpackApi.WarningSingularMatrix)
        {
            string detail = SingularDetail();
            FreeNumeric();
            throw new SingularMatrixException(Backend, -1, detail: detail);
        }
        if (status != UmfpackApi.StatusOk)
        {
            FreeNumeric();
            throw Failure(status, "numeric factorization");
        }
        FactorNonZeros = (long)(_info[UmfpackApi.InfoLnz] + _info[UmfpackApi.InfoUnz]);
    }

    /// <summary>The first zero on U's diagonal: UMFPACK's column Q[k] of Aᵀ is a row of A.</summary>
    private string SingularDetail()
    {
        var q = new int[Size];
        var diagonal = new double[Size];
        int reciprocal, status;
        fixed (int* pq = q)
        fixed (double* pd = diagonal)
        {
            status = _api.GetNumeric(null, null, null, null, null, null, null, pq, pd, &reciprocal, null, _numeric);
        }
        if (status == UmfpackApi.StatusOk)
        {
            for (int k = 0; k < Size; k++)
                if (diagonal[k] == 0 && q[k] >= 0 && q[k] < Size)
                    return SuiteSparseChecks.NoPivotInRow(q[k]);
        }
        return $"U has {Size - (long)_info[UmfpackApi.InfoUDiagonalNonZeros]} zero pivots";
    }

    private Exception Failure(int status, string step) => status switch
    {
        UmfpackApi.ErrorOutOfMemory => SuiteSparseChecks.OutOfMemory(Backend, step),
        _ => new InvalidOperationException($"UMFPACK's {step} failed with status {status} (umfpack.h lists the codes)."),
    };

    /// <summary>Frees UMFPACK's factors and analysis; further calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        if (_disposed) return;
        _disposed = true;
        FreeNumeric();
        if (_symbolic != null)
        {
            void* symbolic = _symbolic;
            _api.FreeSymbolic(&symbolic);
            _symbolic = null;
        }
    }

    private void FreeNumeric()
    {
        if (_numeric == null) return;
        void* numeric = _numeric;
        _api.FreeNumeric(&numeric);
        _numeric = null;
    }
}
