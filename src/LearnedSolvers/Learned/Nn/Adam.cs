using LearnedSolvers.Devices;

namespace LearnedSolvers.Learned.Nn;

/// <summary>
/// Adam (Kingma and Ba 2015) as PyTorch's torch.optim.Adam without weight decay: per parameter a first and second moment
/// on the device, bias-corrected steps. The defaults are PyTorch's (β₁ 0.9, β₂ 0.999, ε 1e-8).
/// </summary>
public sealed class Adam : IOptimizer, IDisposable
{
    private readonly IReadOnlyList<Parameter> _parameters;
    private readonly DeviceBuffer<float>[] _first, _second;
    private readonly INetworkKernels _kernels;
    private readonly IBufferKernels _buffers;

    public Adam(IReadOnlyList<Parameter> parameters, float learningRate, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.Count == 0) throw new ArgumentException("Adam needs at least one parameter.", nameof(parameters));
        if (!(learningRate > 0) || !float.IsFinite(learningRate)) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be positive and finite.");
        if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "β₁ must lie in [0, 1).");
        if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "β₂ must lie in [0, 1).");
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "ε must be positive.");
        _parameters = parameters;
        var device = parameters[0].Value.Device;
        _kernels = device.Kernels(INetworkKernels.Family);
        _buffers = device.Kernels(IBufferKernels.Family);
        _first = parameters.Select(p => device.Allocate<float>(p.Shape)).ToArray();
        _second = parameters.Select(p => device.Allocate<float>(p.Shape)).ToArray();
        LearningRate = learningRate;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
    }

    /// <summary>May change between steps (a schedule).</summary>
    public float LearningRate { get; set; }
    public float Beta1 { get; }
    public float Beta2 { get; }
    public float Epsilon { get; }

    /// <summary>Steps taken (t in the bias corrections).</summary>
    public int Steps { get; private set; }

    public void Step()
    {
        Steps++;
        for (int i = 0; i < _parameters.Count; i++)
            _kernels.AdamStep(_parameters[i].Value, _parameters[i].Gradient, _first[i], _second[i], LearningRate, Beta1, Beta2, Epsilon, Steps);
        ZeroGradients();
    }

    public void ZeroGradients()
    {
        foreach (var p in _parameters) _buffers.Fill(p.Gradient, 0);
    }

    public void Dispose()
    {
        foreach (var b in _first) b.Dispose();
        foreach (var b in _second) b.Dispose();
    }
}
