namespace LearnedSolvers.Preconditioners.Factories;

/// <summary>Options of <see cref="IncompleteCholesky0Factory"/>.</summary>
public sealed record IncompleteCholesky0Options
{
    /// <summary>α ≥ 0: factor A + α·diag(A), which cures most breakdowns on SPD matrices that are not M-matrices.</summary>
    public double DiagonalShift { get; init; }

    /// <summary>
    /// When a pivot is not positive, factor again with a growing shift (<see cref="DiagonalShift"/>, then 10⁻³ or twice
    /// the last, doubling) up to <see cref="MaxShift"/> and keep the first that succeeds (Manteuffel's shifted IC);
    /// <see cref="IncompleteCholesky0.DiagonalShift"/> reports the shift used.
    /// </summary>
    public bool GrowShift { get; init; }

    /// <summary>The largest shift <see cref="GrowShift"/> tries.</summary>
    public double MaxShift { get; init; } = 1;

    /// <summary>The precision the factor is held and applied in: <see cref="Devices.Precision.Single"/> halves the bytes each application reads, inside a double iteration.</summary>
    public Devices.Precision Precision { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first bad option.</summary>
    public void Validate()
    {
        GrowingDiagonalShift.CheckRange(DiagonalShift, MaxShift, nameof(DiagonalShift), nameof(MaxShift));
        Devices.PrecisionCheck.Valid(Precision, nameof(Precision));
    }
}
