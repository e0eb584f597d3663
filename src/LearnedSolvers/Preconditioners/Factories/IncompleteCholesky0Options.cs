namespace LearnedSolvers.Preconditioners.Factories;

/// <summary>Options of <see cref="IncompleteCholesky0Factory"/>.</summary>
public sealed record IncompleteCholesky0Options
{
    /// <summary>α ≥ 0: factor A + α·diag(A), which cures most breakdowns on SPD matrices that are not M-matrices.</summary>
    public double DiagonalShift { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first bad option.</summary>
    public void Validate()
    {
        if (!(DiagonalShift >= 0) || double.IsInfinity(DiagonalShift))
            throw new ArgumentOutOfRangeException(nameof(DiagonalShift), DiagonalShift, "The diagonal shift must be a finite number ≥ 0.");
    }
}
