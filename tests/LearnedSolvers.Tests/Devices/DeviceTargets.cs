using LearnedSolvers.Devices;
using LearnedSolvers.Devices.Ilgpu;

namespace LearnedSolvers.Tests.Devices;

/// <summary>The devices the written-once suites run on; the CUDA one skips the test where there is no CUDA GPU.</summary>
internal static class DeviceTargets
{
    public static IlgpuDevice IlgpuCpu => (IlgpuDevice)Device.IlgpuCpu();

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
