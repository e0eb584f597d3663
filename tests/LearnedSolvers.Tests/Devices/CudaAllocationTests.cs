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
        using var scalars = d.AllocateScalars(40);
        var window = new double[40];
        using var halo = d.Allocate(64);
        var haloHost = new double[64];
        (string Name, Action Call)[] calls =
        [
            ("ApplyAndDot", () => a.ApplyAndDot(p, q)),
            ("UpdateWithNorm", () => kernels.UpdateWithNorm(1e-3, p, q, x, r)),
            ("Axpby", () => d.Axpby(1, r, 0.5, p)),
            ("Dot", () => d.Dot(r, r)),
            ("MultiDot", () => d.MultiDot(basis, 12, r, h)),
            ("MultiAxpy", () => d.MultiAxpy(basis, 12, h, r)),
            ("Copy", () => d.Copy(r, q)),
            ("ApplyAndDotTo", () => a.ApplyAndDotTo(p, q, scalars, 3)),
            ("DeviceScalars.CopyTo", () => scalars.CopyTo(window)),
            ("DeviceScalars.CopyFrom", () => scalars.CopyFrom(window)),
            // A halo exchange's copies: the gathered send values down, the received ghosts up, every product.
            ("DeviceVector.CopyTo", () => halo.CopyTo(haloHost)),
            ("DeviceVector.CopyFrom", () => halo.CopyFrom(haloHost)),
        ];
        foreach (var (_, call) in calls) call();
        var allocating = new List<string>();
        foreach (var (name, call) in calls)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int k = 0; k < 10; k++) call();
            long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
            if (bytes != 0) allocating.Add($"{name}: {bytes / 10} bytes per call");
        }
        Assert.True(allocating.Count == 0, "warm calls allocated on the host: " + string.Join("; ", allocating));
    }
}
