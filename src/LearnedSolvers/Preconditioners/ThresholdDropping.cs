namespace LearnedSolvers.Preconditioners;

/// <summary>
/// The two parameters of the dual dropping rule that ILUT, ILUTP and ICT share (Saad, "ILUT: a dual threshold
/// incomplete LU factorization", Numer. Linear Algebra Appl. 1 (1994) 387–402): an entry of row i below τ·‖a_i‖₂ is
/// dropped, and of the rest each row keeps only its p largest beyond the diagonal.
/// </summary>
internal static class ThresholdDropping
{
    /// <summary>Returns τ when it is a finite number ≥ 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">It is not (named <paramref name="argument"/>).</exception>
    public static double CheckDropTolerance(double dropTolerance, string argument)
    {
        if (!(dropTolerance >= 0) || double.IsInfinity(dropTolerance))
            throw new ArgumentOutOfRangeException(argument, dropTolerance, "The drop tolerance must be a finite number ≥ 0 (0 drops only exact zeros).");
        return dropTolerance;
    }

    /// <summary>Returns p when it is ≥ 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">It is negative (named <paramref name="argument"/>).</exception>
    public static int CheckFill(int fill, string argument)
    {
        if (fill < 0)
            throw new ArgumentOutOfRangeException(argument, fill, "The fill must be ≥ 0: the most entries a factor row keeps beyond the diagonal.");
        return fill;
    }

    /// <summary>Returns t when it lies in [0, 1].</summary>
    /// <exception cref="ArgumentOutOfRangeException">It does not (named <paramref name="argument"/>).</exception>
    public static double CheckPivotTolerance(double pivotTolerance, string argument)
    {
        if (!(pivotTolerance >= 0 && pivotTolerance <= 1))
            throw new ArgumentOutOfRangeException(argument, pivotTolerance, "The pivot tolerance must lie in [0, 1]: 0 never exchanges columns, 1 always takes the row's largest entry as pivot.");
        return pivotTolerance;
    }
}
