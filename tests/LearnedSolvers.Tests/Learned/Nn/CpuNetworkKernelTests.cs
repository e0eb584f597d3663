using LearnedSolvers.Devices;

namespace LearnedSolvers.Tests.Learned.Nn;

/// <summary>The network kernels on the CPU device.</summary>
public sealed class CpuNetworkKernelTests : NetworkKernelTests
{
    protected override Device Device => Device.Cpu;
}
