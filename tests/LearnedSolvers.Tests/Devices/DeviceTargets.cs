using LearnedSolvers.Devices;
using LearnedSolvers.Devices.Ilgpu;

namespace LearnedSolvers.Tests.Devices;

/// <summary>The devices the written-once suites run on; the CUDA one skips the test where there is no CUDA GPU.</summary>
internal static class DeviceTargets
{
    public static IlgpuDevice IlgpuCpu => (IlgpuDevice)Device.IlgpuCpu();

    private static readonly Lazy<IlgpuDevice> s_warp32 = new(() =>
    {
        var device = IlgpuDevice.CreateCpu(shared: false, warpSize: 32, warpsPerGroup: 2);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => device.Dispose();
        return device;
    });

    /// <summary>The CPU accelerator shaped like a CUDA GPU's warp (32 lanes, 2 warps per group): full-width shuffles, 8 to 32 lanes per row.</summary>
    public static IlgpuDevice IlgpuCpuWarp32 => s_warp32.Value;

    public static IlgpuDevice CudaOrSkip
    {
        get
        {
            var cuda = IlgpuDeviceRegistry.TryGetCuda(out string reason);
            Assert.SkipWhen(cuda is null, $"No CUDA GPU: {reason}");
            return cuda!;
        }
    }
}
