namespace LearnedSolvers.Multigrid;

/// <summary>The relaxation run before and after each coarse-grid correction.</summary>
public enum SmootherKind
{
    /// <summary>Weighted Jacobi x ← x + ω D⁻¹(b − Ax), ω = 4/(3 ρ(D⁻¹A)) unless given: only vector kernels, runs on every device.</summary>
    Jacobi,

    /// <summary>Chebyshev polynomial in D⁻¹A on [0.22 ρ, 1.1 ρ]: stronger than Jacobi at the same number of SpMVs; runs on every device.</summary>
    Chebyshev,

    /// <summary>
    /// Gauss–Seidel by colors (a greedy coloring of A's graph; red-black on 5- and 7-point stencils): forward color
    /// order before the correction, backward after, so the cycle stays symmetric. CPU only for now.
    /// </summary>
    GaussSeidel,
}
