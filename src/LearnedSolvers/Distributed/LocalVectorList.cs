using System.Collections;
using LearnedSolvers.Devices;

namespace LearnedSolvers.Distributed;

/// <summary>
/// A list of distributed vectors seen as their local parts, for the local device's basis kernels (Gram–Schmidt's
/// projections): one reusable view set before each call, so the per-iteration kernels allocate nothing.
/// </summary>
internal sealed class LocalVectorList(DistributedDevice device) : IReadOnlyList<DeviceVector>
{
    private IReadOnlyList<DeviceVector>? _source;

    /// <summary>Views <paramref name="source"/> until <see cref="Release"/>.</summary>
    public LocalVectorList Over(IReadOnlyList<DeviceVector> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        _source = source;
        return this;
    }

    /// <summary>Drops the reference to the caller's list.</summary>
    public void Release() => _source = null;

    public DeviceVector this[int index] => device.LocalOf(Source[index], "basis");

    public int Count => Source.Count;

    private IReadOnlyList<DeviceVector> Source => _source ?? throw new InvalidOperationException("The local view is not set to a list.");

    public IEnumerator<DeviceVector> GetEnumerator()
    {
        for (int i = 0; i < Count; i++) yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
