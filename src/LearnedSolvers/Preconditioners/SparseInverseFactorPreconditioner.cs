using LearnedSolvers.Devices;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Preconditioners;

/// <summary>
/// Applies a <see cref="SparseInverseFactor"/> on any device: z = Gᵀ (G r), two sparse matrix–vector products where the
/// matrix lives. Gᵀ is stored explicitly (its own CSR arrays) so that both products are row-parallel SpMVs with no
/// atomics, which run at SpMV speed on a GPU, unlike the level-scheduled triangular solves of IC(0). G and Gᵀ are
/// uploaded once; <see cref="UpdateValues"/> takes new values of G on the same pattern into the same memory, Gᵀ's
/// through a stored permutation. A warm <see cref="Apply"/> allocates nothing; it holds G x in one vector of its own, so
/// one application runs at a time.
/// </summary>
public sealed class SparseInverseFactorPreconditioner : IPreconditioner, IDisposable
{
    private readonly CsrMatrix _transpose;
    private readonly int[] _transposeEntry;  // entry k of G → its place in Gᵀ
    private readonly DeviceCsrMatrix _g;
    private readonly DeviceCsrMatrix _gt;
    private readonly DeviceVector _gx;

    /// <param name="factor">The factor; its arrays are read now and again by <see cref="UpdateValues"/>.</param>
    /// <param name="device">Where the products run (default: the CPU device).</param>
    public SparseInverseFactorPreconditioner(SparseInverseFactor factor, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(factor);
        Factor = factor;
        Device = device ?? Device.Cpu;
        Rows = Columns = factor.Size;
        var g = factor.G;
        int n = g.Rows;
        _transpose = g.Transpose(out _transposeEntry);
        var uploaded = new List<IDisposable>(3);
        try
        {
            _g = Device.Upload(g);
            uploaded.Add(_g);
            _gt = Device.Upload(_transpose);
            uploaded.Add(_gt);
            _gx = Device.Allocate(n);
        }
        catch
        {
            foreach (var d in uploaded) d.Dispose();
            throw;
        }
    }

    /// <summary>The factor applied.</summary>
    public SparseInverseFactor Factor { get; }

    /// <summary>Gᵀ as stored for the second product (host copy; its values follow <see cref="UpdateValues"/>).</summary>
    public CsrMatrix TransposedG => _transpose;

    public int Rows { get; }
    public int Columns { get; }
    public Device Device { get; }
    public bool IsLinear => true;

    /// <summary>Gᵀ G is symmetric, and positive definite for G with a positive diagonal.</summary>
    public bool IsSymmetric => true;

    /// <summary>Takes the values now in <see cref="Factor"/>'s G (rewritten in place on the same pattern) onto the device, with Gᵀ's.</summary>
    /// <exception cref="ZeroPivotException">A diagonal entry of G is not positive.</exception>
    public void UpdateValues()
    {
        Factor.CheckDiagonal();
        ScatterTranspose();
        _g.UpdateValues();
        _gt.UpdateValues();
    }

    private void ScatterTranspose()
    {
        var values = Factor.G.Values;
        var transposed = _transpose.Values;
        for (int k = 0; k < _transposeEntry.Length; k++) transposed[_transposeEntry[k]] = values[k];
    }

    /// <summary>y = Gᵀ (G x); y may be x.</summary>
    public void Apply(DeviceVector x, DeviceVector y)
    {
        Device.Check(x, Rows, nameof(x));
        Device.Check(y, Rows, nameof(y));
        _g.Apply(x, _gx);
        _gt.Apply(_gx, y);
    }

    /// <summary>Frees the device copies of G and Gᵀ and the temporary vector.</summary>
    public void Dispose()
    {
        _g.Dispose();
        _gt.Dispose();
        _gx.Dispose();
    }
}
