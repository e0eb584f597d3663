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
        Span<double> coefficients, Span<double> scratch)
    {
        device.MultiDot(basis, count, w, coefficients);
        device.MultiAxpy(basis, count, coefficients, w);
        device.MultiDot(basis, count, w, scratch);
        device.MultiAxpy(basis, count, scratch, w);
        for (int i = 0; i < count; i++) coefficients[i] += scratch[i];
        return device.Norm2(w);
    }
}
