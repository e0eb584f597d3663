using LearnedSolvers.Devices;

namespace LearnedSolvers.Krylov;

/// <summary>
/// Classical Gram–Schmidt with one reorthogonalization pass against an orthonormal basis on the device (CGS2; Giraud,
/// Langou and Rozložník 2005, "twice is enough"): each pass is one <see cref="Device.MultiDot"/> and one
/// <see cref="Device.MultiAxpy"/>, a sweep over w per basis block instead of j dependent dots as in modified
/// Gram–Schmidt. (A DGKS-conditional second pass was measured: on ill-conditioned diffusion sequences it reorthogonalized
/// most steps anyway and saved no time, while adding a norm per step.)
/// </summary>
internal static class GramSchmidt
{
    /// <summary>
    /// w ← (I − V Vᵀ) w for the first <paramref name="count"/> basis vectors; <paramref name="coefficients"/> receives Vᵀw
    /// (both passes summed); returns ‖w‖ after.
    /// </summary>
    public static double Orthogonalize(Device device, IReadOnlyList<DeviceVector> basis, int count, DeviceVector w,
        Span<double> coefficients, Span<double> scratch) =>
        OrthogonalizeAfterBlock(device, basis, 0, count, basis, w, coefficients, scratch);

    /// <summary>
    /// A first pass whose coefficients exceed the remaining norm by more than this factor cancelled so much that the
    /// part left may have lost orthogonality to an exactly orthonormal block by more than about 100 ε: pass again.
    /// </summary>
    internal const double CancellationLimit = 100;

    /// <summary>
    /// As <see cref="Orthogonalize"/> against [C, V] = the first <paramref name="count"/> basis vectors, where C, the
    /// first <paramref name="blockCount"/>, is orthonormal to rounding and fixed (GCRO-DR's recycled C_k, with V ⟂ C):
    /// the second pass covers V (<paramref name="krylov"/>, the same vectors as basis[blockCount..count)) only.
    /// Reorthogonalization corrects the loss that accumulates in a basis built one vector at a time; C has none, and
    /// one projection onto an exactly orthonormal block leaves w orthogonal to it to ε‖w‖/‖w − proj‖, so C is passed
    /// again only after severe cancellation (<see cref="CancellationLimit"/>). With no block it is plain CGS2
    /// (<see cref="Orthogonalize"/>).
    /// </summary>
    public static double OrthogonalizeAfterBlock(Device device, IReadOnlyList<DeviceVector> basis, int blockCount, int count,
        IReadOnlyList<DeviceVector> krylov, DeviceVector w, Span<double> coefficients, Span<double> scratch)
    {
        device.MultiDot(basis, count, w, coefficients);
        device.MultiAxpy(basis, count, coefficients, w);
        double firstSquares = 0;
        for (int i = 0; i < count; i++) firstSquares += coefficients[i] * coefficients[i];
        int tail = count - blockCount;
        var second = scratch[..tail];
        device.MultiDot(krylov, tail, w, second);
        device.MultiAxpy(krylov, tail, second, w);
        for (int i = 0; i < tail; i++) coefficients[blockCount + i] += second[i];
        double norm = device.Norm2(w);
        if (blockCount == 0 || !(Math.Sqrt(firstSquares) > CancellationLimit * norm)) return norm;

        var again = scratch[..blockCount];
        device.MultiDot(basis, blockCount, w, again);
        device.MultiAxpy(basis, blockCount, again, w);
        for (int i = 0; i < blockCount; i++) coefficients[i] += again[i];
        return device.Norm2(w);
    }
}
