using LearnedSolvers.Devices;
using LearnedSolvers.Krylov.Kernels;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Devices;

/// <summary>
/// Warm kernel calls on the GPU allocate no managed memory (Krylov.jl's zero-allocation check): scratch buffers are
/// preallocated and kernel arguments are structs. Not checked on ILGPU's CPU accelerator, whose launcher allocates a
/// task object per launch.
/// </summary>
[Trait("Category", "Gpu")]
public class CudaAllocationTests
{
    [Fact]
    public void WarmKernelCalls_AllocateNothingOnTheHost()
    {
        var d = DeviceTargets.CudaOrSkip;
        var kernels = d.Kernels(IKrylovKernels.Family);
        int n = 10_000;
        var a = d.Upload(RandomSystems.Spd(n, 1));
        var basis = Enumerable.Range(0, 12).Select(i => d.Upload(RandomSystems.Vector(n, 10 + i))).ToArray();
        var p = d.Upload(RandomSystems.Vector(n, 2));
        var q = d.Allocate(n);
        var x = d.Allocate(n);
        var r = d.Upload(RandomSystems.Vector(n, 3));
        var h = new double[12];
        void Step()
        {
            a.ApplyAndDot(p, q);
            kernels.UpdateWithNorm(1e-3, p, q, x, r);
            d.Axpby(1, r, 0.5, p);
            d.Dot(r, r);
            d.MultiDot(basis, 12, r, h);
            d.MultiAxpy(basis, 12, h, r);
            d.Copy(r, q);
        }
        Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int k = 0; k < 10; k++) Step();
        long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(bytes == 0, $"10 warm steps allocated {bytes} bytes on the host");
    }
}
