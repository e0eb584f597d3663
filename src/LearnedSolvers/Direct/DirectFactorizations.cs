using LearnedSolvers.Direct.Managed;
using LearnedSolvers.Direct.SuiteSparse;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Direct;

/// <summary>
/// Chooses and runs a sparse factorization: the one named in <see cref="DirectSolverOptions.Backend"/>, or by the
/// matrix: Cholesky for a symmetric matrix with a positive diagonal (LU when it turns out not positive definite);
/// KLU for very sparse nonsymmetric matrices (circuit-like: little fill, where KLU's BTF and left-looking LU win),
/// UMFPACK for the rest; our managed LU and Cholesky when SuiteSparse is not loaded.
/// </summary>
public static class DirectFactorizations
{
    /// <summary>KLU is chosen up to this many stored entries per row on average; denser (PDE-like) matrices go to UMFPACK.</summary>
    private const double KluMaxEntriesPerRow = 6;

    /// <summary>Values read from text as "symmetric" may differ in the last digits; refinement against A absorbs the rest.</summary>
    private const double SymmetryTolerance = 1e-12;

    /// <summary>Factors <paramref name="a"/>; <paramref name="note"/> says which backend ran and why, including what failed before it.</summary>
    /// <exception cref="SingularMatrixException">The matrix is singular.</exception>
    /// <exception cref="FactorMemoryException">The factors would not fit.</exception>
    /// <exception cref="SuiteSparseUnavailableException">The requested SuiteSparse backend is not loaded (absent or hidden).</exception>
    public static ISparseFactorization Factor(CsrMatrix a, DirectSolverOptions options, out string note)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (!a.IsSquare) throw new ArgumentException($"A direct solve needs a square matrix; this one is {a.Rows} x {a.Columns}.", nameof(a));
        if (options.Backend is { } requested)
        {
            note = $"{requested}: requested";
            return Run(requested, a, options);
        }

        bool suiteSparse = options.UseSuiteSparse && SuiteSparseLibrary.Klu.IsAvailable && SuiteSparseLibrary.Umfpack.IsAvailable && SuiteSparseLibrary.Cholmod.IsAvailable;
        string absent = suiteSparse ? "" : options.UseSuiteSparse ? $" (SuiteSparse not loaded: {SuiteSparseLibrary.UnavailableReason})" : " (SuiteSparse not used: UseSuiteSparse is off)";
        if (a.IsSymmetric(SymmetryTolerance) && PositiveDiagonal(a))
        {
            var cholesky = suiteSparse ? DirectBackend.Cholmod : DirectBackend.ManagedCholesky;
            try
            {
                note = $"{cholesky}: symmetric with a positive diagonal{absent}";
                return Run(cholesky, a, options);
            }
            catch (SingularMatrixException e) when (e.NotPositiveDefinite)
            {
                var lu = ChooseLu(a, suiteSparse);
                note = $"{lu}: {cholesky} found the matrix not positive definite{absent}";
                return Run(lu, a, options);
            }
        }
        var backend = ChooseLu(a, suiteSparse);
        note = backend switch
        {
            DirectBackend.Klu => $"KLU: nonsymmetric, at most {KluMaxEntriesPerRow} entries per row on average (circuit-like)",
            DirectBackend.Umfpack => "UMFPACK: nonsymmetric",
            _ => $"{backend}: nonsymmetric{absent}",
        };
        return Run(backend, a, options);
    }

    private static DirectBackend ChooseLu(CsrMatrix a, bool suiteSparse) =>
        !suiteSparse ? DirectBackend.ManagedLu
        : (double)a.NonZeros / Math.Max(1, a.Rows) <= KluMaxEntriesPerRow ? DirectBackend.Klu
        : DirectBackend.Umfpack;

    private static ISparseFactorization Run(DirectBackend backend, CsrMatrix a, DirectSolverOptions options) => backend switch
    {
        DirectBackend.Klu => KluFactorization.Factor(a, options),
        DirectBackend.Umfpack => UmfpackFactorization.Factor(a, options),
        DirectBackend.Cholmod => CholmodFactorization.Factor(a, options),
        DirectBackend.ManagedLu => ManagedSparseLu.Factor(a, options),
        DirectBackend.ManagedCholesky => ManagedSparseCholesky.Factor(a, options),
        _ => throw new ArgumentOutOfRangeException(nameof(backend), backend, "Unknown direct backend."),
    };

    private static bool PositiveDiagonal(CsrMatrix a)
    {
        for (int i = 0; i < a.Rows; i++)
        {
            int k = a.IndexOf(i, i);
            if (k < 0 || !(a.Values[k] > 0)) return false;
        }
        return true;
    }
}
