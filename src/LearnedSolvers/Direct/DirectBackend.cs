namespace LearnedSolvers.Direct;

/// <summary>Which sparse factorization ran: SuiteSparse's (loaded at run time) or the managed fallback.</summary>
public enum DirectBackend
{
    /// <summary>SuiteSparse KLU: left-looking LU after a block triangular form, for circuit-like nonsymmetric matrices.</summary>
    Klu,

    /// <summary>SuiteSparse UMFPACK: multifrontal LU for general nonsymmetric matrices.</summary>
    Umfpack,

    /// <summary>SuiteSparse CHOLMOD: supernodal Cholesky for symmetric positive definite matrices.</summary>
    Cholmod,

    /// <summary>Ours: left-looking sparse LU with threshold partial pivoting after a fill-reducing ordering.</summary>
    ManagedLu,

    /// <summary>Ours: sparse Cholesky after a fill-reducing ordering.</summary>
    ManagedCholesky,
}
