using LearnedSolvers.Devices;

namespace LearnedSolvers.Learned.Nn;

/// <summary>Plain stochastic gradient descent: p −= lr · g.</summary>
public sealed class Sgd : IOptimizer
{
    private readonly IReadOnlyList<Parameter> _parameters;
    private readonly INetworkKernels _kernels;
    private readonly IBufferKernels _buffers;

    public Sgd(IReadOnlyList<Parameter> parameters, float learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.Count == 0) throw new ArgumentException("SGD needs at least one parameter.", nameof(parameters));
        if (!(learningRate > 0) || !float.IsFinite(learningRate)) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be positive and finite.");
        _parameters = parameters;
        var device = parameters[0].Value.Device;
        _kernels = device.Kernels(INetworkKernels.Family);
        _buffers = device.Kernels(IBufferKernels.Family);
        LearningRate = learningRate;
    }

    public float LearningRate { get; set; }

    public void Step()
    {
        foreach (var p in _parameters) _kernels.Axpby(-LearningRate, p.Gradient, 1, p.Value);
        ZeroGradients();
    }

    public void ZeroGradients()
    {
        foreach (var p in _parameters) _buffers.Fill(p.Gradient, 0);
    }
}
