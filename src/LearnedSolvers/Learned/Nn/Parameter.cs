using LearnedSolvers.Devices;

namespace LearnedSolvers.Learned.Nn;

/// <summary>
/// A trained tensor and its gradient, both on the network's device, under the name PyTorch's state_dict gives it
/// ("cnn1.weight"). Layers add to <see cref="Gradient"/>; an optimizer reads it, steps <see cref="Value"/> and clears it.
/// </summary>
public sealed class Parameter : IDisposable
{
    public Parameter(Device device, string name, Shape shape)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Value = device.Allocate<float>(shape);
        Gradient = device.Allocate<float>(shape);
    }

    public string Name { get; }
    public Shape Shape => Value.Shape;
    public DeviceBuffer<float> Value { get; }
    public DeviceBuffer<float> Gradient { get; }

    public void Dispose()
    {
        Value.Dispose();
        Gradient.Dispose();
    }
}
