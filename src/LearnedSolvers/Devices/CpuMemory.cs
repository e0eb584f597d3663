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

    /// <summary>Bytes of the alignment <see cref="Allocate"/> gives: one cache line.</summary>
    public const int Alignment = 64;

    /// <summary>Buffers of at least this many bytes are aligned (smaller ones are dispatch-bound, and pinned arrays live until a full collection).</summary>
    public const int AlignedFrom = 4096;

    /// <summary>
    /// Zeroed memory for <paramref name="length"/> elements. From <see cref="AlignedFrom"/> bytes up the window starts on
    /// a 64-byte boundary in a pinned array: 512-bit loads and stores then never straddle two cache lines, and
    /// non-temporal stores (which require the alignment) become possible. Smaller buffers are ordinary arrays.
    /// </summary>
    public static unsafe CpuMemory<T> Allocate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        int size = Unsafe.SizeOf<T>();
        if ((long)length * size < AlignedFrom || Alignment % size != 0 || length > System.Array.MaxLength - Alignment / size)
            return new(new T[length], 0, length);
        var array = GC.AllocateArray<T>(length + Alignment / size - 1, pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        int offset = (int)((Alignment - address % Alignment) % Alignment) / size;
        return new(array, offset, length);
    }

    /// <summary>A reference to element <paramref name="index"/> of the window, unchecked (kernels check lengths up front).</summary>
    public ref T At(int index) => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(Array), Offset + index);

    public Span<T> Slice(int start, int length) => new(Array, Offset + start, length);

    /// <summary>A sub-window [start, start + length) of this window.</summary>
    public CpuMemory<T> Window(int start, int length) => new(Array, Offset + start, length);
}
