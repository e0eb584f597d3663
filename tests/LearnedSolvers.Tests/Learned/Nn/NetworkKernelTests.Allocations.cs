using LearnedSolvers.Learned.Nn;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Learned.Nn;

public abstract partial class NetworkKernelTests
{
    [Fact]
    public void LayerTrainingAndGraphKernels_AllocateNothingOnceWarm()
    {
        using var x = Upload(RandomValues(2 * 4 * 8 * 8, 1), 2, 4, 8, 8);
        using var dy = Upload(RandomValues(2 * 4 * 8 * 8, 2), 2, 4, 8, 8);
        using var y = Zeros(2, 4, 8, 8);
        using var dx = Zeros(2, 4, 8, 8);
        using var coarse = Zeros(2, 4, 4, 4);
        using var gamma = Filled(1, 4);
        using var beta = Zeros(4);
        using var dGamma = Zeros(4);
        using var dBeta = Zeros(4);
        using var mean = Zeros(2, 8, 8);
        using var inverse = Zeros(2, 8, 8);
        using var rows = Upload(RandomValues(128 * 4, 3), 128, 4);
        using var w = Upload(RandomValues(6 * 4, 4), 6, 4);
        using var b = Zeros(6);
        using var out6 = Zeros(128, 6);
        using var dw = Zeros(6, 4);
        using var grad = Zeros(128, 4);
        using var parameter = Zeros(128, 4);
        using var m = Zeros(128, 4);
        using var v = Zeros(128, 4);
        using var pointers = UploadIndices([0, 1, 2]);
        using var columns = UploadIndices([1, 0]);
        using var values = Upload([1f, 1], 2);
        using var vectors = Upload([1f, 2, 3, 4], 2, 2);
        using var product = Zeros(2, 2);
        using var index = UploadIndices(Enumerable.Range(0, 128).Select(i => (i * 7) % 128).ToArray());
        using var offsets = UploadIndices(Enumerable.Range(0, 129).ToArray());
        var dots = new double[2];
        var (_, bytes) = Allocations.Least(() =>
        {
            Kernels.Activate(Activation.Gelu, x, y);
            Kernels.ActivateBackward(Activation.Tanh, x, dy, dx);
            Kernels.AveragePool(x, coarse, 2);
            Kernels.AveragePoolBackward(coarse, dx, 2, accumulate: true);
            Kernels.Upsample(UpsampleMode.Linear, coarse, y, 2);
            Kernels.UpsampleBackward(UpsampleMode.Linear, dy, coarse, 2);
            Kernels.Upsample(UpsampleMode.Nearest, coarse, y, 2);
            Kernels.UpsampleBackward(UpsampleMode.Nearest, dy, coarse, 2);
            Kernels.LayerNorm(x, gamma, beta, 1e-5f, y, mean, inverse);
            Kernels.LayerNormBackward(x, gamma, mean, inverse, dy, dx, dGamma, dBeta);
            Kernels.Linear(rows, w, b, out6);
            Kernels.LinearBackwardInput(out6, w, grad);
            Kernels.LinearBackwardWeight(rows, out6, dw, b, accumulate: true);
            Kernels.Axpby(0.5f, x, 0.5f, y);
            Kernels.AdamStep(parameter, grad, m, v, 1e-3f, 0.9f, 0.999f, 1e-8f, 1);
            Kernels.RowDots(x, dy, dots);
            Kernels.SparseMultiply(pointers, columns, values, vectors, product);
            Kernels.GatherRows(rows, index, grad);
            Kernels.SegmentSum(rows, offsets, index, grad);
            return 0;
        });
        Assert.Equal(0, bytes);
    }
}
