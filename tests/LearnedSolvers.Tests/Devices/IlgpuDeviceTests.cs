using LearnedSolvers.Devices;
using LearnedSolvers.Devices.Ilgpu;
using LearnedSolvers.Krylov;
using LearnedSolvers.Krylov.Kernels;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Devices;

/// <summary>Choosing ILGPU devices, their errors, and their lifetime.</summary>
public class IlgpuDeviceTests
{
    private static bool CudaPresent => IlgpuDeviceRegistry.TryGetCuda(out _) is not null;

    [Fact]
    public void Cuda_WithoutGpu_ThrowsDeviceUnavailable_SayingNoGpuWasFound()
    {
        Assert.SkipWhen(CudaPresent, "This machine has a CUDA GPU.");
        var e = Assert.Throws<DeviceUnavailableException>(() => Device.Cuda());
        Assert.Contains("no CUDA GPU was found", e.Message);
        Assert.Throws<DeviceUnavailableException>(() => Device.FromName("cuda"));
    }

    [Fact]
    public void Default_IsCudaWhenPresent_ElseCpu_AndSaysWhy()
    {
        if (CudaPresent)
        {
            Assert.Equal("cuda", Device.Default.Name);
            Assert.Contains("CUDA GPU was found", Device.DefaultDescription);
        }
        else
        {
            Assert.Same(Device.Cpu, Device.Default);
            Assert.StartsWith("cpu", Device.DefaultDescription);
            Assert.Contains("no CUDA GPU was found", Device.DefaultDescription);
        }
    }

    [Fact]
    public void FromName_KnowsEveryDeviceName_CaseInsensitively()
    {
        Assert.Same(Device.Cpu, Device.FromName("cpu"));
        Assert.Same(Device.IlgpuCpu(), Device.FromName(" ILGPU-CPU "));
        Assert.Same(Device.Default, Device.FromName("auto"));
        Assert.Equal("ilgpu-cpu", Device.IlgpuCpu().Name);
        var e = Assert.Throws<ArgumentException>(() => Device.FromName("tpu"));
        Assert.Contains("cpu, cuda, ilgpu-cpu, auto", e.Message);
    }

    [Fact]
    public void Solver_RejectsCpuVector_ForIlgpuOperator()
    {
        var a = RandomSystems.Spd(10, 1);
        var ilgpu = Device.IlgpuCpu();
        var cg = new ConjugateGradient(ilgpu.Upload(a));
        Assert.Throws<DeviceMismatchException>(() => cg.Solve(Device.Cpu.Upload(RandomSystems.Vector(10, 2)), ilgpu.Allocate(10)));
        Assert.Throws<DeviceMismatchException>(() => ilgpu.Kernels(IKrylovKernels.Family).UpdateWithNorm(1, ilgpu.Allocate(10), Device.Cpu.Allocate(10), ilgpu.Allocate(10), ilgpu.Allocate(10)));
    }

    [Fact]
    public void Vector_Dispose_IsIdempotent_AndUseAfterwardThrows()
    {
        var v = Device.IlgpuCpu().Upload([1.0, 2.0]);
        v.Dispose();
        v.Dispose();
        Assert.True(((IlgpuVector)v).IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => v.ToArray());
        Assert.Throws<ObjectDisposedException>(() => Device.IlgpuCpu().Scale(2, v));
    }

    [Fact]
    public void SharedDevice_IgnoresDispose()
    {
        var shared = Device.IlgpuCpu();
        shared.Dispose();
        var x = shared.Upload([3.0, 4.0]);
        Assert.Equal(5.0, shared.Norm2(x));
    }

    [Fact]
    public void OwnedDevice_ReportsOutOfMemory_ThenDisposesIdempotently()
    {
        var device = IlgpuDevice.CreateCpu(shared: false);
        var x = device.Upload([3.0, 4.0]);
        Assert.Equal(5.0, device.Norm2(x));

        device.SimulatedFreeBytes = 1000;
        var e = Assert.Throws<DeviceOutOfMemoryException>(() => device.Allocate(1000));
        Assert.Equal(8000, e.BytesRequested);
        Assert.Equal(1000, e.BytesFree);
        Assert.Contains("8,000 bytes were requested", e.Message);
        Assert.Contains("1,000 bytes are free", e.Message);
        Assert.Throws<DeviceOutOfMemoryException>(() => device.Upload(RandomSystems.Spd(200, 1)));
        device.SimulatedFreeBytes = null;
        Assert.True(device.FreeBytes() > 0);

        x.Dispose();
        device.Dispose();
        device.Dispose();
        Assert.Throws<ObjectDisposedException>(() => device.Allocate(3));
    }

    [Fact]
    public void EmptyVectors_AreValid_AndReduceToZero()
    {
        var d = Device.IlgpuCpu();
        var x = d.Allocate(0);
        Assert.Empty(x.ToArray());
        Assert.Equal(0.0, d.Dot(x, x));
        Assert.Equal(0.0, d.Kernels(IKrylovKernels.Family).UpdateWithNorm(1, x, x, d.Allocate(0), d.Allocate(0)));
        d.Axpy(2, x, d.Allocate(0));
        var h = new double[1];
        d.MultiDot([x], 1, d.Allocate(0), h);
        Assert.Equal(0.0, h[0]);
    }

    [Fact]
    public void ConcurrentCallers_GetTheSameBits()
    {
        var device = Device.IlgpuCpu();
        var x = device.Upload(RandomSystems.Vector(500, 1));
        double expected = device.Dot(x, x);
        var results = new double[4];
        Parallel.For(0, 4, i =>
        {
            for (int k = 0; k < 5; k++) results[i] = device.Dot(x, x);
        });
        Assert.All(results, r => Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(r)));
    }
}
