using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Sequences;
using LearnedSolvers.Tests.Devices;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Sequences;

/// <summary>Counting a matrix's products must not cost it the fused and device-resident paths.</summary>
public class CountingOperatorTests
{
    private const int Size = 300;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CountedCsrMatrix_OnAnIlgpuDevice_RunsCgWithDeviceScalars_AndTheSameIterations(bool jacobi)
    {
        var device = DeviceTargets.IlgpuCpu;
        var s = SolvedSystems.Spd(Size, 71);
        using var matrix = device.Upload(s.A);
        using var preconditioner = jacobi ? new Jacobi(s.A, device) : null;
        using var counting = new CountingOperator(matrix);
        Assert.True(counting.HasFusedApplyDot);
        Assert.True(counting.HasFusedResidual);

        using var bare = KrylovSolvers.Create(KrylovMethod.Cg, matrix, preconditioner);
        using var counted = KrylovSolvers.Create(KrylovMethod.Cg, counting, preconditioner);
        Assert.True(counted is ConjugateDirections { UsesDeviceScalars: true }, counted.GetType().Name);
        var expected = bare.Solve(device.Upload(s.B), device.Allocate(Size));
        var x = device.Allocate(Size);
        var result = counted.Solve(device.Upload(s.B), x);

        Assert.True(result.Converged, result.ToString());
        Assert.Equal(expected.Iterations, result.Iterations);
        Assert.Equal(expected.RelativeResidual, result.RelativeResidual);
        // Device scalars run whole windows of CheckEvery iterations before the host reads where to stop: one product per
        // iteration run, plus the start residual and the final true residual.
        int window = ((ConjugateDirections)counted).CheckEvery;
        Assert.Equal((result.Iterations + window - 1) / window * window + 2, counting.Count);
        Assert.True(Reference.RelativeMaxError(x.ToArray(), s.Solution) < 1e-6);
    }

    [Fact]
    public void OnTheCpuDevice_CgKeepsHostScalars_AndCountsEveryProduct()
    {
        var device = Device.Cpu;
        var s = SolvedSystems.Spd(Size, 72);
        using var counting = new CountingOperator(device.Upload(s.A));
        using var solver = KrylovSolvers.Create(KrylovMethod.Cg, counting);
        Assert.True(solver is ConjugateDirections { UsesDeviceScalars: false }, solver.GetType().Name);
        var result = solver.Solve(device.Upload(s.B), device.Allocate(Size));
        Assert.True(result.Converged, result.ToString());
        Assert.Equal(result.Iterations + 2, counting.Count);
    }

    [Fact]
    public void WithoutFusedInner_FallsBackToApplyThenDot_WithTheSameResults()
    {
        var device = Device.Cpu;
        var s = SolvedSystems.Spd(Size, 73);
        using var matrix = device.Upload(s.A);
        using var plain = new CountingOperator(new PlainOperator(matrix));
        Assert.False(plain.HasFusedApplyDot);
        Assert.False(plain.HasFusedResidual);
        var x = device.Upload(RandomSystems.Vector(Size, 74));
        using var y = device.Allocate(Size);
        using var reference = device.Allocate(Size);
        double fused = matrix.ApplyAndDot(x, reference);
        Assert.Equal(fused, plain.ApplyAndDot(x, y), 1e-10 * Math.Abs(fused));
        Assert.Equal(reference.ToArray(), y.ToArray());

        using var scalars = device.AllocateScalars(2);
        plain.ApplyAndDotTo(x, y, scalars, 1);
        var read = new double[2];
        scalars.CopyTo(read);
        Assert.Equal(fused, read[1], 1e-10 * Math.Abs(fused));

        var b = device.Upload(s.B);
        using var r = device.Allocate(Size);
        matrix.Residual(b, x, reference);
        plain.Residual(b, x, r);
        Assert.Equal(reference.ToArray(), r.ToArray());
        device.Copy(b, r);
        plain.Residual(r, x, r); // r ← r − A x
        Assert.Equal(reference.ToArray(), r.ToArray());
        Assert.Equal(4, plain.Count);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void BlockProducts_EqualTheMatrixBlockProducts_AndCountOnePerColumn(bool fusedInner)
    {
        var device = Device.Cpu;
        int n = 97, k = 3;
        var s = SolvedSystems.Spd(n, 75);
        using var matrix = device.Upload(s.A);
        using var counting = new CountingOperator(fusedInner ? matrix : new PlainOperator(matrix));
        Assert.Equal(fusedInner, counting.HasBlockApply);
        var values = Enumerable.Range(0, k).SelectMany(j => RandomSystems.Vector(n, 76 + j)).ToArray();
        using var x = device.Upload<double>(values, Shape.Block(n, k));
        using var y = device.Allocate<double>(Shape.Block(n, k));
        using var reference = device.Allocate<double>(Shape.Block(n, k));
        var expected = new double[k];
        matrix.ApplyAndDot(x, reference, expected);

        var dots = new double[k];
        counting.ApplyAndDot(x, y, dots);
        for (int j = 0; j < k; j++)
        {
            Assert.Equal(expected[j], dots[j], 1e-12 * Math.Abs(expected[j]));
            Assert.Equal(reference.Column(j).ToArray(), y.Column(j).ToArray());
        }
        device.Fill(y.Column(0), 0);
        counting.Apply(x, y);
        Assert.Equal(reference.Column(0).ToArray(), y.Column(0).ToArray());
        Assert.Equal(2 * k, counting.Count);
    }

    /// <summary>An operator with Apply only, hiding the matrix's fused capabilities.</summary>
    private sealed class PlainOperator(ILinearOperator inner) : ILinearOperator
    {
        public int Rows => inner.Rows;
        public int Columns => inner.Columns;
        public Device Device => inner.Device;
        public void Apply(DeviceVector x, DeviceVector y) => inner.Apply(x, y);
    }
}
