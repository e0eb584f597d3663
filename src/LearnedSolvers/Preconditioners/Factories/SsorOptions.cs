namespace LearnedSolvers.Preconditioners.Factories;

/// <summary>Options of <see cref="SsorFactory"/>.</summary>
public sealed record SsorOptions
{
    /// <summary>Relaxation factor ω in (0, 2); 1 gives symmetric Gauss–Seidel.</summary>
    public double Omega { get; init; } = 1.0;

    /// <summary>The precision the factor is held and applied in (<see cref="Devices.Precision.Single"/>: float inside a double iteration).</summary>
    public Devices.Precision Precision { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first bad option.</summary>
    public void Validate()
    {
        if (!(Omega > 0 && Omega < 2)) throw new ArgumentOutOfRangeException(nameof(Omega), Omega, "SSOR's relaxation factor must lie in (0, 2).");
        Devices.PrecisionCheck.Valid(Precision, nameof(Precision));
    }
}
