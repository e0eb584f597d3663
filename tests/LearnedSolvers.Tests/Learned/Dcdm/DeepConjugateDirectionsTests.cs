using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Learned.Dcdm;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.Devices;
using LearnedSolvers.Tests.TestSupport;
using MathNet.Numerics.LinearAlgebra.Double;

namespace LearnedSolvers.Tests.Learned.Dcdm;

/// <summary>
/// DCDM with synthetic direction generators standing in for the trained network, written once and run on every device:
/// a perfect generator solves in one step whatever its scale, a useless or broken one costs only the iterations the
/// fallback to the residual needs, and those are counted exactly. Every converged solve is checked on the true residual,
/// recomputed on the host.
/// </summary>
public abstract class DeepConjugateDirectionsTests
{
    protected abstract Device Device { get; }

    /// <summary>Matrix size: the ILGPU CPU accelerator is slow.</summary>
    protected virtual int Size => 200;

    /// <summary>True where every kernel launch allocates on the host (ILGPU's CPU accelerator), so allocations are not checked.</summary>
    protected virtual bool LaunchesAllocate => false;

    private const double Tolerance = 1e-8;

    /// <summary>The exact A⁻¹ r times a scale, by a dense inverse on the host (small systems only).</summary>
    private sealed class ExactInverse : ISearchDirection
    {
        private readonly double[,] _inverse;
        private readonly double[] _in, _out;
        private readonly double _scale;

        public ExactInverse(Device device, CsrMatrix a, double scale)
        {
            Device = device;
            Size = a.Rows;
            _inverse = DenseMatrix.OfArray(a.ToDense()).Inverse().ToArray();
            _in = new double[Size];
            _out = new double[Size];
            _scale = scale;
        }

        public Device Device { get; }
        public int Size { get; }

        public void Direction(DeviceVector residual, DeviceVector direction)
        {
            residual.CopyTo(_in);
            for (int i = 0; i < Size; i++)
            {
                double s = 0;
                for (int j = 0; j < Size; j++) s += _inverse[i, j] * _in[j];
                _out[i] = _scale * s;
            }
            direction.CopyFrom(_out);
        }
    }

    /// <summary>q = r: with A-orthogonalization against the previous directions, CG in exact arithmetic.</summary>
    private sealed class Identity(Device device, int size) : ISearchDirection
    {
        public Device Device => device;
        public int Size => size;
        public double LargestNormError { get; private set; }

        public void Direction(DeviceVector residual, DeviceVector direction)
        {
            LargestNormError = Math.Max(LargestNormError, Math.Abs(Device.Norm2(residual) - 1));
            Device.Copy(residual, direction);
        }
    }

    /// <summary>The same value everywhere: NaN, zero.</summary>
    private sealed class Constant(Device device, int size, double value) : ISearchDirection
    {
        public Device Device => device;
        public int Size => size;
        public void Direction(DeviceVector residual, DeviceVector direction) => Device.Fill(direction, value);
    }

    /// <summary>One fixed vector, whatever the residual: from its second use on, it lies in the span of the previous directions.</summary>
    private sealed class Fixed(DeviceVector v) : ISearchDirection
    {
        public Device Device => v.Device;
        public int Size => v.Length;
        public void Direction(DeviceVector residual, DeviceVector direction) => Device.Copy(v, direction);
    }

    /// <summary>A fixed vector with its component along r removed: no descent at all.</summary>
    private sealed class OrthogonalToResidual(DeviceVector v) : ISearchDirection
    {
        public Device Device => v.Device;
        public int Size => v.Length;

        public void Direction(DeviceVector residual, DeviceVector direction) =>
            Device.Waxpby(1, v, -Device.Dot(v, residual), residual, direction);
    }

    /// <summary>The inner generator on calls 0, 2, 4, ..., NaN on calls 1, 3, 5, ...</summary>
    private sealed class FailingEveryOther(ISearchDirection inner) : ISearchDirection
    {
        private int _calls;

        public Device Device => inner.Device;
        public int Size => inner.Size;

        public void Direction(DeviceVector residual, DeviceVector direction)
        {
            if (_calls++ % 2 == 0) inner.Direction(residual, direction);
            else Device.Fill(direction, double.NaN);
        }
    }

    /// <summary>The inner generator, or NaN while broken.</summary>
    private sealed class Breakable(ISearchDirection inner) : ISearchDirection
    {
        public bool Broken { get; set; }
        public Device Device => inner.Device;
        public int Size => inner.Size;

        public void Direction(DeviceVector residual, DeviceVector direction)
        {
            if (Broken) Device.Fill(direction, double.NaN);
            else inner.Direction(residual, direction);
        }
    }

    /// <summary>Once armed, blocks inside its next call until released: a solve held mid-iteration.</summary>
    private sealed class Blocking(ISearchDirection inner) : ISearchDirection
    {
        private int _armed;

        public ManualResetEventSlim Entered { get; } = new();
        public ManualResetEventSlim Release { get; } = new();
        public Device Device => inner.Device;
        public int Size => inner.Size;

        public void Arm() => Volatile.Write(ref _armed, 1);

        public void Direction(DeviceVector residual, DeviceVector direction)
        {
            if (Interlocked.Exchange(ref _armed, 0) == 1)
            {
                Entered.Set();
                Assert.True(Release.Wait(TimeSpan.FromSeconds(30)), "The blocked solve was never released.");
            }
            inner.Direction(residual, direction);
        }
    }

    /// <summary>A fallback preconditioner that is the identity times a factor (negative: indefinite) or NaN.</summary>
    private sealed class ScaledIdentity(Device device, int size, double factor) : IPreconditioner
    {
        public int Rows => size;
        public int Columns => size;
        public Device Device => device;
        public bool IsLinear => true;
        public bool IsSymmetric => true;

        public void Apply(DeviceVector x, DeviceVector y)
        {
            if (double.IsNaN(factor)) Device.Fill(y, double.NaN);
            else Device.Waxpby(factor, x, 0, x, y);
        }
    }

    private (SolveResult Result, double[] X) Solve(DeepConjugateDirections solver, double[] b)
    {
        var x = Device.Allocate(b.Length);
        var result = solver.Solve(Device.Upload(b), x);
        return (result, x.ToArray());
    }

    private static void AssertSolved(SolvedSystems.LinearSystem s, SolveResult result, double[] x, double tolerance = Tolerance)
    {
        Assert.True(result.Converged, result.ToString());
        Assert.Equal(result.Iterations + 1, result.ResidualHistory.Count);
        double trueResidual = Reference.TrueRelativeResidual(s.A, x, s.B);
        Assert.True(trueResidual <= tolerance, $"true relative residual {trueResidual:E3}: {result}");
        Assert.Equal(trueResidual, result.RelativeResidual, 1e-3 * tolerance);
    }

    /// <summary>Every iteration fell back, and the message says so with the cause.</summary>
    private static void AssertAllFellBack(DeepConjugateDirections solver, SolveResult result, string cause, string target = "residual")
    {
        Assert.True(result.Iterations > 1, result.ToString());
        Assert.Equal(result.Iterations, solver.FallbackIterations);
        Assert.Contains($"{result.Iterations} of {result.Iterations} directions fell back to the {target}: {result.Iterations} {cause}", result.Message);
    }

    [Fact]
    public void ExactInverse_AtAnyScale_SolvesInOneIteration()
    {
        int n = Math.Min(Size, 60);
        var s = SolvedSystems.Spd(n, 71);
        using var solver = new DeepConjugateDirections(Device.Upload(s.A), new ExactInverse(Device, s.A, -3.7));
        var (result, x) = Solve(solver, s.B);
        AssertSolved(s, result, x);
        Assert.Equal(1, result.Iterations);
        Assert.Equal(0, solver.FallbackIterations);
        Assert.Equal("", result.Message);
        Assert.True(Reference.RelativeMaxError(x, s.Solution) < 1e-10);
    }

    [Fact]
    public void Identity_ConvergesLikeCg_OnUnitResiduals()
    {
        var s = SolvedSystems.Spd(Size, 72);
        var identity = new Identity(Device, Size);
        using var solver = new DeepConjugateDirections(Device.Upload(s.A), identity);
        var (result, x) = Solve(solver, s.B);
        AssertSolved(s, result, x);
        Assert.Equal(0, solver.FallbackIterations);
        Assert.Equal("", result.Message);
        Assert.True(identity.LargestNormError < 1e-12, $"the generator saw a residual of norm 1 ± {identity.LargestNormError:E2}");

        var cpu = LearnedSolvers.Devices.Device.Cpu;
        var cg = new ConjugateGradient(cpu.Upload(s.A), options: new SolverOptions(RelativeTolerance: Tolerance)).Solve(cpu.Upload(s.B), cpu.Allocate(Size));
        Assert.InRange(result.Iterations, cg.Iterations - 2, cg.Iterations + 2);
    }

    [Fact]
    public void WithoutOrthogonalization_TheIdentityIsSteepestDescent_AndStillConverges()
    {
        int n = Math.Min(Size, 60);
        var s = SolvedSystems.Spd(n, 73);
        using var solver = new DeepConjugateDirections(Device.Upload(s.A), new Identity(Device, n), options: new SolverOptions(RelativeTolerance: 1e-6), orthogonalizeAgainst: 0);
        var (result, x) = Solve(solver, s.B);
        AssertSolved(s, result, x, 1e-6);
        Assert.Equal(0, solver.FallbackIterations);
        using var conjugate = new DeepConjugateDirections(Device.Upload(s.A), new Identity(Device, n), options: new SolverOptions(RelativeTolerance: 1e-6));
        Assert.True(result.Iterations > Solve(conjugate, s.B).Result.Iterations, "steepest descent should need more iterations than CG");
    }

    [Fact]
    public void NaNDirections_AllFallBack_AndTheSolveConverges()
    {
        var s = SolvedSystems.Spd(Size, 74);
        using var solver = new DeepConjugateDirections(Device.Upload(s.A), new Constant(Device, Size, double.NaN));
        var (result, x) = Solve(solver, s.B);
        AssertSolved(s, result, x);
        AssertAllFellBack(solver, result, "not finite");
    }

    [Fact]
    public void ZeroDirections_AllFallBack_AndTheSolveConverges()
    {
        var s = SolvedSystems.Spd(Size, 75);
        using var solver = new DeepConjugateDirections(Device.Upload(s.A), new Constant(Device, Size, 0));
        var (result, x) = Solve(solver, s.B);
        AssertSolved(s, result, x);
        AssertAllFellBack(solver, result, "vanished");
    }

    [Fact]
    public void DirectionsOrthogonalToTheResidual_AllFallBack_AndTheSolveConverges()
    {
        var s = SolvedSystems.Spd(Size, 76);
        using var v = Device.Upload(RandomSystems.Vector(Size, 976));
        using var solver = new DeepConjugateDirections(Device.Upload(s.A), new OrthogonalToResidual(v));
        var (result, x) = Solve(solver, s.B);
        AssertSolved(s, result, x);
        AssertAllFellBack(solver, result, "without descent");
    }

    [Fact]
    public void ARepeatedDirection_VanishesAgainstThePreviousOnes_AndFallsBack()
    {
        var s = SolvedSystems.Spd(Size, 77);
        using var v = Device.Upload(RandomSystems.Vector(Size, 977));
        using var solver = new DeepConjugateDirections(Device.Upload(s.A), new Fixed(v));
        var (result, x) = Solve(solver, s.B);
        AssertSolved(s, result, x);
        Assert.InRange(solver.FallbackIterations, 1, result.Iterations - 1); // the first use is a fine direction
        Assert.Contains("vanished", result.Message);
    }

    [Fact]
    public void AGeneratorFailingEveryOtherIteration_IsCountedExactly()
    {
        var s = SolvedSystems.Spd(Size, 78);
        using var solver = new DeepConjugateDirections(Device.Upload(s.A), new FailingEveryOther(new Identity(Device, Size)));
        var (result, x) = Solve(solver, s.B);
        AssertSolved(s, result, x);
        Assert.True(result.Iterations > 3, result.ToString());
        Assert.Equal(result.Iterations / 2, solver.FallbackIterations);
        Assert.Contains($"{result.Iterations / 2} of {result.Iterations} directions fell back to the residual: {result.Iterations / 2} not finite", result.Message);
    }

    [Fact]
    public void TheFallbackUsesThePreconditioner_WhenGiven()
    {
        var s = SolvedSystems.Spd(Size, 79);
        using var solver = new DeepConjugateDirections(Device.Upload(s.A), new Constant(Device, Size, double.NaN), new Jacobi(s.A, Device));
        var (result, x) = Solve(solver, s.B);
        AssertSolved(s, result, x);
        AssertAllFellBack(solver, result, "not finite", "preconditioned residual");
    }

    [Fact]
    public void FallbackCount_IsThatOfTheLastSolve()
    {
        var s = SolvedSystems.Spd(Size, 80);
        var generator = new Breakable(new Identity(Device, Size)) { Broken = true };
        using var solver = new DeepConjugateDirections(Device.Upload(s.A), generator);
        var (broken, _) = Solve(solver, s.B);
        Assert.Equal(broken.Iterations, solver.FallbackIterations);
        generator.Broken = false;
        var (result, x) = Solve(solver, s.B);
        AssertSolved(s, result, x);
        Assert.Equal(0, solver.FallbackIterations);
        Assert.Equal("", result.Message);
    }

    [Fact]
    public void MaxIterations_StopsWithHistoryOfEveryIterate()
    {
        var s = SolvedSystems.Spd(Size, 81);
        using var solver = new DeepConjugateDirections(Device.Upload(s.A), new Identity(Device, Size), options: new SolverOptions(MaxIterations: 5));
        var (result, _) = Solve(solver, s.B);
        Assert.Equal(StopReason.MaxIterations, result.Reason);
        Assert.False(result.Converged);
        Assert.Equal(5, result.Iterations);
        Assert.Equal(result.Iterations + 1, result.ResidualHistory.Count);
        Assert.Equal(1.0, result.ResidualHistory[0], 12);
    }

    [Fact]
    public void NegativeDefiniteMatrix_StopsAsIndefinite()
    {
        var a = RandomSystems.Spd(Size, 82);
        var negative = a.WithValues(a.Values.Select(v => -v).ToArray());
        using var solver = new DeepConjugateDirections(Device.Upload(negative), new Identity(Device, Size));
        var (result, _) = Solve(solver, RandomSystems.Vector(Size, 83));
        Assert.Equal(StopReason.IndefiniteMatrix, result.Reason);
        Assert.Equal(0, result.Iterations);
    }

    [Fact]
    public void IndefiniteFallbackPreconditioner_StopsAsIndefinitePreconditioner()
    {
        var s = SolvedSystems.Spd(Size, 84);
        using var solver = new DeepConjugateDirections(Device.Upload(s.A), new Constant(Device, Size, 0), new ScaledIdentity(Device, Size, -2));
        var (result, _) = Solve(solver, s.B);
        Assert.Equal(StopReason.IndefinitePreconditioner, result.Reason);
    }

    [Fact]
    public void NaNFromBothGeneratorAndFallback_StopsWithNaNReason()
    {
        var s = SolvedSystems.Spd(Size, 85);
        using var solver = new DeepConjugateDirections(Device.Upload(s.A), new Constant(Device, Size, double.NaN), new ScaledIdentity(Device, Size, double.NaN));
        var (result, _) = Solve(solver, s.B);
        Assert.Equal(StopReason.NaNOrInfinity, result.Reason);
        Assert.Equal(0, solver.FallbackIterations);
    }

    [Fact]
    public async Task ConcurrentSolve_IsRefused_AndTheRunningSolveFinishesCorrectly()
    {
        var s = SolvedSystems.Spd(Size, 86);
        var blocking = new Blocking(new Identity(Device, Size));
        using var solver = new DeepConjugateDirections(Device.Upload(s.A), blocking);
        using var b = Device.Upload(s.B);
        using var x = Device.Allocate(Size);
        blocking.Arm();
        var running = Task.Run(() => solver.Solve(b, x), TestContext.Current.CancellationToken);
        Assert.True(blocking.Entered.Wait(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken), "The first solve never reached the generator.");

        var refused = Assert.Throws<InvalidOperationException>(() => solver.Solve(b, Device.Allocate(Size)));
        Assert.Contains("already solving on another thread", refused.Message);
        Assert.Throws<InvalidOperationException>(solver.Dispose);

        blocking.Release.Set();
        var result = await running;
        AssertSolved(s, result, x.ToArray());
    }

    [Fact]
    public void RejectsAGeneratorOfAnotherSize_AndANegativeDepth()
    {
        var a = Device.Upload(RandomSystems.Spd(10, 1));
        Assert.Throws<ArgumentException>(() => new DeepConjugateDirections(a, new Identity(Device, 11)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DeepConjugateDirections(a, new Identity(Device, 10), orthogonalizeAgainst: -1));
        Assert.Throws<ArgumentNullException>(() => new DeepConjugateDirections(a, null!));
    }

    [Fact]
    public void WarmSolves_AllocateOnlyTheResult_WhenTheGeneratorAllocatesNothing()
    {
        Assert.SkipWhen(LaunchesAllocate, "ILGPU's CPU accelerator allocates a task object per kernel launch.");
        int n = Size * 10;
        var a = RandomSystems.Spd(n, 87);
        using var b = Device.Upload(RandomSystems.Vector(n, 88));
        using var x = Device.Allocate(n);
        using var solver = new DeepConjugateDirections(Device.Upload(a), new FailingEveryOther(new Identity(Device, n)), new Jacobi(a, Device),
            new SolverOptions(RecordHistory: false));
        solver.Solve(b, x);
        var (result, allocated) = Allocations.Least(() =>
        {
            Device.Fill(x, 0);
            return solver.Solve(b, x);
        });
        Assert.True(result.Iterations > 10, result.ToString());
        Assert.True(solver.FallbackIterations > 0);
        // The SolveResult, its message and a Stopwatch: a few hundred bytes, independent of the iteration count.
        Assert.True(allocated < 2048, $"A warm solve allocated {allocated} bytes over {result.Iterations} iterations.");
    }
}

public sealed class CpuDeepConjugateDirectionsTests : DeepConjugateDirectionsTests
{
    protected override Device Device => LearnedSolvers.Devices.Device.Cpu;
}

public sealed class IlgpuCpuDeepConjugateDirectionsTests : DeepConjugateDirectionsTests
{
    protected override Device Device => DeviceTargets.IlgpuCpu;

    protected override int Size => 40;

    protected override bool LaunchesAllocate => true;
}

[Trait("Category", "Gpu")]
public sealed class CudaDeepConjugateDirectionsTests : DeepConjugateDirectionsTests
{
    protected override Device Device => DeviceTargets.CudaOrSkip;

    protected override int Size => 500;
}
