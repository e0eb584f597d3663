namespace LearnedSolvers.Learned.Dcdm;

/// <summary>How <see cref="TrainingVectors"/> draws right-hand sides; the defaults follow the DCDM paper where it has one.</summary>
public sealed record TrainingVectorOptions
{
    /// <summary>Ritz-vector combinations (the paper's) or smoothed noise.</summary>
    public TrainingVectorSource Source { get; init; } = TrainingVectorSource.Ritz;

    /// <summary>
    /// Lanczos steps m for <see cref="TrainingVectorSource.Ritz"/>, 1 to n. The paper runs 10,000 on a 128³ grid; the
    /// cost here grows as n·m² (see <see cref="LanczosRitz"/>), hence a few hundred.
    /// </summary>
    public int LanczosSteps { get; init; } = 200;

    /// <summary>The lowest fraction of the Ritz vectors whose coefficients are weighted by <see cref="LowWeight"/>: the paper's 55%.</summary>
    public double LowFraction { get; init; } = 0.55;

    /// <summary>The weight of the low coefficients, the others having 1: the paper's 9.</summary>
    public double LowWeight { get; init; } = 9;

    /// <summary>Damped Jacobi sweeps for <see cref="TrainingVectorSource.SmoothedNoise"/>.</summary>
    public int SmoothingSweeps { get; init; } = 10;

    /// <summary>
    /// The Jacobi damping ω for <see cref="TrainingVectorSource.SmoothedNoise"/>, in (0, 1], scaled to A: each sweep is
    /// x ← x − (2ω / g) D⁻¹A x, where g bounds the spectrum of D⁻¹A (Gershgorin: max_i Σ_j |a_ij| / a_ii; 2 for the
    /// Laplacian, where the step is ω itself). A component along D⁻¹A's eigenvalue μ ∈ (0, g] is multiplied by
    /// 1 − 2ωμ/g per sweep: near 1 at the low end, down to 1 − 2ω at the top, so ω ≤ 1 never amplifies. The default 2/3
    /// damps the upper half of the Laplacian's spectrum by at least 3 per sweep.
    /// </summary>
    public double JacobiWeight { get; init; } = 2.0 / 3;
}
