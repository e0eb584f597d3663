using LearnedSolvers.Devices;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Multigrid;

/// <summary>One level of a hierarchy: its operator, the transfers to the next coarser level, its smoother or direct solve, and its vectors.</summary>
internal sealed class MultigridLevel : IDisposable
{
    /// <param name="matrix">A_l on the host.</param>
    /// <param name="device">Where the cycle runs.</param>
    /// <param name="uploaded">A_l already on <paramref name="device"/> and owned by the caller (the finest level shares the solver's A), or null to upload it here.</param>
    public MultigridLevel(CsrMatrix matrix, Device device, DeviceCsrMatrix? uploaded = null)
    {
        Matrix = matrix;
        _ownsOperator = uploaded is null;
        Operator = uploaded ?? device.Upload(matrix);
        RightHandSide = device.Allocate(matrix.Rows);
        Solution = device.Allocate(matrix.Rows);
        Residual = device.Allocate(matrix.Rows);
    }

    private readonly bool _ownsOperator;

    public CsrMatrix Matrix { get; }
    public DeviceCsrMatrix Operator { get; }

    /// <summary>P: the next coarser level's vectors to this one's (null on the coarsest level).</summary>
    public DeviceCsrMatrix? Prolongation { get; set; }

    /// <summary>R = Pᵀ: this level's residual to the next coarser right-hand side.</summary>
    public DeviceCsrMatrix? Restriction { get; set; }

    public ISmoother? Smoother { get; set; }
    /// <summary>The coarsest level's factorization (null elsewhere, and on a coarsest level too large to factor).</summary>
    public SparseCoarseSolver? CoarseSolver { get; set; }

    /// <summary>Why the coarsest level is smoothed rather than factored (null when factored, and on other levels).</summary>
    public string? SmoothedBecause { get; set; }

    /// <summary>Holds the device copy of 1/a_ii for the smoothers that need it.</summary>
    public DeviceVector? InverseDiagonal { get; set; }

    /// <summary>b and x of this level's cycle (unused on the finest level, which works on the caller's vectors).</summary>
    public DeviceVector RightHandSide { get; }
    public DeviceVector Solution { get; }

    /// <summary>Scratch: the residual before restriction, then the prolongated correction.</summary>
    public DeviceVector Residual { get; }

    public void Dispose()
    {
        if (_ownsOperator) Operator.Dispose();
        Prolongation?.Dispose();
        Restriction?.Dispose();
        Smoother?.Dispose();
        CoarseSolver?.Dispose();
        InverseDiagonal?.Dispose();
        RightHandSide.Dispose();
        Solution.Dispose();
        Residual.Dispose();
    }
}
