using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Learned.Factors;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Preconditioners.Factories;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Learned.Factors;

/// <summary>
/// The preconditioners a <see cref="LearnedFactorFactory"/> makes from a saved model, on every kind: symmetric and
/// positive definite on Poisson 2-D, diffusion and Poisson 3-D matrices, PCG with them reaches a true residual of 1e-8,
/// and the device's result agrees with the CPU device's. Written once; subclasses pick the device.
/// </summary>
public abstract class LearnedFactorPreconditionerTests
{
    protected abstract Device Device { get; }

    private double[] Apply(IPreconditioner m, double[] r)
    {
        using var x = m.Device.Upload(r);
        using var z = m.Device.Allocate(r.Length);
        m.Apply(x, z);
        return z.ToArray();
    }

    private static double Dot(double[] x, double[] y)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += x[i] * y[i];
        return s;
    }

    [Theory, MemberData(nameof(LearnedFactorTestData.AllKinds), MemberType = typeof(LearnedFactorTestData))]
    public void Preconditioner_IsSymmetricPositiveDefinite_AndPcgReachesATrueResidualOf1e8(LearnedFactorKind kind)
    {
        using var factory = new LearnedFactorFactory(kind, LearnedFactorTestData.ModelFile(kind));
        Assert.True(factory.IsSymmetric && factory.IsLinear);
        foreach (var (name, a) in LearnedFactorTestData.TestMatrices)
        {
            using var da = Device.Upload(a);
            var m = factory.Create(da);
            try
            {
                Assert.Same(Device, m.Device);
                Assert.True(m.IsSymmetric);
                for (int seed = 0; seed < 3; seed++)
                {
                    var x = RandomSystems.Vector(a.Rows, 10 * seed + 1);
                    var y = RandomSystems.Vector(a.Rows, 10 * seed + 2);
                    double xMy = Dot(x, Apply(m, y)), yMx = Dot(y, Apply(m, x)), xMx = Dot(x, Apply(m, x));
                    Assert.True(Math.Abs(xMy - yMx) <= 1e-10 * Math.Abs(xMy), $"{kind} on {name}: xᵀMy {xMy:R}, yᵀMx {yMx:R}");
                    Assert.True(xMx > 0, $"{kind} on {name}: xᵀMx = {xMx:R}");
                }

                var b = RandomSystems.Vector(a.Rows, 99);
                using var db = Device.Upload(b);
                using var dx = Device.Allocate(a.Rows);
                using var cg = new ConjugateGradient(da, m, new SolverOptions(RelativeTolerance: 1e-10, MaxIterations: 4 * a.Rows, RecordHistory: false));
                var result = cg.Solve(db, dx);
                double residual = Reference.TrueRelativeResidual(a, dx.ToArray(), b);
                TestContext.Current.TestOutputHelper?.WriteLine($"{kind} on {name} ({Device.Name}): {result.Iterations} iterations, true residual {residual:E2}");
                Assert.True(result.Converged, $"{kind} on {name}: {result}");
                Assert.True(residual <= 1e-8, $"{kind} on {name}: true residual {residual:E2} after {result}");
            }
            finally
            {
                (m as IDisposable)?.Dispose();
            }
        }
    }

    /// <summary>
    /// The same model on this device and on the CPU device: the predicted factors agree to the float network's rounding
    /// (the devices sum in other orders: ILGPU's CPU accelerator against the CPU device, measured 2e-7 relative for
    /// NeuralPCG, whose factor is the network's output outright; 2e-9 and 1e-9 for PreCorrector and learned FSAI, whose
    /// network output enters scaled by α ≈ 0.01), and this device applies its factor as the CPU device applies the same
    /// values, to 1e-12.
    /// </summary>
    [Theory, MemberData(nameof(LearnedFactorTestData.AllKinds), MemberType = typeof(LearnedFactorTestData))]
    public void UpdateValues_GivesWhatAFreshSetupGives_ForNewValuesOnThePattern_AndRefusesAnotherPattern(LearnedFactorKind kind)
    {
        using var factory = new LearnedFactorFactory(kind, LearnedFactorTestData.ModelFile(kind));
        Assert.True(factory.IsRefreshable);
        var first = LearnedFactorTestData.Diffusion(9, 3).Matrix;
        var second = LearnedFactorTestData.Diffusion(9, 4).Matrix;
        Assert.True(first.HasSamePattern(second));
        Assert.NotEqual(first.Values, second.Values);
        using var a = Device.Upload(first);
        using var b = Device.Upload(second);
        using var refreshed = factory.Create(a);
        using var fresh = factory.Create(b);
        var r = Enumerable.Range(0, first.Rows).Select(i => Math.Sin(i + 1.0)).ToArray();
        var before = Apply(refreshed, r);
        refreshed.UpdateValues(second);
        var after = Apply(refreshed, r);
        var expected = Apply(fresh, r);
        double scale = expected.Max(Math.Abs);
        for (int i = 0; i < r.Length; i++) Assert.True(Math.Abs(after[i] - expected[i]) <= 1e-12 * scale, $"z[{i}] = {after[i]:R} after the refresh, {expected[i]:R} from a fresh setup");
        Assert.True(before.Zip(after).Any(p => Math.Abs(p.First - p.Second) > 1e-9 * scale), "the refresh changed nothing");
        Assert.Throws<ZeroPivotException>(() => refreshed.UpdateValues(second.WithValues(new double[second.NonZeros])));
        Assert.Throws<ArgumentException>(() => refreshed.UpdateValues(LearnedFactorTestData.Diffusion(8, 3).Matrix));
    }

    [Theory, MemberData(nameof(LearnedFactorTestData.AllKinds), MemberType = typeof(LearnedFactorTestData))]
    public void Application_MatchesTheCpuDevices_ForTheSameModel(LearnedFactorKind kind)
    {
        Assert.SkipWhen(Device == Device.Cpu, "The CPU device is the reference.");
        string path = LearnedFactorTestData.ModelFile(kind);
        var (here, _) = LearnedFactorModelFile.Load(path, Device, kind);
        var (onCpu, _) = LearnedFactorModelFile.Load(path, Device.Cpu, kind);
        using (here)
        using (onCpu)
        {
            foreach (var (name, a) in LearnedFactorTestData.TestMatrices)
            {
                var r = RandomSystems.Vector(a.Rows, 5);
                IPreconditioner mHere, mCpuSameValues;
                double[] valuesHere, valuesCpu;
                if (kind == LearnedFactorKind.LearnedFsai)
                {
                    var g = here.PredictInverseFactor(a);
                    valuesHere = g.Values[..g.NonZeros];
                    valuesCpu = onCpu.PredictInverseFactor(a).Values[..g.NonZeros];
                    mHere = new SparseInverseFactorPreconditioner(new SparseInverseFactor(g), Device);
                    mCpuSameValues = new SparseInverseFactorPreconditioner(new SparseInverseFactor(g), Device.Cpu);
                }
                else
                {
                    var l = here.PredictFactor(a);
                    valuesHere = (double[])l.Lower.Clone();
                    valuesCpu = onCpu.PredictFactor(a).Lower;
                    mHere = new TriangularFactorPreconditioner(l.Factor, isSymmetric: true, Device);
                    mCpuSameValues = new TriangularFactorPreconditioner(l.Factor, isSymmetric: true, Device.Cpu);
                }
                try
                {
                    double difference = Reference.RelativeMaxError(valuesHere, valuesCpu);
                    TestContext.Current.TestOutputHelper?.WriteLine($"{kind} on {name}: factor on {Device.Name} against the CPU device's: {difference:E2}");
                    Assert.True(difference <= 1e-5, $"{kind} on {name}: factor on {Device.Name} differs from the CPU device's by {difference:E2}");
                    var z = Apply(mHere, r);
                    Assert.True(Reference.RelativeMaxError(z, Apply(mCpuSameValues, r)) <= 1e-12, $"{kind} on {name}: application on {Device.Name}");
                }
                finally
                {
                    (mHere as IDisposable)?.Dispose();
                    (mCpuSameValues as IDisposable)?.Dispose();
                }
            }
        }
    }

    /// <summary>The factory's product equals what the model predicts, applied on this device.</summary>
    [Theory, MemberData(nameof(LearnedFactorTestData.AllKinds), MemberType = typeof(LearnedFactorTestData))]
    public void FactoryProduct_AppliesTheModelsPrediction(LearnedFactorKind kind)
    {
        string path = LearnedFactorTestData.ModelFile(kind);
        using var factory = new LearnedFactorFactory(kind, path);
        var (model, _) = LearnedFactorModelFile.Load(path, Device, kind);
        using (model)
        {
            var a = LearnedFactorTestData.TestMatrices[1].Matrix;
            using var da = Device.Upload(a);
            var m = factory.Create(da);
            IPreconditioner reference = kind == LearnedFactorKind.LearnedFsai
                ? new SparseInverseFactorPreconditioner(new SparseInverseFactor(model.PredictInverseFactor(a)), Device.Cpu)
                : new TriangularFactorPreconditioner(model.PredictFactor(a).Factor, isSymmetric: true, Device.Cpu);
            try
            {
                var r = RandomSystems.Vector(a.Rows, 6);
                Assert.True(Reference.RelativeMaxError(Apply(m, r), Apply(reference, r)) <= 1e-12);
            }
            finally
            {
                (m as IDisposable)?.Dispose();
                (reference as IDisposable)?.Dispose();
            }
        }
    }
}

public sealed class CpuLearnedFactorPreconditionerTests : LearnedFactorPreconditionerTests
{
    protected override Device Device => Device.Cpu;
}

public sealed class IlgpuCpuLearnedFactorPreconditionerTests : LearnedFactorPreconditionerTests
{
    protected override Device Device => LearnedSolvers.Tests.Devices.DeviceTargets.IlgpuCpu;
}

[Trait("Category", "Gpu")]
public sealed class CudaLearnedFactorPreconditionerTests : LearnedFactorPreconditionerTests
{
    protected override Device Device => LearnedSolvers.Tests.Devices.DeviceTargets.CudaOrSkip;
}
