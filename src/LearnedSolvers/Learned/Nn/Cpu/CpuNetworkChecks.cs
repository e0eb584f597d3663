using System.Runtime.CompilerServices;
using LearnedSolvers.Devices;

namespace LearnedSolvers.Learned.Nn.Cpu;

/// <summary>
/// Argument checks of the network kernels: device, rank and shape agreement, with messages that name the argument and
/// give both shapes.
/// </summary>
internal static class CpuNetworkChecks
{
    public static void On<T>(Device device, DeviceBuffer<T> buffer, string argument) where T : unmanaged => BufferChecks.On(device, buffer, argument);

    /// <summary>Checks that an argument's shape <paramref name="actual"/> is <paramref name="expected"/>.</summary>
    public static void Shape(Shape actual, string argument, Shape expected,
        [InterpolatedStringHandlerArgument(nameof(actual), nameof(expected))] CheckReason reason)
    {
        if (actual != expected)
            throw new ArgumentException($"{argument} has shape {actual}; expected {expected} ({reason.ToString()}).", argument);
    }

    /// <summary>Checks that an argument's shape <paramref name="actual"/> is <paramref name="expected"/> (a fixed reason).</summary>
    public static void Shape(Shape actual, string argument, Shape expected, string reason)
    {
        if (actual != expected)
            throw new ArgumentException($"{argument} has shape {actual}; expected {expected} ({reason}).", argument);
    }

    /// <summary>Checks that an argument of shape <paramref name="shape"/> has <paramref name="expected"/> elements.</summary>
    public static void Length(int actual, Shape shape, string argument, int expected,
        [InterpolatedStringHandlerArgument(nameof(actual), nameof(expected))] CheckReason reason)
    {
        if (actual != expected)
            throw new ArgumentException($"{argument} has {actual} elements (shape {shape}); expected {expected} ({reason.ToString()}).", argument);
    }

    /// <summary>Checks that a tensor is a batch of 2-D or 3-D images: [N, C, H, W] or [N, C, D, H, W].</summary>
    public static void Images<T>(DeviceBuffer<T> buffer, string argument) where T : unmanaged
    {
        if (buffer.Shape.Rank is not (4 or 5))
            throw new ArgumentException($"{argument} has shape {buffer.Shape}; expected a batch of 2-D or 3-D images, [N, C, H, W] or [N, C, D, H, W].", argument);
    }

    /// <summary>Checks that a tensor is channels-first with at least a batch and a channel dimension: [N, C, S…].</summary>
    public static void ChannelsFirst<T>(DeviceBuffer<T> buffer, string argument) where T : unmanaged
    {
        if (buffer.Shape.Rank < 2)
            throw new ArgumentException($"{argument} has shape {buffer.Shape}; expected [N, C, S…] (a batch dimension, then channels).", argument);
    }

    /// <summary>Checks that <paramref name="factor"/> ≥ 1.</summary>
    public static void Factor(int factor)
    {
        if (factor < 1) throw new ArgumentOutOfRangeException(nameof(factor), factor, "The factor must be at least 1.");
    }

    /// <summary>The shape with every spatial dimension (those after the first two) divided by, or multiplied by, <paramref name="factor"/>.</summary>
    public static Shape Resized(Shape shape, int factor, bool finer)
    {
        Span<int> d = stackalloc int[shape.Rank];
        for (int i = 0; i < shape.Rank; i++) d[i] = i < 2 ? shape[i] : finer ? checked(shape[i] * factor) : shape[i] / factor;
        return new Shape(d);
    }

    /// <summary>Checks that <paramref name="factor"/> divides every spatial dimension of <paramref name="buffer"/>.</summary>
    public static void Divides(DeviceBuffer<float> buffer, string argument, int factor)
    {
        for (int i = 2; i < buffer.Shape.Rank; i++)
            if (buffer.Shape[i] % factor != 0)
                throw new ArgumentException($"{argument} has shape {buffer.Shape}: spatial dimension {i} ({buffer.Shape[i]}) is not divisible by the factor {factor}.", argument);
    }

    /// <summary>Checks that two CPU buffers do not share any element.</summary>
    public static void Disjoint(DeviceBuffer<float> a, string aName, DeviceBuffer<float> b, string bName)
    {
        var ma = CpuBuffer<float>.MemoryOf(a);
        var mb = CpuBuffer<float>.MemoryOf(b);
        if (ReferenceEquals(ma.Array, mb.Array) && ma.Length > 0 && mb.Length > 0 && ma.Offset < mb.Offset + mb.Length && mb.Offset < ma.Offset + ma.Length)
            throw new ArgumentException($"{bName} must not share memory with {aName}.", bName);
    }

    /// <summary>Checks that two CPU buffers are either the same elements (an in-place element-wise kernel) or share none.</summary>
    public static void SameOrDisjoint(DeviceBuffer<float> a, string aName, DeviceBuffer<float> b, string bName)
    {
        var ma = CpuBuffer<float>.MemoryOf(a);
        var mb = CpuBuffer<float>.MemoryOf(b);
        if (!ReferenceEquals(ma.Array, mb.Array) || (ma.Offset == mb.Offset && ma.Length == mb.Length)) return;
        Disjoint(a, aName, b, bName);
    }

    /// <summary>Checks that two buffers have the same number of elements.</summary>
    public static void SameLength<TA, TB>(DeviceBuffer<TA> a, string aName, DeviceBuffer<TB> b, string bName) where TA : unmanaged where TB : unmanaged
    {
        if (a.Length != b.Length)
            throw new ArgumentException($"{bName} has {b.Length} elements (shape {b.Shape}), {aName} {a.Length} (shape {a.Shape}); they must have the same length.", bName);
    }

    /// <summary>The product of the dimensions from <paramref name="axis"/> on.</summary>
    public static int Trailing(Shape shape, int axis)
    {
        int n = 1;
        for (int i = axis; i < shape.Rank; i++) n *= shape[i];
        return n;
    }
}
