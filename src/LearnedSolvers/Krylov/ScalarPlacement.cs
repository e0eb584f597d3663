namespace LearnedSolvers.Krylov;

/// <summary>Where an iteration keeps its scalars (α, β, ρ, the residual norms) between kernels.</summary>
public enum ScalarPlacement
{
    /// <summary>
    /// On the device when the device prefers it (<see cref="Devices.Device.PrefersDeviceScalars"/>) and the method can
    /// (e.g. a linear preconditioner for BiCGStab), on the host otherwise.
    /// </summary>
    Auto,

    /// <summary>On the host: every iteration reads its scalars back (free on the CPU device, a synchronization on a GPU).</summary>
    Host,

    /// <summary>
    /// On the device: the host reads them every few iterations in one copy and replays them to find the exact stopping
    /// iteration. On the CPU device this runs the same loop with host arrays, which is how it is tested there.
    /// </summary>
    Device,
}
