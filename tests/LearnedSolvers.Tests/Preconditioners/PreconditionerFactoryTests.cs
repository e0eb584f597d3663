using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Multigrid;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Preconditioners.Factories;
using LearnedSolvers.Problems;
using LearnedSolvers.Tests.Devices;
using LearnedSolvers.Tests.Learned.Factors;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Preconditioners;

/// <summary>
/// The contract of every registered factory, run once per device: where it declares support, its product is set up
/// on the device's matrix, CG (symmetric products) and GMRES converge with it to the true residual, and its declared
/// properties are the product's; where it does not, Create refuses the matrix naming the supported devices. 2D
/// Poisson on a 32² grid: large enough for two multigrid levels, small for ILGPU's slow CPU accelerator.
/// </summary>
public abstract class PreconditionerFactoryTests
{
    protected abstract Device Device { get; }

    public static TheoryData<string> Names => new(PreconditionerRegistry.Names);

    private static readonly LinearSystem Poisson32 = Poisson.TwoD(32);

    [Theory, MemberData(nameof(Names))]
    public void Product_MakesCgAndGmresConverge_OnThisDevice_OrCreateRefusesTheDevice(string name)
    {
        var factory = PreconditionerRegistry.Get(name, LearnedFactorTestData.RegistrySettings(name));
        var s = Poisson32;
        using var a = Device.Upload(s.Matrix);
        if (!factory.Supports(Device))
        {
            var e = Assert.Throws<UnsupportedDeviceException>(() => factory.Create(a));
            Assert.Equal("a", e.ParamName);
            Assert.All(factory.Devices.DeviceNames, d => Assert.Contains(d, e.Message));
            return;
        }
        var m = factory.Create(a);
        try
        {
            if (factory.IsSymmetric) AssertConverges(KrylovMethod.Pcg, a, m, s);
            AssertConverges(KrylovMethod.Gmres, a, m, s);
        }
        finally
        {
            (m as IDisposable)?.Dispose();
        }
    }

    private void AssertConverges(KrylovMethod method, DeviceCsrMatrix a, IPreconditioner? m, LinearSystem s)
    {
        var solver = KrylovSolvers.Create(method, a, m, new SolverOptions(RelativeTolerance: 1e-8, MaxIterations: 2000), restart: 30);
        using var b = Device.Upload(s.RightHandSide);
        using var x = Device.Allocate(s.Size);
        var result = solver.Solve(b, x);
        Assert.True(result.Converged, $"{method}: {result}");
        Assert.True(Reference.TrueRelativeResidual(s.Matrix, x.ToArray(), s.RightHandSide) <= 1e-8);
    }

    [Theory, MemberData(nameof(Names))]
    public void DeclaredProperties_AreTheProducts(string name)
    {
        var factory = PreconditionerRegistry.Get(name, LearnedFactorTestData.RegistrySettings(name));
        Assert.Equal(name, factory.Name);
        Assert.Equal(factory.Devices.Includes(Device), factory.Supports(Device));
        if (!factory.Supports(Device)) return;
        using var a = Device.Upload(Poisson32.Matrix);
        var m = factory.Create(a);
        if (name == "none")
        {
            Assert.Null(m);
            return;
        }
        Assert.NotNull(m);
        try
        {
            Assert.Equal(factory.IsSymmetric, m.IsSymmetric);
            Assert.Equal(factory.IsLinear, m.IsLinear);
            Assert.Equal(factory.IsRefreshable, m is IRefreshablePreconditioner);
            Assert.Same(Device, m.Device);
            Assert.Equal(a.Rows, m.Rows);
        }
        finally
        {
            (m as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public void ChebyshevAndMultigrid_MultiplyByTheGivenMatrix_AndLeaveItToTheCaller()
    {
        var s = Poisson32;
        using var a = Device.Upload(s.Matrix);
        var chebyshev = PreconditionerFactories.Chebyshev().Create(a);
        Assert.Same(a, chebyshev.Operator);
        chebyshev.Dispose();
        foreach (var factory in new IPreconditionerFactory[] { PreconditionerFactories.Gmg(), PreconditionerFactories.Amg(), PreconditionerFactories.RsAmg() })
        {
            var multigrid = Assert.IsType<MultigridPreconditioner>(factory.Create(a));
            Assert.True(multigrid.Hierarchy.LevelCount > 1, factory.Name);
            Assert.Same(a, multigrid.Hierarchy.FinestOperator);
            multigrid.Dispose();
        }

        // Disposing the products must not have released the shared matrix: it still multiplies correctly.
        var ones = Enumerable.Repeat(1.0, s.Size).ToArray();
        using var x = Device.Upload(ones);
        using var y = Device.Allocate(s.Size);
        a.Apply(x, y);
        Assert.True(Reference.RelativeMaxError(Reference.Multiply(s.Matrix, ones), y.ToArray()) <= 1e-14);
    }
}

public sealed class CpuPreconditionerFactoryTests : PreconditionerFactoryTests
{
    protected override Device Device => Device.Cpu;
}

public sealed class IlgpuCpuPreconditionerFactoryTests : PreconditionerFactoryTests
{
    protected override Device Device => DeviceTargets.IlgpuCpu;
}

[Trait("Category", "Gpu")]
public sealed class CudaPreconditionerFactoryTests : PreconditionerFactoryTests
{
    protected override Device Device => DeviceTargets.CudaOrSkip;
}
