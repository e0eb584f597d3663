using LearnedSolvers.Devices;

namespace LearnedSolvers.Learned.Nn;

/// <summary>
/// A 2-D or 3-D convolution layer (PyTorch's Conv2d/Conv3d with stride 1 and "same" padding): weight
/// [out, in, k, k(, k)] and bias [out], named "<c>name</c>.weight" and "<c>name</c>.bias". The layer holds parameters
/// only; the network owns the activations and passes them in, so a warm forward pass allocates nothing.
/// </summary>
public sealed class Convolution : IDisposable
{
    private readonly INetworkKernels _kernels;

    /// <param name="device">Where the parameters live.</param>
    /// <param name="name">The state_dict prefix ("cnn1").</param>
    /// <param name="spatialDimensions">2 or 3.</param>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelSize">Odd kernel side (1 for a point-wise linear map).</param>
    /// <param name="random">Initializes the parameters as PyTorch does (<see cref="ParameterInitialization"/>).</param>
    /// <param name="dilation">Spacing of the kernel taps.</param>
    public Convolution(Device device, string name, int spatialDimensions, int inChannels, int outChannels, int kernelSize, Random random, int dilation = 1)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (spatialDimensions is not (2 or 3)) throw new ArgumentOutOfRangeException(nameof(spatialDimensions), spatialDimensions, "A convolution is 2-D or 3-D.");
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        if (kernelSize < 1 || kernelSize % 2 == 0) throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize, "The kernel side must be odd (\"same\" padding).");
        ArgumentOutOfRangeException.ThrowIfLessThan(dilation, 1);
        _kernels = device.Kernels(INetworkKernels.Family);
        Dilation = dilation;
        int[] shape = spatialDimensions == 2 ? [outChannels, inChannels, kernelSize, kernelSize] : [outChannels, inChannels, kernelSize, kernelSize, kernelSize];
        Weight = new Parameter(device, name + ".weight", new Shape(shape));
        Bias = new Parameter(device, name + ".bias", new Shape(outChannels));
        int fanIn = Weight.Shape.Length / outChannels;
        Weight.Value.CopyFrom(ParameterInitialization.Uniform(Weight.Shape.Length, fanIn, random));
        Bias.Value.CopyFrom(ParameterInitialization.Uniform(outChannels, fanIn, random));
    }

    public Parameter Weight { get; }
    public Parameter Bias { get; }
    public int Dilation { get; }
    public int InChannels => Weight.Shape[1];
    public int OutChannels => Weight.Shape[0];

    /// <summary>y = w ⋆ x + b.</summary>
    public void Forward(DeviceBuffer<float> x, DeviceBuffer<float> y) => _kernels.Convolution(x, Weight.Value, Bias.Value, y, Dilation);

    /// <summary>
    /// Adds this layer's parameter gradients for output gradient <paramref name="dy"/> at input <paramref name="x"/>, and
    /// writes (or adds, with <paramref name="accumulateInput"/>) the input gradient to <paramref name="dx"/> when given.
    /// </summary>
    public void Backward(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float>? dx, bool accumulateInput = false)
    {
        _kernels.ConvolutionBackwardWeight(x, dy, Weight.Gradient, Bias.Gradient, Dilation, accumulate: true);
        if (dx is not null) _kernels.ConvolutionBackwardInput(dy, Weight.Value, dx, Dilation, accumulateInput);
    }

    public void Dispose()
    {
        Weight.Dispose();
        Bias.Dispose();
    }
}
