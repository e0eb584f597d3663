using LearnedSolvers.Devices;
using LearnedSolvers.Devices.Ilgpu;
using LearnedSolvers.Krylov;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Krylov;

/// <summary>
/// Every Krylov solver owns its workspace and is disposed deterministically, and one solver refuses a second,
/// concurrent solve instead of letting two threads share its vectors.
/// </summary>
public class KrylovSolverLifetimeTests
{
    private const int Size = 200;

    public static TheoryData<KrylovMethod> Methods => new(Enum.GetValues<KrylovMethod>());

    /// <summary>An operator that, once armed, blocks inside its next Apply until released: a solve held mid-iteration.</summary>
    private sealed class BlockingOperator(ILinearOperator inner) : ILinearOperator
    {
        private int _armed;

        public ManualResetEventSlim Entered { get; } = new();
        public ManualResetEventSlim Release { get; } = new();
        public int Rows => inner.Rows;
        public int Columns => inner.Columns;
        public Device Device => inner.Device;

        public void Arm() => Volatile.Write(ref _armed, 1);

        public void Apply(DeviceVector x, DeviceVector y)
        {
            if (Interlocked.Exchange(ref _armed, 0) == 1)
            {
                Entered.Set();
                Assert.True(Release.Wait(TimeSpan.FromSeconds(30)), "The blocked solve was never released.");
            }
            inner.Apply(x, y);
        }
    }

    [Theory, MemberData(nameof(Methods))]
    public void SolveAfterDispose_Throws_AndDisposeTwiceIsHarmless(KrylovMethod method)
    {
        var device = Device.Cpu;
        var s = SolvedSystems.Spd(Size, 61);
        var solver = KrylovSolvers.Create(method, device.Upload(s.A));
        Assert.True(solver.Solve(device.Upload(s.B), device.Allocate(Size)).Converged);
        solver.Dispose();
        solver.Dispose();
        Assert.Throws<ObjectDisposedException>(() => solver.Solve(device.Upload(s.B), device.Allocate(Size)));
    }

    [Fact]
    public void Dispose_ReturnsEveryWorkspaceBuffer_ToTheDevice()
    {
        var device = IlgpuDevice.CreateCpu(shared: false);
        try
        {
            var s = SolvedSystems.Spd(50, 63);
            using var a = device.Upload(s.A);
            using var b = device.Upload(s.B);
            using var x = device.Allocate(50);
            long before = device.LiveBytes();
            foreach (var method in Enum.GetValues<KrylovMethod>())
            {
                device.Fill(x, 0);
                var solver = KrylovSolvers.Create(method, a, options: new SolverOptions(MaxIterations: 200));
                Assert.True(solver.Solve(b, x).Converged, method.ToString());
                Assert.True(device.LiveBytes() > before, $"{method}: the workspace should live on the device while the solver does.");
                solver.Dispose();
                Assert.Equal(before, device.LiveBytes());
            }
        }
        finally
        {
            device.Dispose();
        }
    }

    [Theory, MemberData(nameof(Methods))]
    public async Task ConcurrentSolve_IsRefused_AndTheRunningSolveFinishesCorrectly(KrylovMethod method)
    {
        var device = Device.Cpu;
        var s = SolvedSystems.Spd(Size, 62);
        var blocking = new BlockingOperator(device.Upload(s.A));
        using var solver = KrylovSolvers.Create(method, blocking);
        var x = device.Allocate(Size);
        blocking.Arm();
        var running = Task.Run(() => solver.Solve(device.Upload(s.B), x), TestContext.Current.CancellationToken);
        Assert.True(blocking.Entered.Wait(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken), "The first solve never reached the operator.");

        var refused = Assert.Throws<InvalidOperationException>(() => solver.Solve(device.Upload(s.B), device.Allocate(Size)));
        Assert.Contains("already solving on another thread", refused.Message);
        Assert.Throws<InvalidOperationException>(solver.Dispose);

        blocking.Release.Set();
        var result = await running;
        Assert.True(result.Converged, result.ToString());
        Assert.True(Reference.RelativeMaxError(x.ToArray(), s.Solution) < 1e-6);
        Assert.True(solver.Solve(device.Upload(s.B), device.Allocate(Size)).Converged, "The solver must be usable again once the first solve returned.");
    }
}
