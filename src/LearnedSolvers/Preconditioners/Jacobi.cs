using LearnedSolvers.Devices;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Preconditioners;

/// <summary>Jacobi (diagonal scaling): z = D⁻¹ r. Runs on any device; setup stores 1/a_ii there.</summary>
public sealed class Jacobi : IRefreshablePreconditioner, IDiagonalScaling, IDisposable
{
    private readonly DeviceVector _inverseDiagonal;

    public Jacobi(CsrMatrix a, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!a.IsSquare) throw new ArgumentException($"Jacobi needs a square matrix; this one is {a.Rows} x {a.Columns}.", nameof(a));
        Device = device ?? Device.Cpu;
        Rows = Columns = a.Rows;
        _inverseDiagonal = Device.Allocate(a.Rows);
        UpdateValues(a);
    }

    /// <summary>D⁻¹: <see cref="Apply"/> is exactly this scaling, so solvers may fuse it into their own kernels.</summary>
    public DeviceVector Scaling => _inverseDiagonal;

    public int Rows { get; }
    public int Columns { get; }
    public Device Device { get; }
    public bool IsLinear => true;

    /// <summary>Symmetric always; positive definite when the diagonal is positive (as for an SPD matrix).</summary>
    public bool IsSymmetric => true;

    /// <summary>Recomputes the scaling for new values on the same pattern.</summary>
    public void UpdateValues(CsrMatrix a)
    {
        if (a.Rows != Rows || a.Columns != Columns) throw new ArgumentException($"The matrix is {a.Rows} x {a.Columns}; this preconditioner was built for {Rows} x {Columns}.", nameof(a));
        var d = a.Diagonal();
        for (int i = 0; i < d.Length; i++)
        {
            if (d[i] == 0) throw new ZeroPivotException(nameof(Jacobi), i, d[i], diagonal: true);
            d[i] = 1.0 / d[i];
        }
        _inverseDiagonal.CopyFrom(d);
    }

    public void Apply(DeviceVector x, DeviceVector y)
    {
        Device.Check(x, Rows, nameof(x));
        Device.Check(y, Rows, nameof(y));
        Device.PointwiseMultiply(_inverseDiagonal, x, y);
    }

    public void Dispose() => _inverseDiagonal.Dispose();
}
