using LearnedSolvers.Devices;

namespace LearnedSolvers.Krylov;

public sealed partial class BlockConjugateGradient
{
    /// <summary>
    /// The block iteration on interleaved blocks (<see cref="IInterleavedBlockOperator"/>): the same algebra as
    /// <see cref="Iterate"/>, with X, R, Z, P and Q held as [n, 8] blocks. Lanes of X, R and Z are the columns; lanes
    /// of P and Q are the directions. A column that leaves the block keeps its lane; its coefficients are zero from then
    /// on. Three passes per iteration: the product with PᵀAP, the residual update with its Gram products (without a
    /// preconditioner), the solution and direction updates. The preconditioner takes columns, so with one R is unpacked
    /// to the column-major R and M R packed back each iteration.
    /// </summary>
    private void IterateInterleaved(int active, InterleavedBlocks blocks)
    {
        const int w = IInterleavedBlockOperator.Width;
        var rows = blocks.Rows;
        var (g1, g2, m1, m2, m3) = (blocks.First, blocks.Second, blocks.A, blocks.B, blocks.E);
        int k = Columns;
        rows.Pack(_columns.X, k, blocks.X);
        Precondition(active);
        // Only the active columns' residuals enter the lanes: a column stopped for NaN would spread it (NaN·0 is NaN).
        rows.Pack(ActiveLanes(_rs, active, blocks.Lanes), k, blocks.R);
        if (_preconditioner is not null) rows.Pack(ActiveLanes(_zs, active, blocks.Lanes), k, blocks.Z);
        rows.Grams(blocks.R, blocks.R, blocks.Z, g1, g2);
        if (!InterleavedResidualProducts(active, 0, g1, g1)) return;
        // P = Z on the active columns' lanes, in block order.
        Device.Copy(blocks.Z.AsVector(), blocks.P.AsVector());
        m3.AsSpan().Clear();
        for (int a = 0; a < active; a++) m3[_active[a] * w + a] = 1;
        rows.Transform(blocks.P, m3);
        int s = active;

        try
        {
            while (true)
            {
                blocks.Operator.ApplyInterleaved(blocks.P, blocks.Q, s, g1);
                for (int j = 0; j < s; j++)
                    for (int i = 0; i < s; i++) _gram[j * s + i] = g1[i * w + j];
                int rank = FactorGram(s, active);
                if (rank < 0) return;
                bool whitened = rank < s;
                if (whitened)
                {
                    Whiten(s, rank, active);
                    m1.AsSpan().Clear();
                    for (int c = 0; c < rank; c++)
                        for (int i = 0; i < s; i++) m1[i * w + c] = _transform[c * s + i];
                    rows.Transform(blocks.P, m1);
                    rows.Transform(blocks.Q, m1);
                    s = rank;
                }
                else ScaledSolve(_w, s, active, _step);
                if (!AllFinite(_step, s * active))
                {
                    StopAll(active, StopReason.NaNOrInfinity, "the block step lengths are not finite");
                    return;
                }

                // R ← R − Q α on the active lanes, with QᵀR and RᵀR (whose diagonal gives the norms) in the same pass.
                m1.AsSpan().Clear();
                for (int a = 0; a < active; a++)
                    for (int i = 0; i < s; i++) m1[i * w + _active[a]] = -_step[a * s + i];
                int before = active;
                Array.Copy(_active, _activeBefore, before);
                rows.Update(blocks.R, blocks.Q, m1, _preconditioner is null ? g1 : default, g2);
                for (int a = 0; a < active; a++) _norms[a] = g2[_active[a] * w + _active[a]];
                active = Record(active);

                bool go = active > 0;
                if (go && _preconditioner is not null)
                {
                    rows.Unpack(blocks.R, _rs, k);
                    Precondition(active);
                    rows.Pack(ActiveLanes(_zs, active, blocks.Lanes), k, blocks.Z);
                    rows.Grams(blocks.Q, blocks.R, blocks.Z, g1, g2);
                }
                if (go) go = InterleavedResidualProducts(active, s, g1, g2);
                if (go) go = DirectionCoefficients(whitened, s, active);

                // X ← X + P α on the lanes of this step; P ← Z E + P β for the columns that go on (E picks their lanes).
                m1.AsSpan().Clear();
                m2.AsSpan().Clear();
                m3.AsSpan().Clear();
                for (int a = 0; a < before; a++)
                    for (int i = 0; i < s; i++) m1[i * w + _activeBefore[a]] = _step[a * s + i];
                if (go)
                    for (int a = 0; a < active; a++)
                    {
                        m3[_active[a] * w + a] = 1;
                        for (int i = 0; i < s; i++) m2[i * w + a] = _negated[a * s + i];
                    }
                rows.UpdatePair(blocks.X, blocks.P, blocks.Z, m1, m2, m3);
                if (!go) return;
                s = active;
            }
        }
        finally
        {
            rows.Unpack(blocks.X, _columns.X, k);
        }
    }

    /// <summary>The active columns of <paramref name="columns"/> in their lanes, null elsewhere.</summary>
    private DeviceVector?[] ActiveLanes(DeviceVector[] columns, int active, DeviceVector?[] lanes)
    {
        Array.Clear(lanes);
        for (int a = 0; a < active; a++) lanes[_active[a]] = columns[_active[a]];
        return lanes;
    }

    /// <summary>
    /// C = QᵀZ (s × active, into _c) and PᵀR = ZᵀR (active × active, into _w, symmetrized) from the interleaved Gram
    /// products qz = QᵀZ and rz = RᵀZ (8 × 8, lanes); the checks of <see cref="ResidualProducts"/>.
    /// </summary>
    private bool InterleavedResidualProducts(int active, int s, double[] qz, double[] rz)
    {
        const int w = IInterleavedBlockOperator.Width;
        for (int j = 0; j < active; j++)
        {
            int lj = _active[j];
            for (int i = 0; i < s; i++) _c[j * s + i] = qz[i * w + lj];
            for (int i = 0; i < active; i++)
            {
                int li = _active[i];
                _w[j * active + i] = 0.5 * (rz[li * w + lj] + rz[lj * w + li]);
            }
        }
        return CheckResidualProducts(active);
    }

    /// <summary>The interleaved workspace: five [n, 8] blocks and the 8 × 8 coefficient and Gram matrices.</summary>
    private sealed class InterleavedBlocks : IDisposable
    {
        public InterleavedBlocks(IInterleavedBlockOperator op, int n, bool preconditioned)
        {
            Operator = op;
            var device = op.Device;
            Rows = device.Kernels(IInterleavedBlockKernels.Family);
            var shape = new Shape(n, IInterleavedBlockOperator.Width);
            X = device.Allocate<double>(shape);
            R = device.Allocate<double>(shape);
            Z = preconditioned ? device.Allocate<double>(shape) : R;
            P = device.Allocate<double>(shape);
            Q = device.Allocate<double>(shape);
        }

        public IInterleavedBlockOperator Operator { get; }
        public IInterleavedBlockKernels Rows { get; }
        public DeviceBuffer<double> X { get; }
        public DeviceBuffer<double> R { get; }
        public DeviceBuffer<double> Z { get; }
        public DeviceBuffer<double> P { get; }
        public DeviceBuffer<double> Q { get; }
        public double[] First { get; } = new double[64];
        public double[] Second { get; } = new double[64];
        public double[] A { get; } = new double[64];
        public double[] B { get; } = new double[64];
        public double[] E { get; } = new double[64];
        public DeviceVector?[] Lanes { get; } = new DeviceVector?[IInterleavedBlockOperator.Width];

        public void Dispose()
        {
            X.Dispose();
            R.Dispose();
            if (!ReferenceEquals(Z, R)) Z.Dispose();
            P.Dispose();
            Q.Dispose();
        }
    }
}
