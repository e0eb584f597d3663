namespace LearnedSolvers.Problems;

/// <summary>
/// Settings of <see cref="Diffusion.Generate"/>: grid, random log-coefficient field, how the contrast is controlled,
/// and the right-hand side. The defaults give a ConDiff-like 64 x 64 problem with an exponential covariance.
/// </summary>
/// <remarks>
/// The contrast max k / min k is controlled in one of three ways:
/// <list type="bullet">
/// <item><see cref="TargetContrast"/> alone: φ is rescaled so exp(max φ - min φ) equals the target exactly
/// (deterministic, any target from 1 to well beyond 1e6). φ is scaled as a whole, so <see cref="Variance"/> then has
/// no effect: the covariance model and correlation length shape the field, the target sets its amplitude.</item>
/// <item><see cref="ContrastBand"/>: fields are drawn until the contrast lies in the band (ConDiff's rejection
/// sampling); <see cref="Variance"/> must make that likely, see <see cref="ConDiff"/>.</item>
/// <item><see cref="Discontinuous"/> with <see cref="TargetContrast"/>: k = 1 where φ is below its
/// <see cref="ThresholdQuantile"/> and k = TargetContrast elsewhere, a two-valued field with exactly that contrast
/// (again independent of <see cref="Variance"/>).</item>
/// </list>
/// With none of them, k = exp(φ) as sampled.
/// </remarks>
public sealed record DiffusionOptions
{
    /// <summary>n, cells (unknowns) per axis; the coefficient lives on the (n+1)^d vertices.</summary>
    public int GridSize { get; init; } = 64;

    /// <summary>2 (unit square, 5-point) or 3 (unit cube, 7-point).</summary>
    public int Dimension { get; init; } = 2;

    public CovarianceKind Covariance { get; init; } = CovarianceKind.Exponential;

    /// <summary>ℓ of the covariance of φ, relative to the unit domain (ConDiff: 0.05).</summary>
    public double CorrelationLength { get; init; } = 0.05;

    /// <summary>σ², the pointwise variance of φ = log k (ConDiff: 0.1, 0.4, 1 or 2).</summary>
    public double Variance { get; init; } = 1.0;

    /// <summary>Exact contrast max k / min k (≥ 1): by rescaling φ, or the ratio of the two values when <see cref="Discontinuous"/>.</summary>
    public double? TargetContrast { get; init; }

    /// <summary>Rejection sampling band for the contrast; excludes <see cref="TargetContrast"/>.</summary>
    public ContrastBand? ContrastBand { get; init; }

    /// <summary>Fields drawn at most when rejection sampling before giving up with <see cref="InvalidOperationException"/>.</summary>
    public int MaxAttempts { get; init; } = 10_000;

    /// <summary>Threshold φ into a two-valued (piecewise constant) coefficient 1 / <see cref="TargetContrast"/>.</summary>
    public bool Discontinuous { get; init; }

    /// <summary>Fraction of vertices that get the low value 1 in the discontinuous variant, in (0, 1); 0.5 thresholds at the median.</summary>
    public double ThresholdQuantile { get; init; } = 0.5;

    /// <summary>f: i.i.d. N(0, 1) per cell as in ConDiff, or 1.</summary>
    public RightHandSideKind RightHandSide { get; init; } = RightHandSideKind.WhiteNoise;

    /// <summary>Fixes the field and the right-hand side: the same options give the same bits.</summary>
    public int Seed { get; init; }

    /// <summary>Unknowns, n^d.</summary>
    public int Unknowns => Dimension == 3 ? GridSize * GridSize * GridSize : GridSize * GridSize;

    /// <summary>
    /// One of ConDiff's 2D configurations (Trifonov et al. 2024): correlation length 0.05, white-noise f, and the
    /// contrast band its paper pairs with the variance: 0.1 → [5, 15], 0.4 → [50, 250], 1 → [600, 1000], 2 → [8e4, 1e5].
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A variance other than 0.1, 0.4, 1 or 2.</exception>
    public static DiffusionOptions ConDiff(int gridSize, double variance, CovarianceKind covariance = CovarianceKind.Exponential, int seed = 0)
    {
        ContrastBand band = variance switch
        {
            0.1 => new ContrastBand(5, 15),
            0.4 => new ContrastBand(50, 250),
            1.0 => new ContrastBand(600, 1000),
            2.0 => new ContrastBand(8e4, 1e5),
            _ => throw new ArgumentOutOfRangeException(nameof(variance), variance, "ConDiff uses the variances 0.1, 0.4, 1 and 2."),
        };
        return new DiffusionOptions
        {
            GridSize = gridSize,
            Covariance = covariance,
            CorrelationLength = 0.05,
            Variance = variance,
            ContrastBand = band,
            RightHandSide = RightHandSideKind.WhiteNoise,
            Seed = seed,
        };
    }

    /// <summary>
    /// The Darcy problem of SKR (Wang et al., ICLR 2024) and FNO: k = exp(φ) with φ = GRF(α = 2.5, τ = 7) and f = 1.
    /// That GRF has the spectral density 2τ²ᵅ⁻² (4π²|ω|² + τ²)^(-α), a Matérn-3/2 field (<see cref="CovarianceKind.Matern32"/>)
    /// with ℓ = √3/τ and pointwise variance 2τ²ᵅ⁻²∫(4π²|ω|² + τ²)^(-α) dω = 1/(2π(α − 1)) = 1/(3π); sampled here by
    /// circulant embedding on the unit square instead of on their periodic one.
    /// </summary>
    public static DiffusionOptions SkrDarcy(int gridSize, int seed = 0) => new()
    {
        GridSize = gridSize,
        Covariance = CovarianceKind.Matern32,
        CorrelationLength = Math.Sqrt(3) / 7,
        Variance = 1 / (3 * Math.PI),
        RightHandSide = RightHandSideKind.Constant,
        Seed = seed,
    };

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> (or <see cref="ArgumentException"/> for conflicting options) naming the first bad option.</summary>
    public void Validate()
    {
        if (Dimension is not (2 or 3))
            throw new ArgumentOutOfRangeException(nameof(Dimension), Dimension, "The dimension must be 2 or 3.");
        StructuredGrid.CheckSize(GridSize, Dimension, nameof(GridSize));
        if (!Enum.IsDefined(Covariance))
            throw new ArgumentOutOfRangeException(nameof(Covariance), Covariance, "Unknown covariance model.");
        if (!(CorrelationLength > 0) || double.IsInfinity(CorrelationLength))
            throw new ArgumentOutOfRangeException(nameof(CorrelationLength), CorrelationLength, "The correlation length must be finite and > 0.");
        if (!(Variance > 0) || double.IsInfinity(Variance))
            throw new ArgumentOutOfRangeException(nameof(Variance), Variance, "The variance must be finite and > 0.");
        if (TargetContrast is double c && (!(c >= 1) || double.IsInfinity(c)))
            throw new ArgumentOutOfRangeException(nameof(TargetContrast), c, "A contrast is max k / min k; it must be finite and ≥ 1.");
        if (MaxAttempts < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxAttempts), MaxAttempts, "At least one attempt is needed.");
        if (!(ThresholdQuantile > 0 && ThresholdQuantile < 1))
            throw new ArgumentOutOfRangeException(nameof(ThresholdQuantile), ThresholdQuantile, "The threshold quantile must lie strictly between 0 and 1.");
        if (!Enum.IsDefined(RightHandSide))
            throw new ArgumentOutOfRangeException(nameof(RightHandSide), RightHandSide, "Unknown right-hand side kind.");
        if (TargetContrast is not null && ContrastBand is not null)
            throw new ArgumentException("Give either a target contrast (rescaling or thresholding) or a contrast band (rejection sampling), not both.", nameof(ContrastBand));
        if (Discontinuous && TargetContrast is null)
            throw new ArgumentException("The discontinuous variant needs a target contrast: the ratio of its two coefficient values.", nameof(TargetContrast));
    }
}
