using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.Devices;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Krylov;

/// <summary>
/// Several right-hand sides: the lockstep CG and the column loop agree with single solves column by column, give each
/// column its own result, and refuse bad blocks.
/// </summary>
public class SimultaneousConjugateGradientTests
{
    private static Device Cpu => Device.Cpu;

    private static (double[] B, double[] X0) Columns(int n, int k, int seed)
    {
        var b = RandomSystems.Vector(n * k, seed);
        var x0 = new double[n * k];
        // The last column starts from a nonzero guess.
        RandomSystems.Vector(n, seed + 1).CopyTo(x0.AsSpan((k - 1) * n));
        return (b, x0);
    }

    public static TheoryData<string> Preconditioners => ["none", "jacobi", "ic0"];

    private static IPreconditioner? Preconditioner(string name, CsrMatrix a, Device device) => name switch
    {
        "jacobi" => new Jacobi(a, device),
        "ic0" => new IncompleteCholesky0(a),
        _ => null,
    };

    [Theory, MemberData(nameof(Preconditioners))]
    public void EveryColumn_EqualsItsSingleCgSolve_OnTheCpu(string preconditioner)
    {
        const int n = 597, k = 5;
        var a = RandomSystems.Spd(n, seed: 11);
        using var matrix = Cpu.Upload(a);
        var m = Preconditioner(preconditioner, a, Cpu);
        var (b, x0) = Columns(n, k, seed: 12);
        using var bs = Cpu.Upload<double>(b, Shape.Block(n, k));
        using var xs = Cpu.Upload<double>(x0, Shape.Block(n, k));
        using var solver = new SimultaneousConjugateGradient(matrix, k, m);
        var block = solver.Solve(bs, xs);

        Assert.True(block.Converged, block.ToString());
        var single = new ConjugateGradient(matrix, m);
        for (int j = 0; j < k; j++)
        {
            var x = Cpu.Upload(x0.AsSpan(j * n, n));
            var result = single.Solve(Cpu.Upload(b.AsSpan(j * n, n)), x);
            Assert.Equal(result.Iterations, block.Columns[j].Iterations);
            Assert.Equal(result.Reason, block.Columns[j].Reason);
            Assert.True(Reference.RelativeMaxError(x.ToArray(), xs.Column(j).ToArray()) <= 1e-12);
            Assert.True(Reference.TrueRelativeResidual(a, xs.Column(j).ToArray(), b.AsSpan(j * n, n).ToArray()) <= 1e-8);
            Assert.Equal(result.ResidualHistory.Count, block.Columns[j].ResidualHistory.Count);
        }
    }

    [Fact]
    public void OnTheIlgpuCpuAccelerator_ColumnsMatchTheCpu()
    {
        const int n = 301, k = 3;
        var a = RandomSystems.Spd(n, seed: 21);
        var device = DeviceTargets.IlgpuCpu;
        using var matrix = device.Upload(a);
        var (b, x0) = Columns(n, k, seed: 22);
        using var bs = device.Upload<double>(b, Shape.Block(n, k));
        using var xs = device.Upload<double>(x0, Shape.Block(n, k));
        using var solver = new SimultaneousConjugateGradient(matrix, k, new Jacobi(a, device));
        var block = solver.Solve(bs, xs);

        using var cpuMatrix = Cpu.Upload(a);
        using var cpuB = Cpu.Upload<double>(b, Shape.Block(n, k));
        using var cpuX = Cpu.Upload<double>(x0, Shape.Block(n, k));
        using var cpuSolver = new SimultaneousConjugateGradient(cpuMatrix, k, new Jacobi(a));
        var expected = cpuSolver.Solve(cpuB, cpuX);
        for (int j = 0; j < k; j++)
        {
            Assert.True(block.Columns[j].Converged);
            Assert.InRange(block.Columns[j].Iterations, expected.Columns[j].Iterations - 1, expected.Columns[j].Iterations + 1);
            Assert.True(Reference.TrueRelativeResidual(a, xs.Column(j).ToArray(), b.AsSpan(j * n, n).ToArray()) <= 1e-8);
        }
    }

    [Fact]
    public void ZeroAndNonFiniteColumns_StopOnTheirOwn_WhileTheOthersConverge()
    {
        const int n = 200, k = 3;
        var a = RandomSystems.Spd(n, seed: 31);
        using var matrix = Cpu.Upload(a);
        var b = RandomSystems.Vector(n * k, seed: 32);
        Array.Clear(b, 0, n);        // column 0: b = 0
        b[n + 7] = double.NaN;       // column 1: NaN
        using var bs = Cpu.Upload<double>(b, Shape.Block(n, k));
        using var xs = Cpu.Upload<double>(RandomSystems.Vector(n * k, seed: 33), Shape.Block(n, k));
        using var solver = new SimultaneousConjugateGradient(matrix, k);
        var block = solver.Solve(bs, xs);

        Assert.Equal(StopReason.ConvergedRelative, block.Columns[0].Reason);
        Assert.All(xs.Column(0).ToArray(), v => Assert.Equal(0.0, v));
        Assert.Equal(StopReason.NaNOrInfinity, block.Columns[1].Reason);
        Assert.True(block.Columns[2].Converged);
        Assert.True(Reference.TrueRelativeResidual(a, xs.Column(2).ToArray(), b.AsSpan(2 * n, n).ToArray()) <= 1e-8);
        Assert.False(block.Converged);
    }

    [Fact]
    public void IterationLimit_IsPerColumn_AndSaysSo()
    {
        const int n = 400, k = 2;
        var a = RandomSystems.Spd(n, seed: 41, dominance: 1.0001);
        using var matrix = Cpu.Upload(a);
        using var bs = Cpu.Upload<double>(RandomSystems.Vector(n * k, 42), Shape.Block(n, k));
        using var xs = Cpu.Allocate<double>(Shape.Block(n, k));
        using var solver = new SimultaneousConjugateGradient(matrix, k, options: new SolverOptions(MaxIterations: 3));
        var block = solver.Solve(bs, xs);
        Assert.All(block.Columns, c =>
        {
            Assert.Equal(StopReason.MaxIterations, c.Reason);
            Assert.Equal(3, c.Iterations);
            Assert.Equal(4, c.ResidualHistory.Count);
        });
    }

    [Fact]
    public void WarmSolve_AllocatesOnlyTheResults()
    {
        const int n = 20_000, k = 4;
        var a = RandomSystems.Spd(n, seed: 51);
        using var matrix = Cpu.Upload(a);
        using var bs = Cpu.Upload<double>(RandomSystems.Vector(n * k, 52), Shape.Block(n, k));
        using var xs = Cpu.Allocate<double>(Shape.Block(n, k));
        using var solver = new SimultaneousConjugateGradient(matrix, k, new Jacobi(a), new SolverOptions(RecordHistory: false));
        solver.Solve(bs, xs);
        var (result, allocated) = Allocations.Least(() =>
        {
            Cpu.Fill(xs.AsVector(), 0);
            return solver.Solve(bs, xs);
        });
        Assert.True(result.MaxIterations > 10);
        // k SolveResults with empty histories, the block result and a Stopwatch: independent of the iteration count.
        Assert.True(allocated < 2048, $"A warm solve allocated {allocated} bytes over {result.MaxIterations} iterations.");
    }

    [Fact]
    public void BadBlocksAndPreconditioners_GetClearErrors()
    {
        var a = RandomSystems.Spd(10, seed: 1);
        using var matrix = Cpu.Upload(a);
        using var solver = new SimultaneousConjugateGradient(matrix, 2);
        using var b = Cpu.Allocate<double>(Shape.Block(10, 2));
        Assert.Throws<ArgumentException>(() => solver.Solve(b, Cpu.Allocate<double>(Shape.Block(10, 3))));
        Assert.Throws<ArgumentException>(() => solver.Solve(b, Cpu.Allocate<double>(Shape.Block(9, 2))));
        Assert.Throws<ArgumentException>(() => solver.Solve(Cpu.Allocate<double>(Shape.Block(10, 3)), Cpu.Allocate<double>(Shape.Block(10, 3))));
        Assert.Throws<ArgumentException>(() => solver.Solve(b, b));
        Assert.Throws<DeviceMismatchException>(() => solver.Solve(b, DeviceTargets.IlgpuCpu.Allocate<double>(Shape.Block(10, 2))));
        Assert.Throws<ArgumentException>(() => new SimultaneousConjugateGradient(matrix, 2, new IncompleteLu0(a)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SimultaneousConjugateGradient(matrix, 0));
    }

    [Fact]
    public void SolveAfterDispose_Throws()
    {
        using var matrix = Cpu.Upload(RandomSystems.Spd(10, seed: 1));
        var solver = new SimultaneousConjugateGradient(matrix, 1);
        solver.Dispose();
        solver.Dispose();
        Assert.Throws<ObjectDisposedException>(() => solver.Solve(Cpu.Allocate<double>(Shape.Block(10, 1)), Cpu.Allocate<double>(Shape.Block(10, 1))));
    }

    [Fact]
    public async Task ConcurrentSolves_OnOneSolver_AreRefused()
    {
        const int n = 50;
        var a = RandomSystems.Spd(n, seed: 61);
        using var matrix = Cpu.Upload(a);
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var blocking = new BlockingPreconditioner(new Jacobi(a), entered, release);
        using var solver = new SimultaneousConjugateGradient(matrix, 1, blocking);
        using var b1 = Cpu.Upload<double>(RandomSystems.Vector(n, 62), Shape.Block(n, 1));
        using var x1 = Cpu.Allocate<double>(Shape.Block(n, 1));
        var first = Task.Run(() => solver.Solve(b1, x1), TestContext.Current.CancellationToken);
        Assert.True(entered.Wait(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        var e = Assert.Throws<InvalidOperationException>(() => solver.Solve(Cpu.Allocate<double>(Shape.Block(n, 1)), Cpu.Allocate<double>(Shape.Block(n, 1))));
        Assert.Contains("one solver per thread", e.Message);
        release.Set();
        Assert.True((await first).Converged);
        Assert.True(Reference.TrueRelativeResidual(a, x1.ToArray(), b1.ToArray()) <= 1e-8);
    }

    /// <summary>A preconditioner that waits inside its first application until released: holds a solve in progress.</summary>
    private sealed class BlockingPreconditioner(IPreconditioner inner, ManualResetEventSlim entered, ManualResetEventSlim release) : IPreconditioner
    {
        public int Rows => inner.Rows;
        public int Columns => inner.Columns;
        public Device Device => inner.Device;
        public bool IsLinear => true;
        public bool IsSymmetric => true;

        public void Apply(DeviceVector x, DeviceVector y)
        {
            entered.Set();
            release.Wait();
            inner.Apply(x, y);
        }
    }

    [Fact]
    public void TheColumnLoop_WorksForAnySolver_AndEqualsSingleSolves()
    {
        const int n = 301, k = 3;
        var a = RandomSystems.Nonsymmetric(n, seed: 71);
        using var matrix = Cpu.Upload(a);
        var b = RandomSystems.Vector(n * k, 72);
        using var bs = Cpu.Upload<double>(b, Shape.Block(n, k));
        using var xs = Cpu.Allocate<double>(Shape.Block(n, k));
        var gmres = new Gmres(matrix, new IncompleteLu0(a), restart: 20);
        var block = gmres.Solve(bs, xs);
        Assert.True(block.Converged);
        for (int j = 0; j < k; j++)
        {
            var x = Cpu.Allocate(n);
            var single = gmres.Solve(Cpu.Upload(b.AsSpan(j * n, n)), x);
            Assert.Equal(single.Iterations, block.Columns[j].Iterations);
            Assert.True(Reference.RelativeMaxError(x.ToArray(), xs.Column(j).ToArray()) <= 1e-12);
        }
    }
}
