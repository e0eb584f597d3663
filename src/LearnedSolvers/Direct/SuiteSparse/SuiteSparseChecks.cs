using LearnedSolvers.Sparse;

namespace LearnedSolvers.Direct.SuiteSparse;

/// <summary>Argument, pattern and memory checks the SuiteSparse factorizations share, with messages in the caller's terms.</summary>
internal static class SuiteSparseChecks
{
    /// <summary>Bytes per row for the permutations, scale factors, pointers and solve workspace every factorization keeps.</summary>
    public const double BytesPerRow = 128;

    /// <summary>Bytes per stored factor entry: a double value and a 32-bit index.</summary>
    public const double BytesPerEntry = sizeof(double) + sizeof(int);

    public static DirectSolverOptions CheckArguments(CsrMatrix a, DirectSolverOptions? options)
    {
        ArgumentNullException.ThrowIfNull(a);
        options ??= new DirectSolverOptions();
        options.Validate();
        if (!a.IsSquare) throw new ArgumentException($"A direct factorization needs a square matrix; this one is {a.Rows} x {a.Columns}.", nameof(a));
        if (a.Rows == 0) throw new ArgumentException("The matrix is empty (0 x 0): there is nothing to factor.", nameof(a));
        return options;
    }

    public static void CheckSamePattern(CsrMatrix factored, CsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!factored.HasSamePattern(a))
            throw new ArgumentException(
                $"Refactor needs the pattern first factored ({factored.Rows} x {factored.Columns}, {factored.NonZeros} entries); "
                + $"this matrix ({a.Rows} x {a.Columns}, {a.NonZeros} entries) has another: factor it anew.", nameof(a));
    }

    /// <summary>Throws <see cref="FactorMemoryException"/> when the analysis' estimate exceeds the options' limit.</summary>
    public static void CheckMemory(DirectBackend backend, double estimatedBytes, DirectSolverOptions options)
    {
        double limit = options.EffectiveMemoryLimit;
        if (!(estimatedBytes <= limit)) throw new FactorMemoryException(backend, estimatedBytes, limit);
    }

    /// <summary>
    /// Runs the analysis and first factorization of a new <paramref name="factorization"/>; when either throws, its
    /// native memory is freed at once rather than by the finalizer.
    /// </summary>
    public static T FactorOrDispose<T>(T factorization, Action<T> analyzeAndFactor) where T : IDisposable
    {
        try
        {
            analyzeAndFactor(factorization);
            return factorization;
        }
        catch
        {
            factorization.Dispose();
            throw;
        }
    }

    /// <summary>What a solve throws after a failed Refactor left no whole factors.</summary>
    public static SingularMatrixException RefactorFailed(DirectBackend backend, bool notPositiveDefinite = false) =>
        new(backend, -1, notPositiveDefinite,
            detail: $"the last Refactor failed; refactor with {(notPositiveDefinite ? "positive definite" : "nonsingular")} values first");

    /// <summary>The detail of <see cref="SingularMatrixException"/> when a backend that factors Aᵀ finds no pivot in a row of A.</summary>
    public static string NoPivotInRow(int row) =>
        $"no usable pivot for row {row + 1} of A (counting from 1): it is a combination of other rows";

    public static OutOfMemoryException OutOfMemory(DirectBackend backend, string step) =>
        new($"{backend} ran out of native memory in its {step}; use an iterative method or a machine with more memory.");
}
