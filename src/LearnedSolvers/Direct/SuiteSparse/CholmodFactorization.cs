using System.Runtime.InteropServices;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Direct.SuiteSparse;

/// <summary>
/// Sparse Cholesky P A Pᵀ = L Lᵀ by SuiteSparse's CHOLMOD (Y. Chen, T. A. Davis, W. W. Hager and S. Rajamanickam,
/// "Algorithm 887: CHOLMOD, supernodal sparse Cholesky factorization and update/downdate", ACM TOMS 35(3), 2008):
/// a fill-reducing ordering (AMD, or METIS when AMD fills badly), then a supernodal factorization with dense BLAS
/// kernels, or a simplicial one for very sparse factors. For symmetric positive definite matrices only.
/// </summary>
/// <remarks>
/// A symmetric matrix's row-compressed arrays are also its column-compressed arrays, so CHOLMOD reads A's arrays in
/// place (its lower triangle, as stype = 1 of the column-compressed view). The matrix given to <see cref="Factor"/> or
/// <see cref="Refactor"/> is kept (not copied) for iterative refinement: do not change its values while this
/// factorization is in use. Not safe for concurrent <see cref="Solve"/> calls (shared workspace).
/// <see cref="DirectSolverOptions.PivotTolerance"/> does not apply: Cholesky does not pivot.
/// </remarks>
public sealed unsafe class CholmodFactorization : ISparseFactorization, IFactorSolve
{
    /// <summary>Relative asymmetry |a_ij − a_ji| / max(|a_ij|, |a_ji|) accepted as rounding of a symmetric matrix.</summary>
    private const double SymmetryTolerance = 1e-12;

    private readonly CholmodApi _api;
    private readonly IterativeRefinement _refinement;
    private void* _common;
    private void* _factor;
    private CholmodDense* _solution;
    private CholmodDense* _solveWorkY;
    private CholmodDense* _solveWorkE;
    private CsrMatrix _matrix;
    private bool _factored;

    private CholmodFactorization(CholmodApi api, CsrMatrix a, DirectSolverOptions options)
    {
        _api = api;
        _matrix = a;
        Size = a.Rows;
        _refinement = new IterativeRefinement(a.Rows, options.RefinementSteps);
        _common = NativeMemory.AllocZeroed(CholmodApi.CommonBytes);
        if (api.Start(_common) != 1) throw new InvalidOperationException("cholmod_start failed.");
        // CHOLMOD prints its warnings (such as "not positive definite") at the default level 3; ours are exceptions.
        CholmodApi.Int(_common, CholmodApi.CommonPrint) = 0;
        // A simplicial factor is LDLᵀ by default, which succeeds on many indefinite matrices; LLᵀ (as supernodal
        // factors always are) stops at the first pivot ≤ 0, so "not positive definite" means the same on both paths.
        CholmodApi.Int(_common, CholmodApi.CommonFinalLl) = 1;
        switch (options.Ordering)
        {
            case DirectOrdering.Amd:
                CholmodApi.Int(_common, CholmodApi.CommonNMethods) = 1;
                CholmodApi.Int(_common, CholmodApi.CommonMethod0Ordering) = CholmodApi.OrderingAmd;
                break;
            case DirectOrdering.Natural:
                CholmodApi.Int(_common, CholmodApi.CommonNMethods) = 1;
                CholmodApi.Int(_common, CholmodApi.CommonMethod0Ordering) = CholmodApi.OrderingNatural;
                CholmodApi.Int(_common, CholmodApi.CommonPostorder) = 0;
                break;
        }
    }

    /// <summary>Analyzes, checks the predicted factor size against the limit, and factors <paramref name="a"/>.</summary>
    /// <param name="a">A symmetric positive definite matrix (both triangles stored); kept (not copied) for iterative refinement.</param>
    /// <param name="options">Ordering (Auto: CHOLMOD's choice of AMD or METIS; Amd: AMD only; Natural: none), memory limit, refinement steps.</param>
    /// <exception cref="ArgumentException"><paramref name="a"/> is not symmetric.</exception>
    /// <exception cref="SuiteSparseUnavailableException">CHOLMOD is not loaded.</exception>
    /// <exception cref="FactorMemoryException">The predicted factor exceeds the memory limit.</exception>
    /// <exception cref="SingularMatrixException">A is not positive definite (<see cref="SingularMatrixException.NotPositiveDefinite"/>).</exception>
    public static CholmodFactorization Factor(CsrMatrix a, DirectSolverOptions? options = null)
    {
        options = SuiteSparseChecks.CheckArguments(a, options);
        CheckSymmetric(a);
        return SuiteSparseChecks.FactorOrDispose(new CholmodFactorization(SuiteSparseLibrary.RequireCholmod(), a, options), f =>
        {
            f.Analyze(options);
            f.FactorNumeric();
        });
    }

    ~CholmodFactorization() => Free();

    /// <inheritdoc/>
    public int Size { get; }

    /// <inheritdoc/>
    public DirectBackend Backend => DirectBackend.Cholmod;

    /// <summary>nnz(L), diagonal included, as CHOLMOD's analysis counts it (without the explicit zeros supernodes may store).</summary>
    public long FactorNonZeros { get; private set; }

    /// <summary>Bytes the analysis predicted for the factor and workspace (what the memory limit was checked against).</summary>
    public double EstimatedBytes { get; private set; }

    /// <inheritdoc/>
    public void Solve(ReadOnlySpan<double> b, Span<double> x)
    {
        ThrowIfDisposed();
        _refinement.RequireSolveLengths(b, x);
        if (!_factored) throw SuiteSparseChecks.RefactorFailed(Backend, notPositiveDefinite: true);
        _refinement.Solve(_matrix, this, Backend, b, x);
    }

    void IFactorSolve.SolveWithFactors(ReadOnlySpan<double> b, Span<double> x)
    {
        fixed (double* px = b) // CHOLMOD only reads B: the solution comes back in its own buffer
        fixed (CholmodDense** solution = &_solution, y = &_solveWorkY, e = &_solveWorkE)
        {
            var dense = new CholmodDense
            {
                NRow = (nuint)Size, NCol = 1, NzMax = (nuint)Size, D = (nuint)Size, X = px,
                XType = CholmodApi.XTypeReal, DType = CholmodApi.ValueDouble,
            };
            if (_api.Solve2(CholmodApi.SystemA, _factor, &dense, null, solution, null, y, e, _common) != 1) throw Failure("solve");
            new ReadOnlySpan<double>(_solution->X, Size).CopyTo(x);
        }
        // The finalizer frees the native factors: keep this object alive until the native call is over.
        GC.KeepAlive(this);
    }

    /// <summary>Factors new values on the kept ordering and symbolic analysis.</summary>
    /// <exception cref="ArgumentException"><paramref name="a"/> has another pattern, or is not symmetric.</exception>
    public void Refactor(CsrMatrix a)
    {
        ThrowIfDisposed();
        SuiteSparseChecks.CheckSamePattern(_matrix, a);
        CheckSymmetric(a);
        _matrix = a;
        FactorNumeric();
    }

    private static void CheckSymmetric(CsrMatrix a)
    {
        if (!a.IsSymmetric(SymmetryTolerance))
            throw new ArgumentException("CHOLMOD factors symmetric positive definite matrices; this one is not symmetric: use KLU or UMFPACK.", nameof(a));
    }

    private CholmodSparse Header(int* ap, int* ai, double* ax) => new()
    {
        NRow = (nuint)Size, NCol = (nuint)Size, NzMax = (nuint)_matrix.NonZeros, P = ap, I = ai, X = ax,
        SType = 1, IType = CholmodApi.IndexInt, XType = CholmodApi.XTypeReal, DType = CholmodApi.ValueDouble, Sorted = 1, Packed = 1,
    };

    private void Analyze(DirectSolverOptions options)
    {
        fixed (int* ap = _matrix.RowPointers, ai = _matrix.ColumnIndices)
        fixed (double* ax = _matrix.Values)
        {
            var header = Header(ap, ai, ax);
            _factor = _api.Analyze(&header, _common);
        }
        if (_factor == null) throw Failure("analysis");
        double lnz = CholmodApi.Double(_common, CholmodApi.CommonLnz);
        FactorNonZeros = (long)lnz;
        // A supernodal factor stores dense blocks (xsize values, ssize row indices); a simplicial one stores nnz(L) entries.
        double factorBytes = CholmodApi.Int(_factor, CholmodApi.FactorIsSuper) != 0
            ? (double)CholmodApi.Size(_factor, CholmodApi.FactorXsize) * sizeof(double) + (double)CholmodApi.Size(_factor, CholmodApi.FactorSsize) * sizeof(int)
            : lnz * SuiteSparseChecks.BytesPerEntry;
        EstimatedBytes = factorBytes + Size * SuiteSparseChecks.BytesPerRow;
        SuiteSparseChecks.CheckMemory(Backend, EstimatedBytes, options);
    }

    private void FactorNumeric()
    {
        _factored = false;
        int ok;
        fixed (int* ap = _matrix.RowPointers, ai = _matrix.ColumnIndices)
        fixed (double* ax = _matrix.Values)
        {
            var header = Header(ap, ai, ax);
            ok = _api.Factorize(&header, _factor, _common);
        }
        int status = CholmodApi.Int(_common, CholmodApi.CommonStatus);
        var minor = CholmodApi.Size(_factor, CholmodApi.FactorMinor);
        if (ok != 1 || status < CholmodApi.StatusOk) throw Failure("factorization");
        if (status == CholmodApi.StatusNotPositiveDefinite || minor < (nuint)Size)
            throw new SingularMatrixException(Backend, OriginalColumn(minor), notPositiveDefinite: true);
        _factored = true;
    }

    /// <summary>L->minor counts in the permuted order; L->Perm maps it back to a column of A.</summary>
    private int OriginalColumn(nuint minor)
    {
        if (minor >= (nuint)Size) return -1;
        var perm = (int*)CholmodApi.Pointer(_factor, CholmodApi.FactorPerm);
        return perm == null ? (int)minor : perm[minor];
    }

    private Exception Failure(string step) => CholmodApi.Int(_common, CholmodApi.CommonStatus) switch
    {
        CholmodApi.StatusOutOfMemory => SuiteSparseChecks.OutOfMemory(Backend, step),
        CholmodApi.StatusTooLarge => new InvalidOperationException($"CHOLMOD's {step} overflowed its 32-bit integers: the matrix is too large for it."),
        int status => new InvalidOperationException($"CHOLMOD's {step} failed with status {status} (cholmod_core.h lists the codes)."),
    };

    /// <summary>Frees CHOLMOD's factor and workspace; further calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        if (_common == null) return;
        if (_factor != null)
        {
            void* factor = _factor;
            _api.FreeFactor(&factor, _common);
            _factor = null;
        }
        FreeDense(ref _solution);
        FreeDense(ref _solveWorkY);
        FreeDense(ref _solveWorkE);
        _api.Finish(_common);
        NativeMemory.Free(_common);
        _common = null;
    }

    private void FreeDense(ref CholmodDense* dense)
    {
        if (dense == null) return;
        CholmodDense* local = dense;
        _api.FreeDense(&local, _common);
        dense = null;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_common == null, this);
}
