using LearnedSolvers.Devices;
using LearnedSolvers.Learned.Nn;

namespace LearnedSolvers.Learned.Dcdm;

/// <summary>
/// DCDM's unsupervised loss for a batch of right-hand sides b and network outputs q = f(b): the mean over the batch of
/// ‖b − s A q‖² with s = qᵀb / qᵀAq, the residual left by an exact line search along q (0 when q ∝ A⁻¹b). It is
/// invariant to the scale of q, so the network learns A⁻¹ up to scale. A must be symmetric (the gradient uses Aᵀ = A).
/// <para>
/// Gradient per sample, with u = A q, α = qᵀb, γ = qᵀu, r = b − s u and c = −2 rᵀu:
/// ∂L/∂q = −2s A r + c (b/γ − 2α u/γ²). A sample with γ ≤ 0 or non-finite scalars (q = 0, say) adds nothing and is
/// counted in <see cref="SkippedSamples"/>.
/// </para>
/// </summary>
public sealed class DcdmLoss : IDisposable
{
    private readonly SingleCsrMatrix _a;
    private readonly INetworkKernels _kernels;
    private readonly IBufferKernels _buffers;
    private Workspace? _work;

    public DcdmLoss(SingleCsrMatrix a)
    {
        _a = a ?? throw new ArgumentNullException(nameof(a));
        _kernels = a.Values.Device.Kernels(INetworkKernels.Family);
        _buffers = a.Values.Device.Kernels(IBufferKernels.Family);
    }

    /// <summary>Samples of the last call that added no gradient (γ ≤ 0 or non-finite).</summary>
    public int SkippedSamples { get; private set; }

    /// <summary>
    /// The mean loss over the batch; writes ∂(mean loss)/∂q to <paramref name="dq"/>. b, q and dq hold the same number of
    /// samples of <see cref="SingleCsrMatrix.Size"/> values each, in any shape ([N, 1, H, W] for the network).
    /// </summary>
    public double Evaluate(DeviceBuffer<float> b, DeviceBuffer<float> q, DeviceBuffer<float> dq)
    {
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(q);
        ArgumentNullException.ThrowIfNull(dq);
        int n = _a.Size;
        if (b.Length % n != 0 || b.Length == 0)
            throw new ArgumentException($"b has {b.Length} values, not a whole number of samples of {n}.", nameof(b));
        if (q.Length != b.Length) throw new ArgumentException($"q has {q.Length} values; b has {b.Length}.", nameof(q));
        if (dq.Length != b.Length) throw new ArgumentException($"dq has {dq.Length} values; b has {b.Length}.", nameof(dq));
        int batch = b.Length / n;
        var w = WorkspaceFor(batch, n);
        var bRows = b.Reshape(new Shape(batch, n));
        var qRows = q.Reshape(new Shape(batch, n));
        var dqRows = dq.Reshape(new Shape(batch, n));

        _a.Multiply(qRows, w.U);
        _kernels.RowDots(qRows, bRows, w.Alpha);
        _kernels.RowDots(qRows, w.U, w.Gamma);
        _buffers.Copy(bRows, w.R);
        for (int i = 0; i < batch; i++)
        {
            w.Scale[i] = w.Alpha[i] / w.Gamma[i];
            if (Usable(i, w)) _kernels.Axpby((float)-w.Scale[i], w.URows[i], 1, w.RRows[i]);
        }
        _kernels.RowDots(w.R, w.R, w.RR);
        _kernels.RowDots(w.R, w.U, w.RU);
        _a.Multiply(w.R, w.AR);

        double loss = 0;
        int used = 0;
        _buffers.Fill(dq, 0);
        for (int i = 0; i < batch; i++)
        {
            if (!Usable(i, w) || !double.IsFinite(w.RR[i]) || !double.IsFinite(w.RU[i])) continue;
            used++;
            loss += w.RR[i];
            double s = w.Scale[i], gamma = w.Gamma[i], alpha = w.Alpha[i], c = -2 * w.RU[i];
            var dqi = dqRows.Slice(i);
            _kernels.Axpby((float)(-2 * s / batch), w.ARRows[i], 0, dqi);
            _kernels.Axpby((float)(c / gamma / batch), bRows.Slice(i), 1, dqi);
            _kernels.Axpby((float)(-2 * c * alpha / (gamma * gamma) / batch), w.URows[i], 1, dqi);
        }
        SkippedSamples = batch - used;
        return used == 0 ? double.NaN : loss / batch;
    }

    private static bool Usable(int i, Workspace w) => w.Gamma[i] > 0 && double.IsFinite(w.Gamma[i]) && double.IsFinite(w.Alpha[i]);

    private Workspace WorkspaceFor(int batch, int n)
    {
        if (_work is not null && _work.Batch == batch) return _work;
        _work?.Dispose();
        return _work = new Workspace(_a.Values.Device, batch, n);
    }

    public void Dispose() => _work?.Dispose();

    /// <summary>Per-batch-size buffers and their row views.</summary>
    private sealed class Workspace : IDisposable
    {
        public Workspace(Device device, int batch, int n)
        {
            Batch = batch;
            var shape = new Shape(batch, n);
            U = device.Allocate<float>(shape);
            R = device.Allocate<float>(shape);
            AR = device.Allocate<float>(shape);
            URows = Rows(U, batch);
            RRows = Rows(R, batch);
            ARRows = Rows(AR, batch);
            Alpha = new double[batch];
            Gamma = new double[batch];
            RR = new double[batch];
            RU = new double[batch];
            Scale = new double[batch];
        }

        public int Batch { get; }
        public DeviceBuffer<float> U, R, AR;
        public DeviceBuffer<float>[] URows, RRows, ARRows;
        public double[] Alpha, Gamma, RR, RU, Scale;

        private static DeviceBuffer<float>[] Rows(DeviceBuffer<float> rows, int batch) => Enumerable.Range(0, batch).Select(rows.Slice).ToArray();

        public void Dispose()
        {
            U.Dispose();
            R.Dispose();
            AR.Dispose();
        }
    }
}
