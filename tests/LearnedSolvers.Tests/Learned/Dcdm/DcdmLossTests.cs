using LearnedSolvers.Devices;
using LearnedSolvers.Learned.Dcdm;
using LearnedSolvers.Learned.Nn;
using LearnedSolvers.Problems;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Tests.Learned.Dcdm;

/// <summary>
/// DCDM's loss: zero for the exact solution at any scale, the line-search residual otherwise (against a double
/// computation), and its gradient against central differences.
/// </summary>
public abstract class DcdmLossTests
{
    protected abstract Device Device { get; }

    private static (CsrMatrix A, int N) Poisson4() => (Poisson.TwoD(4).Matrix, 16);

    [Fact]
    public void ExactSolution_AtAnyScale_HasZeroLoss()
    {
        var (a, n) = Poisson4();
        var b = DcdmNetworkTests.Floats(n, 1).Select(v => (double)v).ToArray();
        var x = Solve(a, b);
        var q = x.Select(v => (float)(-2.5 * v)).ToArray();
        using var matrix = new SingleCsrMatrix(Device, a);
        using var loss = new DcdmLoss(matrix);
        using var db = Device.Upload<float>(b.Select(v => (float)v).ToArray(), new Shape(1, 1, 4, 4));
        using var dq = Device.Upload<float>(q, new Shape(1, 1, 4, 4));
        using var grad = Device.Allocate<float>(new Shape(1, 1, 4, 4));
        Assert.True(loss.Evaluate(db, dq, grad) < 1e-10);
    }

    [Fact]
    public void Loss_IsTheLineSearchResidual_AndItsGradientMatchesCentralDifferences()
    {
        var (a, n) = Poisson4();
        int batch = 3;
        var b = DcdmNetworkTests.Floats(batch * n, 2);
        var q = DcdmNetworkTests.Floats(batch * n, 3);
        using var matrix = new SingleCsrMatrix(Device, a);
        using var loss = new DcdmLoss(matrix);
        var shape = new Shape(batch, 1, 4, 4);
        using var db = Device.Upload<float>(b, shape);
        using var dq = Device.Upload<float>(q, shape);
        using var grad = Device.Allocate<float>(shape);
        double value = loss.Evaluate(db, dq, grad);
        Assert.Equal(Reference(a, b, q, batch), value, 1e-5 * value);
        var g = grad.ToArray();
        using var scratch = Device.Allocate<float>(shape);
        for (int k = 0; k < batch * n; k += 5)
        {
            const float h = 1e-2f;
            var plus = (float[])q.Clone();
            var minus = (float[])q.Clone();
            plus[k] += h;
            minus[k] -= h;
            // In double: the float loss's rounding would swamp a difference quotient.
            double numeric = (Reference(a, b, plus, batch) - Reference(a, b, minus, batch)) / (2 * h);
            Assert.True(Math.Abs(numeric - g[k]) <= 1e-3 * Math.Abs(numeric) + 1e-4, $"q[{k}]: gradient {g[k]:G6}, central difference {numeric:G6}");
        }
    }

    [Fact]
    public void ZeroDirection_AddsNoGradient_AndIsCounted()
    {
        var (a, n) = Poisson4();
        using var matrix = new SingleCsrMatrix(Device, a);
        using var loss = new DcdmLoss(matrix);
        var shape = new Shape(2, 1, 4, 4);
        var q = DcdmNetworkTests.Floats(2 * n, 4);
        Array.Clear(q, 0, n); // the first sample's q is zero
        using var db = Device.Upload<float>(DcdmNetworkTests.Floats(2 * n, 5), shape);
        using var dq = Device.Upload<float>(q, shape);
        using var grad = Device.Allocate<float>(shape);
        Assert.True(double.IsFinite(loss.Evaluate(db, dq, grad)));
        Assert.Equal(1, loss.SkippedSamples);
        Assert.All(grad.ToArray().Take(n), v => Assert.Equal(0f, v));
    }

    /// <summary>The mean over samples of ‖b − A q (qᵀb)/(qᵀAq)‖², in double.</summary>
    private static double Reference(CsrMatrix a, float[] b, float[] q, int batch)
    {
        int n = a.Rows;
        double total = 0;
        for (int s = 0; s < batch; s++)
        {
            var qs = q.Skip(s * n).Take(n).Select(v => (double)v).ToArray();
            var bs = b.Skip(s * n).Take(n).Select(v => (double)v).ToArray();
            var u = new double[n];
            a.Multiply(qs, u);
            double alpha = qs.Zip(bs, (x, y) => x * y).Sum(), gamma = qs.Zip(u, (x, y) => x * y).Sum();
            total += bs.Select((v, i) => Math.Pow(v - alpha / gamma * u[i], 2)).Sum();
        }
        return total / batch;
    }

    private static double[] Solve(CsrMatrix a, double[] b)
    {
        var dense = MathNet.Numerics.LinearAlgebra.Double.DenseMatrix.Create(a.Rows, a.Columns, 0);
        for (int i = 0; i < a.Rows; i++)
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++) dense[i, a.ColumnIndices[k]] = a.Values[k];
        return dense.Solve(MathNet.Numerics.LinearAlgebra.Double.DenseVector.OfArray(b)).ToArray();
    }
}

public sealed class CpuDcdmLossTests : DcdmLossTests
{
    protected override Device Device => Device.Cpu;
}

public sealed class IlgpuCpuDcdmLossTests : DcdmLossTests
{
    protected override Device Device => LearnedSolvers.Tests.Devices.DeviceTargets.IlgpuCpu;
}

[Trait("Category", "Gpu")]
public sealed class CudaDcdmLossTests : DcdmLossTests
{
    protected override Device Device => LearnedSolvers.Tests.Devices.DeviceTargets.CudaOrSkip;
}
