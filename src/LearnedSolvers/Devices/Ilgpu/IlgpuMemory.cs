using ILGPU;
using ILGPU.Runtime;

namespace LearnedSolvers.Devices.Ilgpu;

/// <summary>
/// What an ILGPU buffer or view holds: the allocation it owns (null for a view) and its window of device memory.
/// </summary>
internal readonly struct IlgpuMemory<T> where T : unmanaged
{
    private readonly MemoryBuffer1D<T, Stride1D.Dense>? _owned;

    private IlgpuMemory(MemoryBuffer1D<T, Stride1D.Dense>? owned, ArrayView1D<T, Stride1D.Dense> view)
    {
        _owned = owned;
        View = view;
    }

    /// <summary>Owns <paramref name="buffer"/> and views all of it.</summary>
    public static IlgpuMemory<T> Owning(MemoryBuffer1D<T, Stride1D.Dense> buffer) => new(buffer, buffer.View);

    public ArrayView1D<T, Stride1D.Dense> View { get; }

    /// <summary>A view of [start, start + length): owns nothing.</summary>
    public IlgpuMemory<T> Window(int start, int length) => new(null, View.SubView(start, length));

    public void CopyFrom(IlgpuDevice device, ArrayView1D<T, Stride1D.Dense> view, ReadOnlySpan<T> source)
    {
        if (source.Length == 0) return;
        using (device.Lock()) ((ArrayView<T>)view).CopyFromCPU(source);
    }

    public void CopyTo(IlgpuDevice device, ArrayView1D<T, Stride1D.Dense> view, Span<T> destination)
    {
        if (destination.Length == 0) return;
        using (device.Lock()) ((ArrayView<T>)view).CopyToCPU(destination);
    }

    public void Release() => _owned?.Dispose();
}
