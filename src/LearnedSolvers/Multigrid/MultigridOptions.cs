using LearnedSolvers.Devices;

namespace LearnedSolvers.Multigrid;

/// <summary>
/// Multigrid set-up and cycle options shared by geometric multigrid and smoothed-aggregation AMG. The defaults give
/// a symmetric V(1,1) cycle with Chebyshev smoothing, a preconditioner that CG accepts.
/// </summary>
public sealed record MultigridOptions
{
    public CycleKind Cycle { get; init; } = CycleKind.V;

    public SmootherKind Smoother { get; init; } = SmootherKind.Chebyshev;

    /// <summary>Smoothing sweeps before the coarse-grid correction (for Chebyshev: applications of the polynomial).</summary>
    public int PreSweeps { get; init; } = 1;

    /// <summary>Smoothing sweeps after the coarse-grid correction. Equal to <see cref="PreSweeps"/> keeps the cycle symmetric.</summary>
    public int PostSweeps { get; init; } = 1;

    /// <summary>Degree of the Chebyshev polynomial (SpMVs per sweep).</summary>
    public int ChebyshevDegree { get; init; } = 2;

    /// <summary>
    /// The Chebyshev interval's lower end as a fraction of its upper end 1.1 ρ(D⁻¹A): the smoother damps eigenvalues
    /// of D⁻¹A above it. 0.2 covers the high-frequency modes of 2D and 3D stencils (measured: V-cycle factors 0.09 in 2D, 0.14 in 3D on Poisson).
    /// </summary>
    public double ChebyshevLowerFraction { get; init; } = 0.2;

    /// <summary>Jacobi weight ω; null picks 4/(3 ρ(D⁻¹A)) per level (2/3 for the Laplacian).</summary>
    public double? JacobiWeight { get; init; }

    /// <summary>
    /// Coarsening stops once a level has at most this many rows; that level is solved directly (a sparse
    /// factorization, up to <see cref="MultigridHierarchy.MaxDirectSize"/> rows; a larger coarsest level is smoothed instead).
    /// </summary>
    public int CoarseSize { get; init; } = 256;

    /// <summary>
    /// The most bytes the coarsest level's factors may take; a coarsest level whose factors would need more is smoothed
    /// instead. Null: what the process may use (<see cref="MemoryBudget.AvailableBytes"/>).
    /// </summary>
    public long? CoarseMemoryLimitBytes { get; init; }

    /// <summary>At most this many levels, the finest included.</summary>
    public int MaxLevels { get; init; } = 25;

    /// <summary>AMG only: j is a strong neighbour of i when |a_ij| ≥ θ √(|a_ii a_jj|) (Vaněk, Mandel and Brezina 1996).</summary>
    public double StrengthThreshold { get; init; } = 0.08;

    /// <summary>True when one cycle is a symmetric operator (V or W cycle with equal pre- and post-sweeps), as CG needs.</summary>
    public bool IsSymmetricCycle => Cycle != CycleKind.F && PreSweeps == PostSweeps;

    /// <summary>Where the cycle runs: the multicolor Gauss–Seidel smoother sweeps host arrays; Jacobi and Chebyshev are SpMVs and vector kernels.</summary>
    public DeviceSupport Devices => Smoother == SmootherKind.GaussSeidel ? DeviceSupport.CpuOnly : DeviceSupport.AllDevices;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first bad option.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Cycle)) throw new ArgumentOutOfRangeException(nameof(Cycle), Cycle, "Unknown cycle.");
        if (!Enum.IsDefined(Smoother)) throw new ArgumentOutOfRangeException(nameof(Smoother), Smoother, "Unknown smoother.");
        if (PreSweeps < 0) throw new ArgumentOutOfRangeException(nameof(PreSweeps), PreSweeps, "Sweeps must be ≥ 0.");
        if (PostSweeps < 0) throw new ArgumentOutOfRangeException(nameof(PostSweeps), PostSweeps, "Sweeps must be ≥ 0.");
        if (PreSweeps + PostSweeps == 0) throw new ArgumentOutOfRangeException(nameof(PreSweeps), 0, "At least one pre- or post-smoothing sweep is needed.");
        if (ChebyshevDegree < 1) throw new ArgumentOutOfRangeException(nameof(ChebyshevDegree), ChebyshevDegree, "The Chebyshev degree must be ≥ 1.");
        if (!(ChebyshevLowerFraction > 0 && ChebyshevLowerFraction < 1)) throw new ArgumentOutOfRangeException(nameof(ChebyshevLowerFraction), ChebyshevLowerFraction, "The fraction must lie in (0, 1).");
        if (JacobiWeight is { } w && !(w > 0 && w < 2)) throw new ArgumentOutOfRangeException(nameof(JacobiWeight), w, "The Jacobi weight must lie in (0, 2).");
        if (CoarseSize < 1) throw new ArgumentOutOfRangeException(nameof(CoarseSize), CoarseSize, "The coarse size must be ≥ 1.");
        if (CoarseMemoryLimitBytes is <= 0) throw new ArgumentOutOfRangeException(nameof(CoarseMemoryLimitBytes), CoarseMemoryLimitBytes, "The memory limit must be positive.");
        if (MaxLevels < 1) throw new ArgumentOutOfRangeException(nameof(MaxLevels), MaxLevels, "At least one level is needed.");
        if (!(StrengthThreshold >= 0 && StrengthThreshold < 1)) throw new ArgumentOutOfRangeException(nameof(StrengthThreshold), StrengthThreshold, "The strength threshold must lie in [0, 1).");
    }
}
