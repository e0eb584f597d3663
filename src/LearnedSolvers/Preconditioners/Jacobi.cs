using LearnedSolvers.Devices;
using LearnedSolvers.Distributed;
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

    /// <summary>
    /// Jacobi on a row-distributed matrix: each rank takes 1/a_ii from its own diagonal block, so neither setup nor
    /// application sends a message.
    /// </summary>
    /// <exception cref="ZeroPivotException">A diagonal entry is zero (named by its global row).</exception>
    public Jacobi(DistributedCsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        Device = a.Device;
        Rows = Columns = a.Rows;
        var d = a.DiagonalBlock.Host.Diagonal();
        for (int i = 0; i < d.Length; i++)
        {
            if (d[i] == 0) throw new ZeroPivotException(nameof(Jacobi), a.Ranks.FirstRow + i, d[i], diagonal: true);
            d[i] = 1.0 / d[i];
        }
        _inverseDiagonal = Device.Allocate(a.Rows);
        a.Ranks.LocalOf(_inverseDiagonal, nameof(a)).CopyFrom(d);
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
