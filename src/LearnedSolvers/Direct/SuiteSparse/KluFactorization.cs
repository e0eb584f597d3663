using System.Runtime.InteropServices;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Direct.SuiteSparse;

/// <summary>
/// Sparse LU by SuiteSparse's KLU (T. A. Davis and E. Palamadai Natarajan, "Algorithm 907: KLU, a direct sparse solver
/// for circuit simulation problems", ACM TOMS 37(3), 2010): a block triangular form, a fill-reducing ordering of each
/// block, then left-looking LU with threshold partial pivoting. Fast on the very sparse, nearly-triangular matrices of
/// circuits, and its refactorization reuses the pivot order, which suits sequences of matrices with one pattern.
/// </summary>
/// <remarks>
/// KLU reads column-compressed matrices; the row-compressed arrays of A are the column-compressed arrays of Aᵀ, so KLU
/// factors Aᵀ and <c>klu_tsolve</c> solves (Aᵀ)ᵀx = b without a copy of A. A singular pivot is therefore found in a
/// row of A, and <see cref="SingularMatrixException"/> names that row in its message. The matrix given to
/// <see cref="Factor"/> or <see cref="Refactor"/> is kept (not copied) for iterative refinement: do not change its
/// values while this factorization is in use. Not safe for concurrent <see cref="Solve"/> calls (shared workspace).
/// </remarks>
public sealed unsafe class KluFactorization : ISparseFactorization, IFactorSolve
{
    /// <summary>Refactor chooses pivots again when the crude condition estimate falls this far below the pivoting factorization's.</summary>
    private const double ConditionDropForRepivot = 1e-3;

    private readonly KluApi _api;
    private readonly IterativeRefinement _refinement;
    private KluCommon* _common;
    private KluSymbolic* _symbolic;
    private KluNumeric* _numeric;
    private CsrMatrix _matrix;
    private double _pivotedConditionEstimate;

    private KluFactorization(KluApi api, CsrMatrix a, DirectSolverOptions options)
    {
        _api = api;
        _matrix = a;
        Size = a.Rows;
        _refinement = new IterativeRefinement(a.Rows, options.RefinementSteps);
        _common = (KluCommon*)NativeMemory.AllocZeroed((nuint)sizeof(KluCommon));
        api.Defaults(_common);
        _common->Tol = options.PivotTolerance;
        switch (options.Ordering)
        {
            case DirectOrdering.Amd: _common->Ordering = KluApi.OrderingAmd; break;
            case DirectOrdering.Natural: _common->Btf = 0; break;
        }
    }

    /// <summary>Analyzes, checks the memory estimate against the limit, and factors <paramref name="a"/>.</summary>
    /// <param name="a">A square matrix; kept (not copied) for iterative refinement.</param>
    /// <param name="options">Pivot tolerance (KLU's tol), ordering (Auto and Amd: AMD on each block after BTF; Natural: no BTF, no reordering), memory limit, refinement steps.</param>
    /// <exception cref="SuiteSparseUnavailableException">KLU is not loaded.</exception>
    /// <exception cref="FactorMemoryException">KLU's estimate of the factors exceeds the memory limit.</exception>
    /// <exception cref="SingularMatrixException">A is singular.</exception>
    public static KluFactorization Factor(CsrMatrix a, DirectSolverOptions? options = null)
    {
        options = SuiteSparseChecks.CheckArguments(a, options);
        return SuiteSparseChecks.FactorOrDispose(new KluFactorization(SuiteSparseLibrary.RequireKlu(), a, options), f =>
        {
            f.Analyze(options);
            f.FactorWithPivoting();
        });
    }

    ~KluFactorization() => Free();

    /// <inheritdoc/>
    public int Size { get; }

    /// <inheritdoc/>
    public DirectBackend Backend => DirectBackend.Klu;

    /// <summary>nnz(L) + nnz(U) of the diagonal blocks (diagonals included) plus the entries of the off-diagonal blocks.</summary>
    public long FactorNonZeros { get; private set; }

    /// <summary>Bytes the analysis predicted for the factors and workspace (what the memory limit was checked against).</summary>
    public double EstimatedBytes { get; private set; }

    /// <inheritdoc/>
    public void Solve(ReadOnlySpan<double> b, Span<double> x)
    {
        ThrowIfDisposed();
        _refinement.RequireSolveLengths(b, x);
        if (_numeric == null) throw SuiteSparseChecks.RefactorFailed(Backend);
        _refinement.Solve(_matrix, this, Backend, b, x);
    }

    void IFactorSolve.SolveWithFactors(ReadOnlySpan<double> b, Span<double> x)
    {
        b.CopyTo(x); // KLU solves in place
        fixed (double* px = x)
        {
            if (_api.TransposeSolve(_symbolic, _numeric, Size, 1, px, _common) != 1) throw Failure("solve");
        }
        // The finalizer frees the native factors: keep this object alive until the native call is over.
        GC.KeepAlive(this);
    }

    /// <summary>
    /// Factors new values with KLU's refactorization (pivot order kept); when that meets a zero pivot, or its crude
    /// reciprocal condition estimate falls more than 1000-fold below the last pivoting factorization's, the values are
    /// factored again with fresh pivots on the kept ordering.
    /// </summary>
    public void Refactor(CsrMatrix a)
    {
        ThrowIfDisposed();
        SuiteSparseChecks.CheckSamePattern(_matrix, a);
        _matrix = a;
        if (_numeric != null && RefactorKeepingPivots()) return;
        FactorWithPivoting();
    }

    private bool RefactorKeepingPivots()
    {
        fixed (int* ap = _matrix.RowPointers, ai = _matrix.ColumnIndices)
        fixed (double* ax = _matrix.Values)
        {
            if (_api.Refactor(ap, ai, ax, _symbolic, _numeric, _common) != 1)
            {
                if (_common->Status == KluApi.StatusSingular) return false;
                throw Failure("refactorization");
            }
        }
        return ConditionEstimate() >= ConditionDropForRepivot * _pivotedConditionEstimate;
    }

    private void Analyze(DirectSolverOptions options)
    {
        fixed (int* ap = _matrix.RowPointers, ai = _matrix.ColumnIndices)
        {
            _symbolic = _common->Btf == 0
                ? _api.AnalyzeGiven(Size, ap, ai, null, null, _common)
                : _api.Analyze(Size, ap, ai, _common);
        }
        if (_symbolic == null) throw Failure("analysis");
        // The AMD ordering predicts nnz(L) and nnz(U); other orderings leave −1 and KLU starts from 10·nnz(A) + n entries.
        double entries = _symbolic->Lnz >= 0 && _symbolic->Unz >= 0
            ? _common->InitMemAmd * (_symbolic->Lnz + _symbolic->Unz)
            : _common->InitMem * _matrix.NonZeros + Size;
        EstimatedBytes = (entries + _symbolic->NzOff) * SuiteSparseChecks.BytesPerEntry + Size * SuiteSparseChecks.BytesPerRow;
        SuiteSparseChecks.CheckMemory(Backend, EstimatedBytes, options);
    }

    private void FactorWithPivoting()
    {
        FreeNumeric();
        fixed (int* ap = _matrix.RowPointers, ai = _matrix.ColumnIndices)
        fixed (double* ax = _matrix.Values)
        {
            _numeric = _api.Factor(ap, ai, ax, _symbolic, _common);
        }
        if (_numeric == null) throw Failure("factorization");
        FactorNonZeros = (long)_numeric->Lnz + _numeric->Unz + _symbolic->NzOff;
        _pivotedConditionEstimate = ConditionEstimate();
    }

    private double ConditionEstimate()
    {
        if (_api.ReciprocalCondition(_symbolic, _numeric, _common) != 1) throw Failure("condition estimate");
        return _common->RCond;
    }

    private Exception Failure(string step) => _common->Status switch
    {
        KluApi.StatusSingular => new SingularMatrixException(Backend, -1, detail: SingularDetail()),
        KluApi.StatusOutOfMemory => SuiteSparseChecks.OutOfMemory(Backend, step),
        KluApi.StatusTooLarge => new InvalidOperationException($"KLU's {step} overflowed its 32-bit integers: the matrix is too large for KLU."),
        int status => new InvalidOperationException($"KLU's {step} failed with status {status}."),
    };

    private string SingularDetail()
    {
        int row = _common->SingularColumn;
        return row >= 0 && row < Size
            ? SuiteSparseChecks.NoPivotInRow(row)
            : "KLU found a zero pivot";
    }

    /// <summary>Frees KLU's factors and analysis; further calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        if (_common == null) return;
        FreeNumeric();
        if (_symbolic != null)
        {
            var symbolic = _symbolic;
            _api.FreeSymbolic(&symbolic, _common);
            _symbolic = null;
        }
        NativeMemory.Free(_common);
        _common = null;
    }

    private void FreeNumeric()
    {
        if (_numeric == null) return;
        var numeric = _numeric;
        _api.FreeNumeric(&numeric, _common);
        _numeric = null;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_common == null, this);
}
