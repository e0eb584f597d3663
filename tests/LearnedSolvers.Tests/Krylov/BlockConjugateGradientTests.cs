using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Problems;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.Devices;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Krylov;

/// <summary>
/// Block CG: every column agrees with a direct solve and with its single CG solve, the shared Krylov space saves
/// iterations, dependent and finished columns leave the block without breaking it, and stops are per column.
/// </summary>
public class BlockConjugateGradientTests
{
    private static Device Cpu => Device.Cpu;

    public static TheoryData<string> Preconditioners => ["none", "jacobi", "ic0"];

    private static IPreconditioner? Preconditioner(string name, CsrMatrix a, Device device) => name switch
    {
        "jacobi" => new Jacobi(a, device),
        "ic0" => new IncompleteCholesky0(a),
        _ => null,
    };

    private static double[] Column(double[] block, int n, int j) => block.AsSpan(j * n, n).ToArray();

    [Theory, MemberData(nameof(Preconditioners))]
    public void EveryColumn_MatchesADirectSolve_AndItsSingleCgSolve(string preconditioner)
    {
        const int n = 597, k = 5;
        var a = RandomSystems.Spd(n, seed: 11);
        using var matrix = Cpu.Upload(a);
        var m = Preconditioner(preconditioner, a, Cpu);
        var b = RandomSystems.Vector(n * k, seed: 12);
        var x0 = new double[n * k];
        RandomSystems.Vector(n, seed: 13).CopyTo(x0.AsSpan((k - 1) * n)); // the last column starts from a guess
        var options = new SolverOptions(RelativeTolerance: 1e-13);
        using var bs = Cpu.Upload<double>(b, Shape.Block(n, k));
        using var xs = Cpu.Upload<double>(x0, Shape.Block(n, k));
        using var solver = new BlockConjugateGradient(matrix, k, m, options);
        var block = solver.Solve(bs, xs);

        Assert.True(block.Converged, block.ToString());
        var single = new ConjugateGradient(matrix, m, options);
        for (int j = 0; j < k; j++)
        {
            var bj = Column(b, n, j);
            var xj = xs.Column(j).ToArray();
            Assert.True(Reference.TrueRelativeResidual(a, xj, bj) <= 1e-13);
            Assert.True(Reference.RelativeMaxError(xj, Reference.DenseSolve(a, bj)) <= 1e-11);
            var x = Cpu.Upload(x0.AsSpan(j * n, n));
            var result = single.Solve(Cpu.Upload(bj), x);
            Assert.True(Reference.RelativeMaxError(xj, x.ToArray()) <= 1e-12);
            Assert.InRange(block.Columns[j].Iterations, 1, result.Iterations);
            Assert.Equal(block.Columns[j].Iterations + 1, block.Columns[j].ResidualHistory.Count);
        }
    }

    [Fact]
    public void SharedKrylovSpace_TakesFarFewerIterationsThanSingleSolves()
    {
        const int grid = 40, k = 8;
        var a = Poisson.TwoD(grid).Matrix;
        int n = a.Rows;
        using var matrix = Cpu.Upload(a);
        var b = RandomSystems.Vector(n * k, seed: 21);
        using var bs = Cpu.Upload<double>(b, Shape.Block(n, k));
        using var xs = Cpu.Allocate<double>(Shape.Block(n, k));
        using var solver = new BlockConjugateGradient(matrix, k);
        var block = solver.Solve(bs, xs);

        Assert.True(block.Converged, block.ToString());
        var single = new ConjugateGradient(matrix);
        double singleMean = Enumerable.Range(0, k).Average(j => single.Solve(Cpu.Upload(Column(b, n, j)), Cpu.Allocate(n)).Iterations);
        Assert.True(block.MaxIterations < 0.75 * singleMean, $"block CG {block.MaxIterations} iterations, single CG {singleMean:F1} on average");
        for (int j = 0; j < k; j++) Assert.True(Reference.TrueRelativeResidual(a, xs.Column(j).ToArray(), Column(b, n, j)) <= 1e-8);
    }

    [Theory, MemberData(nameof(Preconditioners))]
    public void DependentZeroAndExactColumns_LeaveTheBlock_WithoutBreakingIt(string preconditioner)
    {
        const int grid = 31, k = 7;
        var a = Poisson.TwoD(grid).Matrix;
        int n = a.Rows;
        using var matrix = Cpu.Upload(a);
        var b = RandomSystems.Vector(n * k, seed: 31);
        Array.Copy(b, 0, b, 2 * n, n);                                             // column 2 = column 0
        for (int i = 0; i < n; i++) b[3 * n + i] = b[i] - 2 * b[n + i];            // column 3 = column 0 − 2 column 1
        Array.Clear(b, 4 * n, n);                                                 // column 4 = 0
        for (int i = 0; i < n; i++) b[5 * n + i] = b[i] * (1 + 1e-13);             // column 5 = column 0 up to rounding
        // Column 6: A times the lowest mode, an eigenvector: single CG solves it in one step.
        var mode = new double[n];
        for (int y = 0; y < grid; y++)
            for (int x = 0; x < grid; x++) mode[y * grid + x] = Math.Sin(Math.PI * (x + 1) / (grid + 1)) * Math.Sin(Math.PI * (y + 1) / (grid + 1));
        Reference.Multiply(a, mode).CopyTo(b, 6 * n);
        using var bs = Cpu.Upload<double>(b, Shape.Block(n, k));
        using var xs = Cpu.Upload<double>(RandomSystems.Vector(n * k, seed: 32), Shape.Block(n, k));
        using var solver = new BlockConjugateGradient(matrix, k, Preconditioner(preconditioner, a, Cpu));
        var block = solver.Solve(bs, xs);

        Assert.True(block.Converged, block.ToString());
        for (int j = 0; j < k; j++)
        {
            if (j == 4) continue;
            Assert.True(Reference.TrueRelativeResidual(a, xs.Column(j).ToArray(), Column(b, n, j)) <= 1e-8, $"column {j}: {block.Columns[j]}");
        }
        Assert.All(xs.Column(4).ToArray(), v => Assert.Equal(0.0, v));
        Assert.Equal(0, block.Columns[4].Iterations);
    }

    [Theory]
    [InlineData(10, "none")] // more columns than an interleaved block holds: column-major blocks
    [InlineData(10, "ic0")]
    [InlineData(6, "jacobi")]
    public void AnyColumnCount_MatchesADirectSolve(int k, string preconditioner)
    {
        const int n = 397;
        var a = RandomSystems.Spd(n, seed: 15);
        using var matrix = Cpu.Upload(a);
        var b = RandomSystems.Vector(n * k, seed: 16);
        using var bs = Cpu.Upload<double>(b, Shape.Block(n, k));
        using var xs = Cpu.Allocate<double>(Shape.Block(n, k));
        using var solver = new BlockConjugateGradient(matrix, k, Preconditioner(preconditioner, a, Cpu), new SolverOptions(RelativeTolerance: 1e-12));
        var block = solver.Solve(bs, xs);
        Assert.True(block.Converged, block.ToString());
        for (int j = 0; j < k; j++)
            Assert.True(Reference.RelativeMaxError(xs.Column(j).ToArray(), Reference.DenseSolve(a, Column(b, n, j))) <= 1e-10);
    }

    [Fact]
    public void ACountingWrapper_KeepsTheBlockPath_AndCountsEveryColumnProduct()
    {
        const int grid = 24, k = 6;
        var a = Poisson.TwoD(grid).Matrix;
        int n = a.Rows;
        using var matrix = Cpu.Upload(a);
        using var counted = new LearnedSolvers.Sequences.CountingOperator(matrix);
        var b = RandomSystems.Vector(n * k, seed: 17);
        using var bs = Cpu.Upload<double>(b, Shape.Block(n, k));
        using var x1 = Cpu.Allocate<double>(Shape.Block(n, k));
        using var x2 = Cpu.Allocate<double>(Shape.Block(n, k));
        using var bare = new BlockConjugateGradient(matrix, k);
        using var wrapped = new BlockConjugateGradient(counted, k);
        var expected = bare.Solve(bs, x1);
        var result = wrapped.Solve(bs, x2);
        Assert.Equal(x1.ToArray(), x2.ToArray()); // the same kernels, bit for bit
        Assert.Equal(expected.MaxIterations, result.MaxIterations);
        // One product per column and iteration at most, plus the first and the true residuals' (k each).
        Assert.InRange(counted.Count, result.MaxIterations + 2 * k, k * (result.MaxIterations + 2));
    }

    [Fact]
    public void NonFiniteColumn_StopsAlone_WhileTheOthersConverge()
    {
        const int n = 200, k = 3;
        var a = RandomSystems.Spd(n, seed: 41);
        using var matrix = Cpu.Upload(a);
        var b = RandomSystems.Vector(n * k, seed: 42);
        b[n + 7] = double.NaN;
        using var bs = Cpu.Upload<double>(b, Shape.Block(n, k));
        using var xs = Cpu.Allocate<double>(Shape.Block(n, k));
        using var solver = new BlockConjugateGradient(matrix, k);
        var block = solver.Solve(bs, xs);

        Assert.Equal(StopReason.NaNOrInfinity, block.Columns[1].Reason);
        Assert.True(block.Columns[0].Converged);
        Assert.True(block.Columns[2].Converged);
        Assert.True(Reference.TrueRelativeResidual(a, xs.Column(2).ToArray(), Column(b, n, 2)) <= 1e-8);
    }

    [Fact]
    public void IterationLimit_StopsEveryColumn_AndSaysSo()
    {
        const int n = 400, k = 2;
        var a = RandomSystems.Spd(n, seed: 51, dominance: 1.0001);
        using var matrix = Cpu.Upload(a);
        using var bs = Cpu.Upload<double>(RandomSystems.Vector(n * k, 52), Shape.Block(n, k));
        using var xs = Cpu.Allocate<double>(Shape.Block(n, k));
        using var solver = new BlockConjugateGradient(matrix, k, options: new SolverOptions(MaxIterations: 3));
        var block = solver.Solve(bs, xs);
        Assert.All(block.Columns, c =>
        {
            Assert.Equal(StopReason.MaxIterations, c.Reason);
            Assert.Equal(3, c.Iterations);
            Assert.Equal(4, c.ResidualHistory.Count);
        });
    }

    [Fact]
    public void IndefiniteMatrix_IsReported_OnTheFirstIteration()
    {
        const int n = 50, k = 2;
        var index = Enumerable.Range(0, n).ToArray();
        var a = CsrMatrix.FromTriplets(n, n, index, index, index.Select(i => i % 2 == 0 ? 1.0 + i : -1.0 - i).ToArray());
        using var matrix = Cpu.Upload(a);
        var b = new double[n * k];
        for (int i = 0; i < b.Length; i++) b[i] = i % 2 == 0 ? 0.1 : 1; // weighted to the negative half
        using var bs = Cpu.Upload<double>(b, Shape.Block(n, k));
        using var xs = Cpu.Allocate<double>(Shape.Block(n, k));
        using var solver = new BlockConjugateGradient(matrix, k);
        var block = solver.Solve(bs, xs);
        Assert.All(block.Columns, c => Assert.Equal(StopReason.IndefiniteMatrix, c.Reason));
    }

    [Fact]
    public void OnTheIlgpuCpuAccelerator_ColumnsMatchTheCpu() => ColumnsMatchTheCpu(DeviceTargets.IlgpuCpu, 301);

    [Fact, Trait("Category", "Gpu")]
    public void OnCuda_ColumnsMatchTheCpu() => ColumnsMatchTheCpu(DeviceTargets.CudaOrSkip, 20_001);

    /// <summary>Column-major block CG on an ILGPU device against the CPU's (interleaved where the CPU has 512-bit vectors).</summary>
    private static void ColumnsMatchTheCpu(Device device, int n)
    {
        const int k = 4;
        var a = RandomSystems.Spd(n, seed: 61);
        var b = RandomSystems.Vector(n * k, seed: 62);
        using var matrix = device.Upload(a);
        using var bs = device.Upload<double>(b, Shape.Block(n, k));
        using var xs = device.Allocate<double>(Shape.Block(n, k));
        using var solver = new BlockConjugateGradient(matrix, k, new Jacobi(a, device));
        var block = solver.Solve(bs, xs);

        using var cpuMatrix = Cpu.Upload(a);
        using var cpuB = Cpu.Upload<double>(b, Shape.Block(n, k));
        using var cpuX = Cpu.Allocate<double>(Shape.Block(n, k));
        using var cpuSolver = new BlockConjugateGradient(cpuMatrix, k, new Jacobi(a));
        var expected = cpuSolver.Solve(cpuB, cpuX);
        for (int j = 0; j < k; j++)
        {
            Assert.True(block.Columns[j].Converged);
            Assert.InRange(block.Columns[j].Iterations, expected.Columns[j].Iterations - 1, expected.Columns[j].Iterations + 1);
            Assert.True(Reference.RelativeMaxError(xs.Column(j).ToArray(), cpuX.Column(j).ToArray()) <= 1e-6);
            Assert.True(Reference.TrueRelativeResidual(a, xs.Column(j).ToArray(), Column(b, n, j)) <= 1e-8);
        }
    }

    [Fact]
    public void WarmSolve_AllocatesOnlyTheResults()
    {
        const int n = 20_000, k = 4;
        var a = RandomSystems.Spd(n, seed: 71);
        using var matrix = Cpu.Upload(a);
        using var bs = Cpu.Upload<double>(RandomSystems.Vector(n * k, 72), Shape.Block(n, k));
        using var xs = Cpu.Allocate<double>(Shape.Block(n, k));
        using var solver = new BlockConjugateGradient(matrix, k, new Jacobi(a), new SolverOptions(RecordHistory: false));
        solver.Solve(bs, xs);
        var (result, allocated) = Allocations.Least(() =>
        {
            Cpu.Fill(xs.AsVector(), 0);
            return solver.Solve(bs, xs);
        });
        Assert.True(result.MaxIterations > 5);
        Assert.True(allocated < 2048, $"A warm solve allocated {allocated} bytes over {result.MaxIterations} iterations.");
    }

    [Fact]
    public void BadArguments_GetClearErrors_AndDisposeIsFinal()
    {
        var a = RandomSystems.Spd(10, seed: 1);
        using var matrix = Cpu.Upload(a);
        var solver = new BlockConjugateGradient(matrix, 2);
        using var b = Cpu.Allocate<double>(Shape.Block(10, 2));
        Assert.Throws<ArgumentException>(() => solver.Solve(b, Cpu.Allocate<double>(Shape.Block(10, 3))));
        Assert.Throws<ArgumentException>(() => solver.Solve(b, b));
        Assert.Throws<DeviceMismatchException>(() => solver.Solve(b, DeviceTargets.IlgpuCpu.Allocate<double>(Shape.Block(10, 2))));
        Assert.Throws<ArgumentException>(() => new BlockConjugateGradient(matrix, 2, new IncompleteLu0(a)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BlockConjugateGradient(matrix, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BlockConjugateGradient(matrix, BlockConjugateGradient.MaxColumns + 1));
        solver.Dispose();
        solver.Dispose();
        Assert.Throws<ObjectDisposedException>(() => solver.Solve(b, Cpu.Allocate<double>(Shape.Block(10, 2))));
    }
}
