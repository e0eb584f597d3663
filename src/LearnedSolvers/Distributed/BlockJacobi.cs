using LearnedSolvers.Devices;
using LearnedSolvers.Preconditioners;

namespace LearnedSolvers.Distributed;

/// <summary>
/// Block Jacobi across ranks: M = diag(M_0, …, M_{P−1}), where M_r is any preconditioner built on rank r's diagonal
/// block A_rr (its rows in its own columns) and applied to that rank's part of the vector. Entries coupling ranks are
/// dropped, so an application needs no communication and the setup is each rank's own; the price is a weaker
/// preconditioner as P grows (Saad, Iterative Methods, §12.2: the couplings dropped grow with the partition's cut).
/// With one rank it is the local preconditioner itself. Symmetric when the local one is (a block-diagonal matrix of
/// symmetric blocks), so PCG takes it with IC(0) blocks.
/// </summary>
public sealed class BlockJacobi : IPreconditioner, IDisposable
{
    private readonly DistributedDevice _device;
    private readonly IPreconditioner _local;

    /// <param name="a">The distributed matrix; its <see cref="DistributedCsrMatrix.DiagonalBlock"/> is what each rank factors (shared, not copied).</param>
    /// <param name="local">The factory of each rank's preconditioner; it must support the local device and produce a preconditioner.</param>
    /// <exception cref="UnsupportedDeviceException">The local factory does not run on the ranks' local device.</exception>
    /// <exception cref="ArgumentException">The local factory is "none" (no preconditioner) or is itself block Jacobi.</exception>
    /// <exception cref="ZeroPivotException">This rank's block met a zero or unusable pivot (named by its global row).</exception>
    public BlockJacobi(DistributedCsrMatrix a, IPreconditionerFactory local)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(local);
        if (local is BlockJacobiFactory) throw new ArgumentException("Block Jacobi's blocks are one rank's rows; its local preconditioner cannot be block Jacobi again.", nameof(local));
        _device = a.Ranks;
        local.Devices.Require(_device.Local, $"The local preconditioner '{local.Name}' of block Jacobi", nameof(local));
        try
        {
            _local = local.Create(a.DiagonalBlock)
                ?? throw new ArgumentException($"Block Jacobi needs a local preconditioner; '{local.Name}' gives none (choose ic0, ilu0, amg, ...).", nameof(local));
        }
        catch (ZeroPivotException e) when (e.Row >= 0)
        {
            // The block numbers its rows from 0; the user knows the matrix's rows.
            throw new ZeroPivotException($"block Jacobi on rank {_device.Communicator.Rank} ({local.Name} of its diagonal block)", _device.FirstRow + e.Row, e.Pivot);
        }
        LocalName = local.Name;
        Rows = Columns = a.Rows;
    }

    /// <summary>The registry name of each rank's preconditioner ("ic0").</summary>
    public string LocalName { get; }

    /// <summary>This rank's preconditioner, on the local device.</summary>
    public IPreconditioner Local => _local;

    public int Rows { get; }
    public int Columns { get; }

    /// <summary>The distributed device whose vectors it takes.</summary>
    public Device Device => _device;

    public bool IsLinear => _local.IsLinear;
    public bool IsSymmetric => _local.IsSymmetric;

    /// <summary>z_r = M_r r_r on every rank at once; no messages (every rank still calls it, as the solver's other steps are collective).</summary>
    public void Apply(DeviceVector x, DeviceVector y)
    {
        _device.Check(x, Columns, nameof(x));
        _device.Check(y, Rows, nameof(y));
        _local.Apply(_device.LocalOf(x, nameof(x)), _device.LocalOf(y, nameof(y)));
    }

    /// <summary>Releases the local preconditioner; the matrix is the caller's.</summary>
    public void Dispose() => (_local as IDisposable)?.Dispose();
}
