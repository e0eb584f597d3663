using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LearnedSolvers.Devices;

/// <summary>A window [Offset, Offset + Length) of a managed array: what a CPU buffer or view holds, and what CPU kernels take.</summary>
internal readonly struct CpuMemory<T>(T[] array, int offset, int length) where T : unmanaged
{
    public T[] Array { get; } = array;
    public int Offset { get; } = offset;
    public int Length { get; } = length;

    public Span<T> Span => new(Array, Offset, Length);

    /// <summary>A reference to element <paramref name="index"/> of the window, unchecked (kernels check lengths up front).</summary>
    public ref T At(int index) => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(Array), Offset + index);

    public Span<T> Slice(int start, int length) => new(Array, Offset + start, length);

    /// <summary>A sub-window [start, start + length) of this window.</summary>
    public CpuMemory<T> Window(int start, int length) => new(Array, Offset + start, length);
}
