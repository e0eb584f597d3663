using LearnedSolvers.Devices;
using LearnedSolvers.Learned.Factors;

namespace LearnedSolvers.Preconditioners.Factories;

/// <summary>
/// "neuralpcg", "precorrector", "learned-fsai": a trained <see cref="LearnedFactorModel"/> predicts the factor for each
/// matrix; the inference is part of <see cref="Create"/>, so a setup time measured around it includes it. The model is
/// read when the factory is made (a bad file fails here) and loaded once per device; dispose the factory to free it,
/// after its products (a product runs the model again on <see cref="IRefreshablePreconditioner.UpdateValues"/>).
/// </summary>
public sealed class LearnedFactorFactory : IPreconditionerFactory, IDisposable
{
    private readonly Dictionary<Device, LearnedFactorModel> _models = [];

    /// <param name="kind">The kind the model file must hold.</param>
    /// <param name="modelPath">The .safetensors file written by training.</param>
    /// <exception cref="Learned.Nn.SafetensorsFormatException">The file is not a model of <paramref name="kind"/>.</exception>
    public LearnedFactorFactory(LearnedFactorKind kind, string modelPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        Kind = kind;
        ModelPath = modelPath;
        ModelFor(Device.Cpu);
    }

    public LearnedFactorKind Kind { get; }
    public string ModelPath { get; }
    public string Name => LearnedFactorModelFile.KindName(Kind);
    public DeviceSupport Devices => DeviceSupport.AllDevices; // inference on the matrix's device; triangular solves or SpMVs there
    public bool Supports(Device device) => Devices.Includes(device);
    public bool IsSymmetric => true;
    public bool IsLinear => true;
    public bool IsRefreshable => true;

    /// <inheritdoc cref="IPreconditionerFactory.Create"/>
    /// <exception cref="ArgumentException">A is not square and symmetric.</exception>
    public LearnedFactorPreconditioner Create(DeviceCsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        Devices.Require(a.Device, Name, nameof(a));
        return new LearnedFactorPreconditioner(ModelFor(a.Device), a.Host, a.Device);
    }

    IPreconditioner? IPreconditionerFactory.Create(DeviceCsrMatrix a) => Create(a);

    private LearnedFactorModel ModelFor(Device device)
    {
        lock (_models)
        {
            if (!_models.TryGetValue(device, out var model))
                _models[device] = model = LearnedFactorModelFile.Load(ModelPath, device, Kind).Model;
            return model;
        }
    }

    public void Dispose()
    {
        lock (_models)
        {
            foreach (var model in _models.Values) model.Dispose();
            _models.Clear();
        }
    }
}
