namespace LearnedSolvers.Preconditioners.Factories;

/// <summary>Options of <see cref="FsaiFactory"/>.</summary>
public sealed record FsaiOptions
{
    /// <summary>
    /// G takes the lower triangle of A^Power's pattern, 1 to <see cref="FactorizedSparseInverse.MaxPower"/>: a higher
    /// power reaches further (fewer iterations) for a denser G (each application and the setup cost more).
    /// </summary>
    public int Power { get; init; } = 1;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first bad option.</summary>
    public void Validate() => FactorizedSparseInverse.CheckPower(Power, nameof(Power));
}
