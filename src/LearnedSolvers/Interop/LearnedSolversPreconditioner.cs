using LearnedSolvers.Devices;
using LearnedSolvers.Sparse;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double;
using MathNetPreconditioner = MathNet.Numerics.LinearAlgebra.Solvers.IPreconditioner<double>;

namespace LearnedSolvers.Interop;

/// <summary>
/// One of our preconditioners (Jacobi, and the incomplete factorizations as they arrive) as a MathNet
/// <c>IPreconditioner&lt;double&gt;</c>, so MathNet's own solvers (BiCgStab, GpBiCg, TFQMR, MlkBiCgStab) can use it.
/// Either wrap a preconditioner already built for the matrix, or give a factory that builds one from the matrix in
/// <see cref="Initialize(Matrix{double})"/> (MathNet's solvers call Initialize at the start of every solve). The preconditioner may
/// live on any device: vectors are staged through host arrays and copied to the device when it is not the CPU.
/// </summary>
public sealed class LearnedSolversPreconditioner : MathNetPreconditioner
{
    private readonly Func<CsrMatrix, IPreconditioner>? _factory;
    private bool _ownsPreconditioner;
    private double[] _rhs = [], _lhs = [];
    private DenseVector? _rhsVector, _lhsVector;
    private DeviceVector? _x, _y;
    private bool _staged;

    /// <summary>Wraps a preconditioner built for the matrix that will be passed to <see cref="Initialize(Matrix{double})"/>.</summary>
    public LearnedSolversPreconditioner(IPreconditioner preconditioner)
    {
        ArgumentNullException.ThrowIfNull(preconditioner);
        if (preconditioner.Rows != preconditioner.Columns)
            throw new ArgumentException($"The preconditioner is {preconditioner.Rows} x {preconditioner.Columns}; it must be square.", nameof(preconditioner));
        Preconditioner = preconditioner;
        Allocate(preconditioner);
    }

    /// <summary>Builds the preconditioner in every <see cref="Initialize(Matrix{double})"/>, e.g. <c>a =&gt; new Jacobi(a)</c>.</summary>
    public LearnedSolversPreconditioner(Func<CsrMatrix, IPreconditioner> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _factory = factory;
    }

    /// <summary>The preconditioner in use: the wrapped one, or the factory's latest (null before the first Initialize).</summary>
    public IPreconditioner? Preconditioner { get; private set; }

    /// <summary>
    /// With a factory: converts <paramref name="matrix"/> and builds a new preconditioner from it (disposing the previous
    /// one). With a fixed preconditioner: only checks that the sizes agree.
    /// </summary>
    public void Initialize(Matrix<double> matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (_factory is null)
        {
            CheckSize(matrix.RowCount, matrix.ColumnCount);
            return;
        }
        Initialize(MathNetConversions.FromMathNet(matrix));
    }

    /// <summary>The same as <see cref="Initialize(Matrix{double})"/> for a matrix already converted (no second copy).</summary>
    internal void Initialize(CsrMatrix matrix)
    {
        if (_factory is null)
        {
            CheckSize(matrix.Rows, matrix.Columns);
            return;
        }
        if (!matrix.IsSquare) throw new ArgumentException($"The matrix is {matrix.Rows} x {matrix.Columns}; a preconditioner needs a square one.", nameof(matrix));
        var built = _factory(matrix) ?? throw new InvalidOperationException("The preconditioner factory returned null.");
        if (built.Rows != matrix.Rows || built.Columns != matrix.Columns)
            throw new InvalidOperationException($"The factory built a {built.Rows} x {built.Columns} preconditioner for a {matrix.Rows} x {matrix.Columns} matrix.");
        if (_ownsPreconditioner && !ReferenceEquals(built, Preconditioner)) (Preconditioner as IDisposable)?.Dispose();
        Preconditioner = built;
        _ownsPreconditioner = true;
        Allocate(built);
    }

    /// <summary>lhs = M rhs.</summary>
    public void Approximate(Vector<double> rhs, Vector<double> lhs)
    {
        ArgumentNullException.ThrowIfNull(rhs);
        ArgumentNullException.ThrowIfNull(lhs);
        var m = Preconditioner ?? throw new InvalidOperationException("Initialize must be called before Approximate.");
        if (rhs.Count != m.Rows) throw new ArgumentException($"rhs has length {rhs.Count}; the preconditioner is {m.Rows} x {m.Rows}.", nameof(rhs));
        if (lhs.Count != m.Rows) throw new ArgumentException($"lhs has length {lhs.Count}; the preconditioner is {m.Rows} x {m.Rows}.", nameof(lhs));
        rhs.CopyTo(_rhsVector!);
        if (_staged) _x!.CopyFrom(_rhs);
        m.Apply(_x!, _y!);
        if (_staged) _y!.CopyTo(_lhs);
        _lhsVector!.CopyTo(lhs);
    }

    private void CheckSize(int rows, int columns)
    {
        var m = Preconditioner!;
        if (rows != m.Rows || columns != m.Columns)
            throw new ArgumentException($"The matrix is {rows} x {columns}; the wrapped preconditioner is {m.Rows} x {m.Columns}.", "matrix");
    }

    /// <summary>Host arrays with MathNet wrappers; on the CPU our vectors wrap the same arrays, elsewhere they are device copies.</summary>
    private void Allocate(IPreconditioner m)
    {
        int n = m.Rows;
        if (_rhs.Length == n && _x is not null && ReferenceEquals(_x.Device, m.Device)) return;
        _rhs = new double[n];
        _lhs = new double[n];
        _rhsVector = new DenseVector(_rhs);
        _lhsVector = new DenseVector(_lhs);
        _x?.Dispose();
        _y?.Dispose();
        bool onCpu = ReferenceEquals(m.Device, Device.Cpu);
        _x = onCpu ? CpuVector.Wrap(_rhs) : m.Device.Allocate(n);
        _y = onCpu ? CpuVector.Wrap(_lhs) : m.Device.Allocate(n);
        _staged = !onCpu;
    }
}
