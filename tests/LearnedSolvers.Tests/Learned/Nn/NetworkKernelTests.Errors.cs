using LearnedSolvers.Devices;
using LearnedSolvers.Learned.Nn;

namespace LearnedSolvers.Tests.Learned.Nn;

public abstract partial class NetworkKernelTests
{
    private static void AssertNames(Action action, string argument, params string[] fragments)
    {
        var error = Assert.ThrowsAny<ArgumentException>(action);
        Assert.Equal(argument, error.ParamName);
        foreach (var fragment in fragments) Assert.Contains(fragment, error.Message);
    }

    [Fact]
    public void Convolution_RejectsBadShapes_NamingTheArgumentAndShapes()
    {
        using var x = Zeros(2, 3, 8, 8);
        using var w = Zeros(4, 3, 3, 3);
        using var y = Zeros(2, 4, 8, 8);
        using var flat = Zeros(2, 3, 64);
        AssertNames(() => Kernels.Convolution(flat, w, null, y), "x", "[2, 3, 64]");
        using var wrongChannels = Zeros(4, 5, 3, 3);
        AssertNames(() => Kernels.Convolution(x, wrongChannels, null, y), "weight", "[4, 5, 3, 3]", "[2, 3, 8, 8]");
        using var even = Zeros(4, 3, 3, 2);
        AssertNames(() => Kernels.Convolution(x, even, null, y), "weight", "odd");
        using var volumeKernel = Zeros(4, 3, 3, 3, 3);
        AssertNames(() => Kernels.Convolution(x, volumeKernel, null, y), "weight", "[4, 3, 3, 3, 3]");
        using var wrongY = Zeros(2, 4, 8, 7);
        AssertNames(() => Kernels.Convolution(x, w, null, wrongY), "y", "[2, 4, 8, 7]", "[2, 4, 8, 8]");
        using var wrongBias = Zeros(3);
        AssertNames(() => Kernels.Convolution(x, w, wrongBias, y), "bias", "[3]", "[4]");
        AssertNames(() => Kernels.Convolution(x, w, null, y, dilation: 0), "dilation");
        AssertNames(() => Kernels.Convolution(x, w, null, x.Reshape(new Shape(2, 3, 8, 8))), "y");

        using var dx = Zeros(2, 3, 8, 8);
        AssertNames(() => Kernels.ConvolutionBackwardInput(wrongY, w, dx), "dy", "[2, 4, 8, 7]");
        AssertNames(() => Kernels.ConvolutionBackwardInput(y, w, dx, dilation: -1), "dilation");
        using var dw = Zeros(4, 3, 3, 3);
        using var wrongDw = Zeros(4, 3, 3, 4);
        AssertNames(() => Kernels.ConvolutionBackwardWeight(x, y, wrongDw, null), "dWeight", "odd");
        AssertNames(() => Kernels.ConvolutionBackwardWeight(x, y, dw, wrongBias), "dBias", "[3]");
        AssertNames(() => Kernels.ConvolutionBackwardWeight(x, wrongY, dw, null), "dy");
    }

    [Fact]
    public void Kernels_RejectBuffersOfAnotherDevice()
    {
        using var x = Zeros(1, 2, 4, 4);
        using var w = Zeros(2, 2, 3, 3);
        using var y = Zeros(1, 2, 4, 4);
        using var foreign = OtherDevice.Allocate<float>(new Shape(1, 2, 4, 4));
        Assert.Throws<DeviceMismatchException>(() => Kernels.Convolution(foreign, w, null, y));
        Assert.Throws<DeviceMismatchException>(() => Kernels.ConvolutionBackwardWeight(x, foreign, w, null));
        Assert.Throws<DeviceMismatchException>(() => Kernels.Activate(Activation.Relu, x, foreign));
        Assert.Throws<DeviceMismatchException>(() => Kernels.Axpby(1, foreign, 1, y));
        Assert.Throws<DeviceMismatchException>(() => Kernels.RowDots(x, foreign, new double[1]));
    }

    [Fact]
    public void ResamplingAndLayers_RejectBadArguments_NamingThem()
    {
        using var x = Zeros(1, 2, 6, 6);
        using var coarse = Zeros(1, 2, 3, 3);
        using var fine = Zeros(1, 2, 12, 12);
        AssertNames(() => Kernels.AveragePool(x, coarse, 0), "factor");
        AssertNames(() => Kernels.AveragePool(x, coarse, 4), "x", "not divisible by the factor 4");
        AssertNames(() => Kernels.AveragePool(x, fine, 2), "y", "[1, 2, 12, 12]", "[1, 2, 3, 3]");
        AssertNames(() => Kernels.AveragePoolBackward(fine, x, 2), "dy", "[1, 2, 3, 3]");
        AssertNames(() => Kernels.Upsample(UpsampleMode.Linear, x, coarse, 2), "y", "[1, 2, 12, 12]");
        AssertNames(() => Kernels.Upsample(UpsampleMode.Nearest, x, fine, -1), "factor");
        AssertNames(() => Kernels.UpsampleBackward(UpsampleMode.Linear, coarse, x, 2), "dy", "[1, 2, 12, 12]");
        AssertNames(() => Kernels.Upsample((UpsampleMode)7, x, fine, 2), "mode");

        using var gamma = Zeros(2);
        using var wrongGamma = Zeros(3);
        using var stats = Zeros(1, 6, 6);
        using var wrongStats = Zeros(1, 2, 6, 6);
        using var y = Zeros(1, 2, 6, 6);
        AssertNames(() => Kernels.LayerNorm(x, wrongGamma, gamma, 1e-5f, y, stats, stats), "gamma", "[3]", "[2]");
        AssertNames(() => Kernels.LayerNorm(x, gamma, gamma, 1e-5f, y, wrongStats, stats), "mean", "[1, 6, 6]");
        AssertNames(() => Kernels.LayerNorm(x, gamma, gamma, -1f, y, stats, stats), "epsilon");

        using var w = Zeros(4, 5);
        using var input = Zeros(7, 5);
        using var output = Zeros(7, 4);
        using var wrongInput = Zeros(7, 6);
        AssertNames(() => Kernels.Linear(wrongInput, w, null, output), "x", "[7, 6]", "[4, 5]");
        AssertNames(() => Kernels.Linear(input, w, null, wrongInput), "y", "[7, 4]");
        AssertNames(() => Kernels.Linear(input, w, wrongGamma, output), "bias", "[3]");
        AssertNames(() => Kernels.LinearBackwardWeight(input, output, Zeros(4, 6), null), "x", "[7, 5]");

        using var a = Zeros(10);
        using var b = Zeros(11);
        AssertNames(() => Kernels.Axpby(1, a, 1, b), "y", "11", "10");
        AssertNames(() => Kernels.AdamStep(a, a, a, b, 1e-3f, 0.9f, 0.999f, 1e-8f, 1), "v");
        AssertNames(() => Kernels.AdamStep(a, Zeros(10), Zeros(10), Zeros(10), 1e-3f, 0.9f, 0.999f, 1e-8f, 0), "step");
        AssertNames(() => Kernels.RowDots(a, a, new double[3]), "result", "10");
        AssertNames(() => Kernels.Activate(Activation.Relu, a, b), "y");
        AssertNames(() => Kernels.GatherRows(input, UploadIndices([0, 1]), output), "y", "[7, 4]", "[2, 5]");
    }
}
