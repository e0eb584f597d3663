namespace LearnedSolvers.Preconditioners;

/// <summary>
/// Manteuffel's shifted incomplete Cholesky ("An incomplete factorization technique for positive definite linear
/// systems", Math. Comp. 34 (1980) 473–497): an incomplete factorization of an SPD matrix can meet a non-positive pivot,
/// and factoring A + α·diag(A) for a large enough α cures it. The search tries α₀, then 10⁻³ (or 2α₀ from α₀ &gt; 0),
/// doubling, and keeps the first α that succeeds, as Lin and Moré's ICFS does; IC(0) and ICT share it.
/// </summary>
internal static class GrowingDiagonalShift
{
    /// <summary>The first nonzero shift tried after α = 0 fails.</summary>
    public const double First = 1e-3;

    /// <summary>The shift tried after <paramref name="shift"/> fails.</summary>
    public static double Next(double shift) => shift == 0 ? First : 2 * shift;

    /// <summary>
    /// Calls <paramref name="factor"/> with <paramref name="initialShift"/>, then with each next shift while it throws
    /// <see cref="ZeroPivotException"/> and the next shift is at most <paramref name="maxShift"/>; returns the shift that
    /// succeeded. With <paramref name="maxShift"/> equal to <paramref name="initialShift"/> &gt; 0 it tries that shift alone.
    /// </summary>
    /// <exception cref="ZeroPivotException">The last shift tried failed (its exception).</exception>
    public static double Search(double initialShift, double maxShift, Action<double> factor)
    {
        for (double shift = initialShift; ; shift = Next(shift))
        {
            try
            {
                factor(shift);
                return shift;
            }
            catch (ZeroPivotException) when (Next(shift) <= maxShift)
            {
            }
        }
    }

    /// <summary>Returns <paramref name="shift"/> when it is a finite number ≥ 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">It is negative, infinite or NaN (named <paramref name="argument"/>).</exception>
    public static double Check(double shift, string argument)
    {
        if (!(shift >= 0) || double.IsInfinity(shift))
            throw new ArgumentOutOfRangeException(argument, shift, "The diagonal shift must be a finite number ≥ 0.");
        return shift;
    }

    /// <summary>Checks a shift search's range: both finite, 0 ≤ <paramref name="initialShift"/> ≤ <paramref name="maxShift"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Names <paramref name="initialArgument"/> or <paramref name="maxArgument"/>.</exception>
    public static void CheckRange(double initialShift, double maxShift, string initialArgument, string maxArgument)
    {
        Check(initialShift, initialArgument);
        if (!(maxShift >= initialShift) || double.IsInfinity(maxShift))
            throw new ArgumentOutOfRangeException(maxArgument, maxShift, $"The largest shift must be finite and at least the initial shift {initialShift}.");
    }
}
