using LearnedSolvers.Devices;
using LearnedSolvers.Devices.Ilgpu;

namespace LearnedSolvers.Tests.Devices;

/// <summary>Kernel families: one implementation per backend, built once per device, released with it.</summary>
public class KernelFamilyTests
{
    private sealed class Probe(string backend) : IDisposable
    {
        public string Backend { get; } = backend;
        public bool Disposed { get; private set; }
        public void Dispose() => Disposed = true;
    }

    private static readonly KernelFamily<Probe> Family = new("probe", _ => new Probe("cpu"), d => new Probe(d.Name));

    [Fact]
    public void Kernels_PicksTheBackendsImplementation_AndBuildsItOnce()
    {
        var cpu = Device.Cpu.Kernels(Family);
        Assert.Equal("cpu", cpu.Backend);
        Assert.Same(cpu, Device.Cpu.Kernels(Family));
        var ilgpu = Device.IlgpuCpu().Kernels(Family);
        Assert.Equal("ilgpu-cpu", ilgpu.Backend);
        Assert.Same(ilgpu, Device.IlgpuCpu().Kernels(Family));
    }

    [Fact]
    public void DisposingAnIlgpuDevice_DisposesItsFamilies_AndRefusesNewOnes()
    {
        var device = IlgpuDevice.CreateCpu(shared: false);
        var probe = device.Kernels(Family);
        device.Dispose();
        Assert.True(probe.Disposed);
        Assert.Throws<ObjectDisposedException>(() => device.Kernels(new KernelFamily<Probe>("other", _ => new Probe("cpu"), _ => new Probe("x"))));
    }
}
