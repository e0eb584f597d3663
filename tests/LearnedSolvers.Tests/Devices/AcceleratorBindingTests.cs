using ILGPU.Runtime;
using LearnedSolvers.Devices.Ilgpu;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Devices;

/// <summary>
/// Two devices in one process, used in turn and from many threads: every operation runs on its own device's
/// accelerator. On CUDA a context is current per thread, so a device that does not make its own context current
/// allocates, loads and launches in whichever context the thread used last.
/// </summary>
public abstract class AcceleratorBindingTests
{
    /// <summary>A device of its own (not the process-wide one), disposed by the test.</summary>
    protected abstract IlgpuDevice CreateDevice();

    [Fact]
    public void TwoDevicesUsedInTurn_EachOperationRunsOnItsOwnAccelerator()
    {
        using var first = CreateDevice();
        using var second = CreateDevice();
        var values = RandomSystems.Vector(1001, 5);
        double expected = 2 * values.Sum(v => v * v);
        for (int round = 0; round < 3; round++)
        {
            foreach (var device in new[] { first, second, second, first })
            {
                using var x = device.Upload(values);
                using var y = device.Allocate(values.Length);
                Assert.Same(device.Accelerator, Accelerator.Current);
                device.Axpby(2, x, 0, y);
                Assert.Equal(expected, device.Dot(x, y), 1e-9 * expected);
            }
        }
    }

    [Fact]
    public async Task TwoDevicesUsedFromManyThreads_GiveEachThreadsResult()
    {
        using var first = CreateDevice();
        using var second = CreateDevice();
        var tasks = Enumerable.Range(0, 16).Select(t => Task.Run(() =>
        {
            var device = t % 2 == 0 ? first : second;
            var values = RandomSystems.Vector(777 + t, t);
            using var x = device.Upload(values);
            using var y = device.Allocate(values.Length);
            device.Copy(x, y);
            device.Scale(3, y);
            var back = y.ToArray();
            for (int i = 0; i < values.Length; i++) Assert.Equal(3 * values[i], back[i]);
        }, TestContext.Current.CancellationToken));
        await Task.WhenAll(tasks);
    }
}

public sealed class IlgpuCpuAcceleratorBindingTests : AcceleratorBindingTests
{
    protected override IlgpuDevice CreateDevice() => IlgpuDevice.CreateCpu(shared: false);
}

[Trait("Category", "Gpu")]
public sealed class CudaAcceleratorBindingTests : AcceleratorBindingTests
{
    protected override IlgpuDevice CreateDevice()
    {
        var device = IlgpuDevice.TryCreateCuda(shared: false, out string reason);
        Assert.SkipWhen(device is null, $"No CUDA GPU: {reason}");
        return device!;
    }
}
