namespace LearnedSolvers.Preconditioners.Factories;

/// <summary>Options of <see cref="ChebyshevFactory"/>; the defaults are <see cref="ChebyshevPreconditioner"/>'s.</summary>
public sealed record ChebyshevOptions
{
    /// <summary>Polynomial degree d ≥ 1: SpMVs per application.</summary>
    public int Degree { get; init; } = 4;

    /// <summary>λ_min / λ_max of the interval the polynomial covers, in (0, 1): smaller covers more of the spectrum.</summary>
    public double LowerFraction { get; init; } = 1.0 / 30;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first bad option.</summary>
    public void Validate()
    {
        if (Degree < 1) throw new ArgumentOutOfRangeException(nameof(Degree), Degree, "The Chebyshev degree must be ≥ 1.");
        if (!(LowerFraction > 0 && LowerFraction < 1)) throw new ArgumentOutOfRangeException(nameof(LowerFraction), LowerFraction, "The fraction must lie in (0, 1).");
    }
}
