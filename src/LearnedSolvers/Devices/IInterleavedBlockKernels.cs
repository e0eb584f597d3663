namespace LearnedSolvers.Devices;

/// <summary>
/// Kernels on interleaved blocks of eight columns (shape [n, 8], row i's eight entries in one 64-byte line; see
/// <see cref="IInterleavedBlockOperator"/>), for block Krylov methods with few right-hand sides: a row of a block times
/// an 8 × 8 coefficient matrix is eight broadcast multiply-adds, and Gram products accumulate while the rows are in
/// registers. Coefficient and Gram matrices are row-major 8 × 8 spans: m[t·8 + a] is row t, column a, so that
/// y_row ← y_row + u_row·M and gram[t·8 + a] = Σ_i U[i, t] Y[i, a]. CPU only: the family refuses ILGPU devices,
/// where column-major blocks and the block vector kernels serve.
/// </summary>
internal interface IInterleavedBlockKernels
{
    static readonly KernelFamily<IInterleavedBlockKernels> Family = new("interleaved block kernels", d => new CpuInterleavedBlockKernels(d),
        d => throw new NotSupportedException($"Interleaved blocks are a CPU layout; '{d.Name}' runs column-major blocks."));

    /// <summary>Lane j of <paramref name="block"/> ← column j for j &lt; count where columns[j] is not null; the other lanes ← 0.</summary>
    void Pack(IReadOnlyList<DeviceVector?> columns, int count, DeviceBuffer<double> block);

    /// <summary>Column j ← lane j of <paramref name="block"/> for j &lt; count.</summary>
    void Unpack(DeviceBuffer<double> block, IReadOnlyList<DeviceVector> columns, int count);

    /// <summary>Y ← Y + U M; then, for the spans that are not empty, uGram = UᵀY and yGram = YᵀY with the new Y.</summary>
    void Update(DeviceBuffer<double> y, DeviceBuffer<double> u, ReadOnlySpan<double> m, Span<double> uGram, Span<double> yGram);

    /// <summary>uGram = UᵀY and vGram = VᵀY in one pass.</summary>
    void Grams(DeviceBuffer<double> u, DeviceBuffer<double> v, DeviceBuffer<double> y, Span<double> uGram, Span<double> vGram);

    /// <summary>X ← X + P A and P ← Z E + P B in one pass (P in place: each row's new values from its old ones).</summary>
    void UpdatePair(DeviceBuffer<double> x, DeviceBuffer<double> p, DeviceBuffer<double> z, ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> e);

    /// <summary>Y ← Y T in place.</summary>
    void Transform(DeviceBuffer<double> y, ReadOnlySpan<double> t);
}
