using LearnedSolvers.Sparse;

namespace LearnedSolvers.Direct.Managed;

/// <summary>
/// What each managed factorization keeps besides its factors: the pattern first factored, the matrix last factored
/// (refinement runs against it), whether the factors are whole and whether it was disposed; with the checks its
/// <see cref="ISparseFactorization.Refactor"/> and <see cref="ISparseFactorization.Solve"/> make before any work.
/// </summary>
internal sealed class ManagedFactorizationState
{
    private readonly IFactorSolve _factors;
    private readonly DirectBackend _backend;
    private readonly string _factorization;
    private readonly CsrMatrix _pattern;
    private readonly IterativeRefinement _refinement;
    private CsrMatrix _matrix;
    private bool _factored; // false after a refactorization failed: the factors are partly overwritten
    private bool _disposed;

    /// <param name="factors">The factorization that owns this state (named by <see cref="ObjectDisposedException"/>).</param>
    /// <param name="backend">Its backend, named by <see cref="SingularMatrixException"/>.</param>
    /// <param name="factorization">Its name in messages, as <see cref="FactorizationInput.Require(CsrMatrix, string)"/> takes it.</param>
    /// <param name="a">The matrix first factored.</param>
    /// <param name="refinementSteps">The most refinement steps per solve.</param>
    public ManagedFactorizationState(IFactorSolve factors, DirectBackend backend, string factorization, CsrMatrix a, int refinementSteps)
    {
        _factors = factors;
        _backend = backend;
        _factorization = factorization;
        _pattern = a;
        _matrix = a;
        _refinement = new IterativeRefinement(a.Rows, refinementSteps);
    }

    /// <summary>Before a refactorization loads <paramref name="a"/>'s values: not disposed, a valid matrix, the pattern first factored.</summary>
    public void CheckRefactor(CsrMatrix a)
    {
        ObjectDisposedException.ThrowIf(_disposed, _factors);
        FactorizationInput.Require(a, _factorization);
        if (!a.HasSamePattern(_pattern))
            throw new ArgumentException("The matrix has another pattern than the one factored; factor it anew.", nameof(a));
    }

    /// <summary>The numeric factorization starts overwriting the factors: solves are refused until <see cref="Factored"/>.</summary>
    public void Factoring() => _factored = false;

    /// <summary>The factors of <paramref name="a"/> are whole.</summary>
    public void Factored(CsrMatrix a)
    {
        _matrix = a;
        _factored = true;
    }

    /// <summary>A refined solve with the factors.</summary>
    /// <exception cref="InvalidOperationException">The last refactorization failed.</exception>
    public void Solve(ReadOnlySpan<double> b, Span<double> x)
    {
        ObjectDisposedException.ThrowIf(_disposed, _factors);
        if (!_factored) throw new InvalidOperationException("The last refactorization failed; refactor with a factorable matrix before solving.");
        _refinement.RequireSolveLengths(b, x);
        _refinement.Solve(_matrix, _factors, _backend, b, x);
    }

    /// <summary>Nothing native to release; later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose() => _disposed = true;
}
