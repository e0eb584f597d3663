namespace LearnedSolvers.Preconditioners.Factories;

/// <summary>Options of <see cref="IncompleteLuThresholdFactory"/> ("ilut") and <see cref="IncompleteLuThresholdPivotingFactory"/> ("ilutp").</summary>
public sealed record IlutOptions
{
    /// <summary>τ ≥ 0: an entry of row i below τ·‖a_i‖₂ is dropped; see <see cref="IncompleteLuThreshold.DefaultDropTolerance"/> for the default.</summary>
    public double DropTolerance { get; init; } = IncompleteLuThreshold.DefaultDropTolerance;

    /// <summary>p ≥ 0: the most entries each row of L and of U keeps beyond the diagonal; see <see cref="IncompleteLuThreshold.DefaultFill"/>.</summary>
    public int Fill { get; init; } = IncompleteLuThreshold.DefaultFill;

    /// <summary>
    /// t in [0, 1], read by "ilutp" only (ILUT keeps the diagonal): the diagonal is exchanged for the row's largest U
    /// entry u_ij when t·|u_ij| &gt; |u_ii|; see <see cref="IncompleteLuThresholdPivoting.DefaultPivotTolerance"/>.
    /// </summary>
    public double PivotTolerance { get; init; } = IncompleteLuThresholdPivoting.DefaultPivotTolerance;

    /// <summary>The precision the factor is held and applied in (<see cref="Devices.Precision.Single"/>: float inside a double iteration).</summary>
    public Devices.Precision Precision { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first bad option.</summary>
    public void Validate()
    {
        ThresholdDropping.CheckDropTolerance(DropTolerance, nameof(DropTolerance));
        ThresholdDropping.CheckFill(Fill, nameof(Fill));
        ThresholdDropping.CheckPivotTolerance(PivotTolerance, nameof(PivotTolerance));
        Devices.PrecisionCheck.Valid(Precision, nameof(Precision));
    }
}
