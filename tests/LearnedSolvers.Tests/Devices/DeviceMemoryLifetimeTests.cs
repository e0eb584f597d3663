using LearnedSolvers.Devices;
using LearnedSolvers.Devices.Ilgpu;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners.Factories;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Devices;

/// <summary>
/// Device memory is released deterministically: after 100 rounds of upload, preconditioner setup, solve and dispose
/// (single and block solves), the device holds exactly what it held before.
/// </summary>
public abstract class DeviceMemoryLifetimeTests
{
    protected abstract IlgpuDevice Device { get; }

    [Fact]
    public void HundredSolveDisposeRounds_ReturnMemoryToItsStartingLevel()
    {
        var device = Device;
        var s = SolvedSystems.Spd(64, 91);
        long before = device.LiveBytes();
        // Jacobi in most rounds keeps the ILGPU CPU accelerator's run short; every tenth round sets up a factor or a polynomial.
        string[] preconditioners = ["ic0", "chebyshev", "ilu0"];
        for (int round = 0; round < 100; round++)
        {
            using var a = device.Upload(s.A);
            var factory = PreconditionerRegistry.Get(round % 10 == 0 ? preconditioners[round / 10 % preconditioners.Length] : "jacobi");
            var m = factory.Create(a);
            try
            {
                using var b = device.Upload(s.B);
                using var x = device.Allocate(s.A.Rows);
                var method = factory.IsSymmetric ? KrylovMethod.Cg : KrylovMethod.Gmres;
                using (var solver = KrylovSolvers.Create(method, a, m))
                    Assert.True(solver.Solve(b, x).Converged, $"round {round}: {factory.Name}");
                if (round % 10 == 0)
                {
                    using var bs = device.Upload<double>([.. s.B, .. s.B], Shape.Block(s.A.Rows, 2));
                    using var xs = device.Allocate<double>(Shape.Block(s.A.Rows, 2));
                    using var block = new SimultaneousConjugateGradient(a, 2, factory.IsSymmetric ? m : null);
                    Assert.True(block.Solve(bs, xs).Converged);
                    using var shared = new BlockConjugateGradient(a, 2, factory.IsSymmetric ? m : null);
                    Assert.True(shared.Solve(bs, xs).Converged);
                }
                Assert.True(device.LiveBytes() > before);
            }
            finally
            {
                (m as IDisposable)?.Dispose();
            }
        }
        Assert.Equal(before, device.LiveBytes());
    }
}

public sealed class IlgpuCpuDeviceMemoryLifetimeTests : DeviceMemoryLifetimeTests, IDisposable
{
    // A private accelerator: the shared one is used by tests running in parallel, whose buffers would show here.
    private readonly IlgpuDevice _device = IlgpuDevice.CreateCpu(shared: false);

    protected override IlgpuDevice Device => _device;

    public void Dispose() => _device.Dispose();
}

[Trait("Category", "Gpu")]
public sealed class CudaDeviceMemoryLifetimeTests : DeviceMemoryLifetimeTests, IDisposable
{
    // A private CUDA context: tests running in parallel allocate on the shared one.
    private readonly IlgpuDevice? _device = IlgpuDevice.TryCreateCuda(shared: false, out _);

    protected override IlgpuDevice Device
    {
        get
        {
            Assert.SkipWhen(_device is null, "No CUDA GPU.");
            return _device!;
        }
    }

    public void Dispose() => _device?.Dispose();
}
