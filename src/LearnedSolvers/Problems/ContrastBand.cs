namespace LearnedSolvers.Problems;

/// <summary>
/// An interval [Low, High] for the contrast exp(max φ - min φ) of a log-normal coefficient field; fields outside it
/// are rejected and drawn again, as ConDiff does to keep each data set at one difficulty.
/// </summary>
public readonly record struct ContrastBand
{
    /// <exception cref="ArgumentOutOfRangeException">Low &lt; 1, High &lt; Low, or either is NaN or infinite.</exception>
    public ContrastBand(double low, double high)
    {
        if (!(low >= 1) || double.IsInfinity(low))
            throw new ArgumentOutOfRangeException(nameof(low), low, "A contrast is max k / min k ≥ 1; the lower bound must be finite and ≥ 1.");
        if (!(high >= low) || double.IsInfinity(high))
            throw new ArgumentOutOfRangeException(nameof(high), high, $"The upper bound must be finite and ≥ the lower bound {low}.");
        Low = low;
        High = high;
    }

    public double Low { get; }
    public double High { get; }

    public bool Contains(double contrast) => contrast >= Low && contrast <= High;

    public override string ToString() => $"[{Low:G4}, {High:G4}]";
}
