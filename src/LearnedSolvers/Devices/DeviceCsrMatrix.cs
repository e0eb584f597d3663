using LearnedSolvers.Sparse;

namespace LearnedSolvers.Devices;

/// <summary>A CSR matrix uploaded once to a device and applied there as an operator (y = A x).</summary>
public abstract class DeviceCsrMatrix : IFusedApplyDot, IResidualOperator, IBlockOperator, IDisposable
{
    protected DeviceCsrMatrix(Device device, CsrMatrix host)
    {
        Device = device;
        Host = host;
    }

    /// <summary>The host matrix this was uploaded from.</summary>
    public CsrMatrix Host { get; }
    public int Rows => Host.Rows;
    public int Columns => Host.Columns;
    public Device Device { get; }

    public abstract void Apply(DeviceVector x, DeviceVector y);

    /// <summary>
    /// Takes the values now in <see cref="Host"/>'s <see cref="CsrMatrix.Values"/> (rewritten in place on the same
    /// pattern) into the device memory already held: a factor or operator refreshed for new coefficients keeps its upload.
    /// </summary>
    public abstract void UpdateValues();

    /// <summary>y = A x and returns xᵀy: the two reads CG needs after its SpMV, in one pass (square A only).</summary>
    public abstract double ApplyAndDot(DeviceVector x, DeviceVector y);

    /// <summary>y = A x and s[slot] ← xᵀy, the dot left on the device (square A only).</summary>
    public abstract void ApplyAndDotTo(DeviceVector x, DeviceVector y, DeviceScalars s, int slot);

    /// <summary>
    /// r = b − A x in one pass where the device can fuse it (square A only). <paramref name="b"/> may be
    /// <paramref name="r"/> itself (r ← r − A x); <paramref name="x"/> must not alias <paramref name="r"/>.
    /// </summary>
    public virtual void Residual(DeviceVector b, DeviceVector x, DeviceVector r)
    {
        if (ReferenceEquals(b, r))
        {
            // Unfused r ← r − A x needs A x apart: one scratch vector, allocated on first use and kept.
            _scratch ??= Device.Allocate(Rows);
            Apply(x, _scratch);
            Device.Axpy(-1, _scratch, r);
            return;
        }
        Apply(x, r);
        Device.Axpby(1, b, -1, r);
    }

    private DeviceVector? _scratch;

    /// <summary>
    /// Y = A X for column-major blocks X ([k, Columns]) and Y ([k, Rows]). This default applies the columns one by one;
    /// a backend overrides it with a kernel that reads A once for all k columns.
    /// </summary>
    public virtual void Apply(DeviceBuffer<double> x, DeviceBuffer<double> y)
    {
        int k = CheckBlockSpmv(x, y);
        for (int j = 0; j < k; j++) Apply(x.Column(j, Columns), y.Column(j, Rows));
    }

    /// <summary>Y = A X and xty[j] = X[:, j]ᵀ Y[:, j]. This default applies the block, then takes the k dots.</summary>
    public virtual void ApplyAndDot(DeviceBuffer<double> x, DeviceBuffer<double> y, Span<double> xty)
    {
        int k = CheckBlockSpmv(x, y);
        CheckBlockDots(k, xty.Length);
        Apply(x, y);
        for (int j = 0; j < k; j++) xty[j] = Device.Dot(x.Column(j, Columns), y.Column(j, Rows));
    }

    /// <summary>Checks that a square matrix has room for k dots.</summary>
    protected void CheckBlockDots(int k, int length)
    {
        if (Rows != Columns) throw new InvalidOperationException($"ApplyAndDot needs a square matrix; this one is {Rows} x {Columns}.");
        if (length < k) throw new ArgumentException($"Room for {length} dots; the block has {k} columns.", "xty");
    }

    /// <summary>Checks the blocks of Y = A X: on this device, [k, ≥ Columns] and [k, ≥ Rows] (a leading dimension may pad the columns), not the same buffer; returns k.</summary>
    protected int CheckBlockSpmv(DeviceBuffer<double> x, DeviceBuffer<double> y)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        foreach (var (block, name) in new[] { (x, nameof(x)), (y, nameof(y)) })
            if (!ReferenceEquals(block.Device, Device))
                throw new DeviceMismatchException($"{name} lives on device '{block.Device.Name}', but the matrix on '{Device.Name}'.");
        if (x.Shape.Rank != 2 || x.Shape[1] < Columns)
            throw new ArgumentException($"x must be a block [k, {Columns}] (k columns of length {Columns}, or longer with a leading dimension); its shape is {x.Shape}.", nameof(x));
        if (y.Shape.Rank != 2 || y.Shape[1] < Rows || y.Shape[0] != x.Shape[0])
            throw new ArgumentException($"y must be a block [{x.Shape[0]}, {Rows}] (or with longer columns); its shape is {y.Shape}.", nameof(y));
        if (ReferenceEquals(x, y)) throw new ArgumentException("SpMV cannot write its result over its input (x and y are the same block).", nameof(y));
        return x.Shape[0];
    }

    /// <summary>Checks x and y of y = A x: on this device, of the matrix's sizes, and not the same vector.</summary>
    protected void CheckSpmv(DeviceVector x, DeviceVector y)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        Device.Check(x, Columns, nameof(x));
        Device.Check(y, Rows, nameof(y));
        if (ReferenceEquals(x, y)) throw new ArgumentException("SpMV cannot write its result over its input (x and y are the same vector).", nameof(y));
    }

    /// <summary>True once disposed; any later use throws <see cref="ObjectDisposedException"/>, on every device.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    private int _disposed;

    public virtual void Dispose()
    {
        Volatile.Write(ref _disposed, 1);
        _scratch?.Dispose();
        GC.SuppressFinalize(this);
    }
}
