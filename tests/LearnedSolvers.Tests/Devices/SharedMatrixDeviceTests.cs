using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Devices;

/// <summary>
/// The real matrices of tests/data/matrices solved on a device (b = A·ones), the true residual recomputed on the host by a
/// serial loop. SPD ones: device-resident PCG and FCG with Jacobi; the solvable nonsymmetric one: GMRES(30) and BiCGStab with
/// Jacobi. On CUDA every matrix runs; on the slow ILGPU CPU accelerator only the small ones.
/// </summary>
public abstract class SharedMatrixDeviceTests
{
    protected abstract Device Device { get; }

    /// <summary>Largest matrix (rows) this device's suite solves.</summary>
    protected abstract int MaxRows { get; }

    public static TheoryData<string, KrylovMethod> Spd => new(SharedMatrices.Index().Where(m => m.Spd)
        .SelectMany(m => new[] { (m.Name, KrylovMethod.Pcg), (m.Name, KrylovMethod.Fcg) }));

    [Theory, MemberData(nameof(Spd))]
    public void Spd_SolvesWithDeviceScalarJacobiPcgAndFcg(string name, KrylovMethod method)
    {
        var a = MatrixMarketReader.ReadMatrix(SharedMatrices.PathOf(name));
        Assert.SkipWhen(a.Rows > MaxRows, $"{name} has {a.Rows} rows; this device's suite stops at {MaxRows}");
        var b = Reference.Multiply(a, Enumerable.Repeat(1.0, a.Rows).ToArray());
        var solver = KrylovSolvers.Create(method, Device.Upload(a), new Jacobi(a, Device), new SolverOptions(MaxIterations: 20_000));
        Assert.True(solver is ConjugateDirections { UsesDeviceScalars: true }, solver.GetType().Name);
        var x = Device.Allocate(a.Rows);
        var result = solver.Solve(Device.Upload(b), x);
        Assert.True(result.Converged, result.ToString());
        Assert.True(Reference.TrueRelativeResidual(a, x.ToArray(), b) <= 1e-8);
    }

    [Theory]
    [InlineData(KrylovMethod.Gmres)]
    [InlineData(KrylovMethod.BiCgStab)]
    public void Nonsymmetric_SolvesWithJacobi(KrylovMethod method)
    {
        var a = MatrixMarketReader.ReadMatrix(SharedMatrices.PathOf("ani1_nonsymm"));
        var b = Reference.Multiply(a, Enumerable.Repeat(1.0, a.Rows).ToArray());
        var x = Device.Allocate(a.Rows);
        var result = KrylovSolvers.Create(method, Device.Upload(a), new Jacobi(a, Device)).Solve(Device.Upload(b), x);
        Assert.True(result.Converged, result.ToString());
        Assert.True(Reference.TrueRelativeResidual(a, x.ToArray(), b) <= 1e-8);
    }
}

public sealed class IlgpuCpuSharedMatrixDeviceTests : SharedMatrixDeviceTests
{
    protected override Device Device => DeviceTargets.IlgpuCpu;
    protected override int MaxRows => 100;
}

[Trait("Category", "Gpu")]
public sealed class CudaSharedMatrixDeviceTests : SharedMatrixDeviceTests
{
    protected override Device Device => DeviceTargets.CudaOrSkip;
    protected override int MaxRows => int.MaxValue;
}
