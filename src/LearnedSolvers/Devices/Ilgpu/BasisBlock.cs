namespace LearnedSolvers.Devices.Ilgpu;

/// <summary>
/// The coefficients of one block of <see cref="Width"/> basis vectors, passed to a kernel by value: no host-to-device
/// copy before a MultiAxpy launch. Unused entries are zero and never read.
/// </summary>
internal struct BasisBlock
{
    /// <summary>Basis vectors handled per kernel launch (also the number of view parameters of the multi-vector kernels).</summary>
    public const int Width = 8;

    public double C0, C1, C2, C3, C4, C5, C6, C7;

    public static BasisBlock From(ReadOnlySpan<double> coefficients)
    {
        var b = default(BasisBlock);
        int n = coefficients.Length;
        if (n > 0) b.C0 = coefficients[0];
        if (n > 1) b.C1 = coefficients[1];
        if (n > 2) b.C2 = coefficients[2];
        if (n > 3) b.C3 = coefficients[3];
        if (n > 4) b.C4 = coefficients[4];
        if (n > 5) b.C5 = coefficients[5];
        if (n > 6) b.C6 = coefficients[6];
        if (n > 7) b.C7 = coefficients[7];
        return b;
    }
}
