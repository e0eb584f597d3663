namespace LearnedSolvers.Devices;

/// <summary>
/// Elements of type <typeparamref name="T"/> (float or double) in a device's memory, with a <see cref="Devices.Shape"/>.
/// Views (<see cref="Slice"/>, <see cref="Range"/>, <see cref="Reshape"/>) share the memory, copy nothing and own
/// nothing: disposing a view releases nothing, disposing the buffer it came from invalidates it. Any use after
/// <see cref="Dispose"/> throws <see cref="ObjectDisposedException"/>, on every device. A double buffer of rank 1 is a
/// <see cref="DeviceVector"/>, so the columns of a block go straight into the solvers.
/// </summary>
public abstract class DeviceBuffer<T> : IDisposable where T : unmanaged
{
    private readonly DeviceBuffer<T>? _parent;
    private int _disposed;

    /// <param name="device">Where the memory lives.</param>
    /// <param name="shape">The dimensions.</param>
    /// <param name="parent">The buffer this is a view of, or null when this buffer owns its memory.</param>
    protected DeviceBuffer(Device device, Shape shape, DeviceBuffer<T>? parent)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (shape.Rank == 0) throw new ArgumentException("The shape has no dimensions.", nameof(shape));
        Device = device;
        Shape = shape;
        _parent = parent;
    }

    public Device Device { get; }
    public Shape Shape { get; }

    /// <summary>Elements in all.</summary>
    public int Length => Shape.Length;

    /// <summary>True for a view into another buffer's memory.</summary>
    public bool IsView => _parent is not null;

    /// <summary>True once this buffer, or the buffer it views, was disposed.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0 || (_parent?.IsDisposed ?? false);

    /// <summary>Throws <see cref="ObjectDisposedException"/> once <see cref="IsDisposed"/>.</summary>
    protected void ThrowIfDisposed()
    {
        if (IsDisposed) throw new ObjectDisposedException(GetType().Name, "This device buffer, or the buffer it is a view of, was disposed; its memory is released.");
    }

    /// <summary>Overwrites the elements with host values (same length).</summary>
    public abstract void CopyFrom(ReadOnlySpan<T> source);

    /// <summary>Copies the elements into host memory (same length).</summary>
    public abstract void CopyTo(Span<T> destination);

    /// <summary>A new host array holding the elements.</summary>
    public T[] ToArray()
    {
        var a = new T[Length];
        CopyTo(a);
        return a;
    }

    /// <summary>
    /// Element <paramref name="index"/> of the outermost dimension, as a view: column j of a block (a vector), sample n of
    /// a batch.
    /// </summary>
    public DeviceBuffer<T> Slice(int index)
    {
        if ((uint)index >= (uint)Shape[0])
            throw new ArgumentOutOfRangeException(nameof(index), index, $"The buffer's outermost dimension has {Shape[0]} elements (shape {Shape}).");
        var inner = Shape.Rank == 1 ? new Shape(1) : Shape.Inner;
        return View(index * inner.Length, inner);
    }

    /// <summary>Elements [offset, offset + length) as a view of rank 1.</summary>
    public DeviceBuffer<T> Range(int offset, int length)
    {
        if (offset < 0 || length < 0 || (long)offset + length > Length)
            throw new ArgumentOutOfRangeException(nameof(length), $"The range [{offset}, {(long)offset + length}) does not lie within the buffer's {Length} elements.");
        return View(offset, new Shape(length));
    }

    /// <summary>The same elements under another shape of the same length, as a view.</summary>
    public DeviceBuffer<T> Reshape(Shape shape)
    {
        if (shape.Length != Length || shape.Rank == 0)
            throw new ArgumentException($"A buffer of shape {Shape} ({Length} elements) cannot be viewed as {shape} ({shape.Length} elements).", nameof(shape));
        return View(0, shape);
    }

    private DeviceBuffer<T> View(int offset, Shape shape)
    {
        ThrowIfDisposed();
        return CreateView(offset, shape);
    }

    /// <summary>A view of this buffer's elements [offset, offset + shape.Length) with the given shape (bounds checked by the caller).</summary>
    protected abstract DeviceBuffer<T> CreateView(int offset, Shape shape);

    /// <summary>Frees the memory of a buffer that owns it (called once; never for a view).</summary>
    protected virtual void Release()
    {
    }

    /// <summary>Releases the memory now (a view releases nothing); idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _parent is null) Release();
        GC.SuppressFinalize(this);
    }

    /// <summary>Throws a clear error unless <paramref name="other"/> has this buffer's shape.</summary>
    protected void CheckShape(Shape other, string argument)
    {
        if (other != Shape) throw new ArgumentException($"{argument} has shape {other}; the buffer has {Shape}.", argument);
    }

    public override string ToString() => $"{typeof(T).Name}{Shape} on {Device.Name}";
}
