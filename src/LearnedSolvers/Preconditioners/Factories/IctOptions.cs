namespace LearnedSolvers.Preconditioners.Factories;

/// <summary>Options of <see cref="IncompleteCholeskyThresholdFactory"/> ("ict"); the shift options are IC(0)'s (<see cref="IncompleteCholesky0Options"/>).</summary>
public sealed record IctOptions
{
    /// <summary>τ ≥ 0: an entry of row j of l_jj·Lᵀ below τ·‖a_j‖₂ is dropped.</summary>
    public double DropTolerance { get; init; } = IncompleteCholeskyThreshold.DefaultDropTolerance;

    /// <summary>p ≥ 0: the most entries each column of L keeps beyond the diagonal.</summary>
    public int Fill { get; init; } = IncompleteCholeskyThreshold.DefaultFill;

    /// <summary>α ≥ 0: factor A + α·diag(A).</summary>
    public double DiagonalShift { get; init; }

    /// <summary>
    /// When a pivot is not positive, factor again with a growing shift (<see cref="DiagonalShift"/>, then 10⁻³ or twice
    /// the last, doubling) up to <see cref="MaxShift"/> and keep the first that succeeds (Manteuffel's shifted IC);
    /// <see cref="IncompleteCholeskyThreshold.DiagonalShift"/> reports the shift used.
    /// </summary>
    public bool GrowShift { get; init; }

    /// <summary>The largest shift <see cref="GrowShift"/> tries.</summary>
    public double MaxShift { get; init; } = 1;

    /// <summary>The precision the factor is held and applied in (<see cref="Devices.Precision.Single"/>: float inside a double iteration).</summary>
    public Devices.Precision Precision { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first bad option.</summary>
    public void Validate()
    {
        ThresholdDropping.CheckDropTolerance(DropTolerance, nameof(DropTolerance));
        ThresholdDropping.CheckFill(Fill, nameof(Fill));
        GrowingDiagonalShift.CheckRange(DiagonalShift, MaxShift, nameof(DiagonalShift), nameof(MaxShift));
        Devices.PrecisionCheck.Valid(Precision, nameof(Precision));
    }
}
