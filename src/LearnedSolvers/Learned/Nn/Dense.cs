using LearnedSolvers.Devices;

namespace LearnedSolvers.Learned.Nn;

/// <summary>
/// A fully connected layer (PyTorch's nn.Linear): y = x wᵀ + b on the last dimension, weight [out, in] and bias [out]
/// named "<c>name</c>.weight" and "<c>name</c>.bias". A layer that reads a concatenation [u, v] is made as one layer per
/// part (only one with a bias) whose outputs are summed: the parts can then be applied where they are cheapest (per node
/// rather than per edge). Holds parameters only; the network owns the activations.
/// </summary>
public sealed class Dense : IDisposable
{
    private readonly INetworkKernels _kernels;

    /// <param name="device">Where the parameters live.</param>
    /// <param name="name">The state_dict prefix.</param>
    /// <param name="inFeatures">Input features.</param>
    /// <param name="outFeatures">Output features.</param>
    /// <param name="random">Initializes the parameters as PyTorch does.</param>
    /// <param name="hasBias">Whether the layer adds a bias.</param>
    /// <param name="fanIn">The fan-in of the whole layer this one is part of (default: <paramref name="inFeatures"/>).</param>
    public Dense(Device device, string name, int inFeatures, int outFeatures, Random random, bool hasBias = true, int? fanIn = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentOutOfRangeException.ThrowIfLessThan(inFeatures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outFeatures, 1);
        int fan = fanIn ?? inFeatures;
        ArgumentOutOfRangeException.ThrowIfLessThan(fan, inFeatures, nameof(fanIn));
        _kernels = device.Kernels(INetworkKernels.Family);
        Weight = new Parameter(device, name + ".weight", new Shape(outFeatures, inFeatures));
        Weight.Value.CopyFrom(ParameterInitialization.Uniform(Weight.Shape.Length, fan, random));
        if (hasBias)
        {
            Bias = new Parameter(device, name + ".bias", new Shape(outFeatures));
            Bias.Value.CopyFrom(ParameterInitialization.Uniform(outFeatures, fan, random));
        }
    }

    public Parameter Weight { get; }
    public Parameter? Bias { get; }
    public int InFeatures => Weight.Shape[1];
    public int OutFeatures => Weight.Shape[0];

    /// <summary>The weight, then the bias when there is one.</summary>
    public IEnumerable<Parameter> Parameters => Bias is null ? [Weight] : [Weight, Bias];

    /// <summary>y = x wᵀ + b for x [M, in], y [M, out].</summary>
    public void Forward(DeviceBuffer<float> x, DeviceBuffer<float> y) => _kernels.Linear(x, Weight.Value, Bias?.Value, y);

    /// <summary>
    /// Adds this layer's parameter gradients for output gradient <paramref name="dy"/> at input <paramref name="x"/>, and
    /// writes (or adds, with <paramref name="accumulateInput"/>) the input gradient to <paramref name="dx"/> when given.
    /// </summary>
    public void Backward(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float>? dx, bool accumulateInput = false)
    {
        _kernels.LinearBackwardWeight(x, dy, Weight.Gradient, Bias?.Gradient, accumulate: true);
        if (dx is not null) _kernels.LinearBackwardInput(dy, Weight.Value, dx, accumulateInput);
    }

    public void Dispose()
    {
        Weight.Dispose();
        Bias?.Dispose();
    }
}
