using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.Devices;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Krylov;

/// <summary>
/// CG with its scalars on the device, written once and run on every device: it must stop at the very iteration the
/// host-synchronized <see cref="ConjugateGradient"/> stops at, whatever the read-back interval, with a true residual
/// (recomputed on the host) that meets the tolerance. The window loop's limits and breakdowns are checked here for
/// flexible CG too.
/// </summary>
public abstract class ConjugateGradientDeviceScalarTests
{
    protected abstract Device Device { get; }

    /// <summary>Matrix size: the ILGPU CPU accelerator is slow.</summary>
    protected virtual int Size => 300;

    private (SolveResult Result, double[] X) Solve(Device device, CsrMatrix a, double[] b, bool jacobi, int? checkEvery, SolverOptions? options = null)
    {
        var matrix = device.Upload(a);
        var m = jacobi ? new Jacobi(a, device) : null;
        var x = device.Allocate(a.Rows);
        KrylovSolver solver = checkEvery is { } k
            ? new ConjugateGradient(matrix, m, options, ScalarPlacement.Device, k)
            : new ConjugateGradient(matrix, m, options);
        var result = solver.Solve(device.Upload(b), x);
        return (result, x.ToArray());
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(false, 7)]
    [InlineData(true, 1)]
    [InlineData(true, 10)]
    [InlineData(true, 64)]
    public void StopsAtTheSameIterationAsHostCg_WithATrueResidualBelowTolerance(bool jacobi, int checkEvery)
    {
        var s = SolvedSystems.Spd(Size, 31);
        var reference = Solve(LearnedSolvers.Devices.Device.Cpu, s.A, s.B, jacobi, checkEvery: null);
        var (result, x) = Solve(Device, s.A, s.B, jacobi, checkEvery);
        Assert.True(result.Converged, result.ToString());
        Assert.InRange(result.Iterations, reference.Result.Iterations - 1, reference.Result.Iterations + 1);
        Assert.Equal(result.Iterations + 1, result.ResidualHistory.Count);
        double trueResidual = Reference.TrueRelativeResidual(s.A, x, s.B);
        Assert.True(trueResidual <= 1e-8, $"true residual {trueResidual:E3}");
        Assert.Equal(trueResidual, result.RelativeResidual, 1e-3 * 1e-8);
        Assert.True(Reference.RelativeMaxError(x, s.Solution) < 1e-6);
    }

    /// <summary>CG or flexible CG with device scalars: the window loop they share (<see cref="ConjugateDirections"/>).</summary>
    private ConjugateDirections WithDeviceScalars(bool flexible, CsrMatrix a, int checkEvery, SolverOptions? options = null) => flexible
        ? new FlexibleConjugateGradient(Device.Upload(a), null, options, ScalarPlacement.Device, checkEvery)
        : new ConjugateGradient(Device.Upload(a), null, options, ScalarPlacement.Device, checkEvery);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RespectsTheIterationLimitExactly_AcrossWindows(bool flexible)
    {
        var s = SolvedSystems.Spd(Size, 32);
        var result = WithDeviceScalars(flexible, s.A, checkEvery: 5, new SolverOptions(MaxIterations: 7)).Solve(Device.Upload(s.B), Device.Allocate(Size));
        Assert.Equal(StopReason.MaxIterations, result.Reason);
        Assert.Equal(7, result.Iterations);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void NegativeDefiniteMatrix_StopsAsIndefinite_WithoutCorruptingX(bool flexible)
    {
        var a = RandomSystems.Spd(Size, 33);
        var negative = a.WithValues(a.Values.Select(v => -v).ToArray());
        var x = Device.Allocate(Size);
        var result = WithDeviceScalars(flexible, negative, checkEvery: 4).Solve(Device.Upload(RandomSystems.Vector(Size, 34)), x);
        Assert.Equal(StopReason.IndefiniteMatrix, result.Reason);
        Assert.Equal(1, result.Iterations);
        Assert.All(x.ToArray(), v => Assert.Equal(0.0, v)); // α = 0 on the broken step and after it
    }
}

public sealed class CpuConjugateGradientDeviceScalarTests : ConjugateGradientDeviceScalarTests
{
    protected override Device Device => LearnedSolvers.Devices.Device.Cpu;

    protected override int Size => 1000;

    [Fact]
    public void AnyOtherSymmetricPreconditioner_RunsBetweenTheKernels()
    {
        var s = SolvedSystems.Spd(Size, 35);
        var x = Device.Allocate(Size);
        var result = new ConjugateGradient(Device.Upload(s.A), new IncompleteCholesky0(s.A), scalars: ScalarPlacement.Device, checkEvery: 6).Solve(Device.Upload(s.B), x);
        var reference = new ConjugateGradient(Device.Upload(s.A), new IncompleteCholesky0(s.A)).Solve(Device.Upload(s.B), Device.Allocate(Size));
        Assert.True(result.Converged, result.ToString());
        Assert.Equal(reference.Iterations, result.Iterations);
        Assert.True(Reference.TrueRelativeResidual(s.A, x.ToArray(), s.B) <= 1e-8);
    }

    /// <summary>
    /// diag(1, 2, 3, −5, 5, 6, …) with b = 1: p₀ᵀAp₀ &gt; 0, and pᵀAp turns negative a few steps in, once the positive
    /// components are resolved and the negative one dominates.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void IndefiniteMatrix_StopsAtTheSameIteration_AsTheCpu_WithHostOrDeviceScalars(bool flexible)
    {
        const int n = 12;
        int[] index = Enumerable.Range(0, n).ToArray();
        double[] diagonal = index.Select(i => i == 3 ? -5.0 : 1.0 + i).ToArray();
        var a = CsrMatrix.FromTriplets(n, n, index, index, diagonal);
        double[] b = Enumerable.Repeat(1.0, n).ToArray();
        SolveResult Run(Device device, ScalarPlacement placement, int checkEvery)
        {
            using ConjugateDirections solver = flexible
                ? new FlexibleConjugateGradient(device.Upload(a), null, null, placement, checkEvery)
                : new ConjugateGradient(device.Upload(a), null, null, placement, checkEvery);
            return solver.Solve(device.Upload(b), device.Allocate(n));
        }

        var reference = Run(LearnedSolvers.Devices.Device.Cpu, ScalarPlacement.Host, 0);
        Assert.Equal(StopReason.IndefiniteMatrix, reference.Reason);
        Assert.True(reference.Iterations >= 2, reference.ToString());
        foreach (var (placement, checkEvery) in new[] { (ScalarPlacement.Host, 0), (ScalarPlacement.Device, 1), (ScalarPlacement.Device, 4), (ScalarPlacement.Auto, 0) })
        {
            var result = Run(Device, placement, checkEvery);
            Assert.True((reference.Reason, reference.Iterations) == (result.Reason, result.Iterations),
                $"{placement} scalars, check every {checkEvery}: {result}; the CPU with host scalars: {reference}");
            Assert.Equal(result.Iterations + 1, result.ResidualHistory.Count);
        }
    }

    [Fact]
    public void WarmSolves_AllocateOnlyTheResult()
    {
        var a = RandomSystems.Spd(20_000, 36);
        var b = Device.Upload(RandomSystems.Vector(20_000, 37));
        var x = Device.Allocate(20_000);
        var options = new SolverOptions(RecordHistory: false);
        foreach (KrylovSolver solver in new KrylovSolver[]
        {
            new ConjugateGradient(Device.Upload(a), new Jacobi(a), options, ScalarPlacement.Device),
            new BiCgStab(Device.Upload(a), new Jacobi(a), options, ScalarPlacement.Device),
            new FlexibleConjugateGradient(Device.Upload(a), new Jacobi(a), options, ScalarPlacement.Device),
        })
        {
            solver.Solve(b, x);
            Device.Fill(x, 0);
            var (result, allocated) = Allocations.Least(() =>
            {
                Device.Fill(x, 0);
                return solver.Solve(b, x);
            });
            Assert.True(result.Iterations > 10, result.ToString());
            Assert.True(allocated < 1024, $"{solver.GetType().Name}: a warm solve allocated {allocated} bytes over {result.Iterations} iterations.");
        }
    }

    [Fact]
    public void RejectsANonsymmetricPreconditioner() =>
        Assert.Throws<ArgumentException>(() => new ConjugateGradient(Device.Upload(RandomSystems.Spd(10, 1)), new IncompleteLu0(RandomSystems.Spd(10, 1)), scalars: ScalarPlacement.Device));
}

public sealed class IlgpuCpuConjugateGradientDeviceScalarTests : ConjugateGradientDeviceScalarTests
{
    protected override Device Device => DeviceTargets.IlgpuCpu;
}

[Trait("Category", "Gpu")]
public sealed class CudaConjugateGradientDeviceScalarTests : ConjugateGradientDeviceScalarTests
{
    protected override Device Device => DeviceTargets.CudaOrSkip;

    protected override int Size => 2000;
}
