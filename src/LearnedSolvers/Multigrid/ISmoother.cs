using LearnedSolvers.Devices;

namespace LearnedSolvers.Multigrid;

/// <summary>Before or after the coarse-grid correction: a smoother whose two halves are adjoint keeps the cycle symmetric.</summary>
public enum SmoothingStep
{
    Pre,
    Post,
}

/// <summary>A multigrid relaxation on one level: improves x for A x = b in place, with work vectors of its own.</summary>
public interface ISmoother : IDisposable
{
    /// <summary>Runs <paramref name="sweeps"/> sweeps; <paramref name="zeroGuess"/> says x is zero on entry (saves one SpMV).</summary>
    void Smooth(DeviceVector b, DeviceVector x, int sweeps, SmoothingStep step, bool zeroGuess);
}
