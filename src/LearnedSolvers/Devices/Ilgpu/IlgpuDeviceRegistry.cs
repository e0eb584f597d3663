namespace LearnedSolvers.Devices.Ilgpu;

/// <summary>
/// The process-wide ILGPU devices: at most one CUDA accelerator and one CPU accelerator, each created on first use
/// (creating one compiles every kernel: seconds) and released when the process exits.
/// </summary>
internal static class IlgpuDeviceRegistry
{
    private static readonly Lazy<(IlgpuDevice? Device, string Reason)> s_cuda = new(() =>
    {
        var d = IlgpuDevice.TryCreateCuda(shared: true, out string reason);
        return (d, reason);
    });

    private static readonly Lazy<IlgpuDevice> s_cpu = new(() => IlgpuDevice.CreateCpu(shared: true));

    static IlgpuDeviceRegistry() => AppDomain.CurrentDomain.ProcessExit += (_, _) => ReleaseAll();

    /// <summary>The CUDA device; <see cref="DeviceUnavailableException"/> when this machine has no CUDA GPU.</summary>
    public static IlgpuDevice Cuda =>
        s_cuda.Value.Device ?? throw new DeviceUnavailableException($"CUDA is not available, {s_cuda.Value.Reason}. Use Device.Cpu, or Device.Default to fall back to it automatically.");

    /// <summary>The CUDA device, or null and why not.</summary>
    public static IlgpuDevice? TryGetCuda(out string reason)
    {
        var (device, why) = s_cuda.Value;
        reason = why;
        return device;
    }

    public static IlgpuDevice Cpu => s_cpu.Value;

    private static void ReleaseAll()
    {
        // Best effort: the runtime is shutting down, and a failure here must not turn a clean exit into a crash.
        try
        {
            if (s_cuda.IsValueCreated) s_cuda.Value.Device?.Release();
            if (s_cpu.IsValueCreated) s_cpu.Value.Release();
        }
        catch (Exception)
        {
        }
    }
}
