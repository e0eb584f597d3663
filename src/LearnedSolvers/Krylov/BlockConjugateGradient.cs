using System.Diagnostics;
using LearnedSolvers.Devices;

namespace LearnedSolvers.Krylov;

/// <summary>
/// Block CG (O'Leary 1980; PCG with a preconditioner) on k right-hand sides: the columns share one block Krylov space,
/// so each column's error is minimized over the directions of all of them, and a family of k unrelated right-hand sides
/// converges in fewer iterations than k single solves (on 2D Poisson with 8 random columns about 1.8x fewer). Each
/// iteration is one block SpMV (<see cref="IBlockOperator"/>) with the Gram product PᵀAP, the residual update with the
/// Gram products that follow it, and one pass updating the solutions and forming the new directions, with the k × k
/// algebra on the host. On a CPU with 512-bit vectors up to eight columns iterate in interleaved blocks
/// (<see cref="IInterleavedBlockOperator"/>: one vector load and multiply-add per matrix entry for all columns).
/// <para>
/// The directions are kept out of breakdown as in breakdown-free block CG (Ji and Li 2017): the Gram matrix PᵀAP,
/// scaled to unit diagonal, is factored with diagonal pivoting, and when the directions have lost rank (equal or
/// dependent right-hand sides, a column solved exactly) the block is reduced to the directions that remain and
/// A-orthonormalized, so the step lengths never solve a singular system. A column that meets its tolerance leaves the
/// block (its x is not touched again) and the others go on with fewer columns, so each column's iteration count is
/// the iteration at which it converged. Stops are per column in PETSc's vocabulary, with the true residual recomputed
/// at the end; a breakdown of the whole block (a non-finite or indefinite Gram matrix) stops every column still in it.
/// </para>
/// <para>
/// A solver owns its workspace (column-major: residuals, preconditioned residuals, two direction and two product
/// blocks; interleaved: five [n, 8] blocks beside the residuals and one product block) and is
/// <see cref="IDisposable"/>; a warm <see cref="Solve"/>
/// with the same blocks allocates nothing but its results. One solve at a time: concurrent calls throw
/// <see cref="InvalidOperationException"/>.
/// </para>
/// </summary>
public sealed partial class BlockConjugateGradient : IDisposable
{
    /// <summary>Diagonal left in the unit-diagonal Gram matrix's Schur complement below which a direction counts as dependent.</summary>
    private const double RankTolerance = 1e-10;

    private readonly IBlockOperator _a;
    private readonly IPreconditioner? _preconditioner;
    private readonly IBlockVectorKernels _blocks;
    private readonly InterleavedBlocks? _interleaved;
    private readonly DeviceBuffer<double> _r, _z;
    private readonly DeviceBuffer<double>[] _p, _q;
    private readonly DeviceVector[] _rs, _zs;
    private readonly DeviceVector[][] _ps, _qs;
    // Views of the first s columns of each direction and product block, [buffer][s − 1], for the block SpMV.
    private readonly DeviceBuffer<double>[][] _pLeading, _qLeading;
    private readonly ConvergenceMonitor[] _monitors;
    private readonly StopReason?[] _stopped;
    private readonly string[] _messages;
    // The columns still iterating and their vectors, in block order.
    private readonly int[] _active, _kept, _activeBefore;
    private readonly DeviceVector[] _xa, _ra, _za, _gramBasis, _xBefore;
    private readonly double[] _gram, _scaled, _scale, _w, _c, _step, _negated, _transform, _products, _norms;
    private readonly PivotedCholesky _cholesky;
    private readonly CallerColumns _columns;
    private int _solving, _disposed;

    /// <param name="a">The SPD operator, applied to blocks (a matrix uploaded with <see cref="Device.Upload(Sparse.CsrMatrix)"/>).</param>
    /// <param name="columns">k: the right-hand sides each <see cref="Solve"/> takes.</param>
    /// <param name="preconditioner">A symmetric positive definite preconditioner, applied column by column; null for none.</param>
    /// <param name="options">Tolerances and iteration limit, per column.</param>
    public BlockConjugateGradient(IBlockOperator a, int columns, IPreconditioner? preconditioner = null, SolverOptions? options = null)
    {
        BlockColumns.CheckCg(a, columns, preconditioner);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(columns, MaxColumns);
        Options = options ?? SolverOptions.Default;
        Options.Validate();
        _a = a;
        _columns = new CallerColumns(a.Rows);
        _preconditioner = preconditioner;
        Columns = columns;
        var device = a.Device;
        _blocks = device.Kernels(IBlockVectorKernels.Family);
        int n = a.Rows, k = columns;
        _r = device.Allocate<double>(Shape.Block(n, k));
        _z = preconditioner is null ? _r : device.Allocate<double>(Shape.Block(n, k));
        // Two direction blocks and two product blocks: a new block is formed from the old one. Padded for the block SpMV.
        // Interleaved, the column-major product block only serves the first and the true residuals.
        var padded = Shape.PaddedBlock(n, k);
        _interleaved = k <= IInterleavedBlockOperator.Width && a is IInterleavedBlockOperator { SupportsInterleaved: true } op ? new InterleavedBlocks(op, n, preconditioner is not null) : null;
        _p = _interleaved is null ? [device.Allocate<double>(padded), device.Allocate<double>(padded)] : [];
        _q = _interleaved is null ? [device.Allocate<double>(padded), device.Allocate<double>(padded)] : [device.Allocate<double>(padded)];
        _rs = BlockColumns.Of(_r, n);
        _zs = BlockColumns.Of(_z, n);
        _ps = _p.Select(b => BlockColumns.Of(b, n)).ToArray();
        _qs = _q.Select(b => BlockColumns.Of(b, n)).ToArray();
        _pLeading = _p.Select(Leading).ToArray();
        _qLeading = _q.Select(Leading).ToArray();
        _monitors = new ConvergenceMonitor[k];
        for (int j = 0; j < k; j++) _monitors[j] = new ConvergenceMonitor();
        _stopped = new StopReason?[k];
        _messages = new string[k];
        _active = new int[k];
        _kept = new int[k];
        _activeBefore = new int[k];
        _xa = new DeviceVector[k];
        _xBefore = new DeviceVector[k];
        _ra = new DeviceVector[k];
        _za = new DeviceVector[k];
        _gramBasis = new DeviceVector[2 * k];
        _gram = new double[k * k];
        _scaled = new double[k * k];
        _scale = new double[k];
        _w = new double[k * k];
        _c = new double[k * k];
        _step = new double[k * k];
        _negated = new double[k * k];
        _transform = new double[k * k];
        _products = new double[2 * k * k];
        _norms = new double[k];
        _cholesky = new PivotedCholesky(k);
    }

    /// <summary>The most right-hand sides one solver takes: the host algebra is dense k × k.</summary>
    public const int MaxColumns = 256;

    public ILinearOperator Operator => _a;
    public SolverOptions Options { get; }

    /// <summary>k: the right-hand sides each solve takes.</summary>
    public int Columns { get; }

    private Device Device => _a.Device;

    /// <summary>
    /// Solves A X = B for the k columns of B ([k, n], <see cref="Shape.Block"/>); X holds the initial guesses on entry
    /// and the solutions on return.
    /// </summary>
    public BlockSolveResult Solve(DeviceBuffer<double> b, DeviceBuffer<double> x)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        int k = BlockSolves.CheckBlocks(_a, b, x);
        if (k != Columns) throw new ArgumentException($"b has {k} columns; this solver was built for {Columns}.", nameof(b));
        if (Interlocked.Exchange(ref _solving, 1) != 0)
            throw new InvalidOperationException("This solver is already solving on another thread; create one solver per thread (matrices and preconditioners may be shared, read-only).");
        try
        {
            return Run(b, x);
        }
        finally
        {
            Volatile.Write(ref _solving, 0);
        }
    }

    private BlockSolveResult Run(DeviceBuffer<double> b, DeviceBuffer<double> x)
    {
        var clock = Stopwatch.StartNew();
        _columns.View(b, x);
        var device = Device;

        // R = B − A X for all columns with one block product; columns that stop at once never join the block.
        _a.Apply(x, _q[0]);
        int active = 0;
        for (int j = 0; j < Columns; j++)
        {
            device.Waxpby(1, _columns.B[j], -1, _qs[0][j], _rs[j]);
            _messages[j] = "";
            _stopped[j] = BlockColumns.Start(device, _monitors[j], Options, _columns.B[j], _columns.X[j], _rs[j], out _);
            if (_stopped[j] is null) Join(active++, j);
        }
        if (active > 0)
        {
            if (_interleaved is not null) IterateInterleaved(active, _interleaved);
            else Iterate(active);
        }

        // The true residuals of the returned x, with one block product.
        _a.Apply(x, _q[0]);
        var results = new SolveResult[Columns];
        for (int j = 0; j < Columns; j++)
        {
            device.Waxpby(1, _columns.B[j], -1, _qs[0][j], _rs[j]);
            results[j] = BlockColumns.Finish(_monitors[j], Options, _stopped[j], device.Norm2(_rs[j]), clock.Elapsed, _messages[j]);
        }
        return new BlockSolveResult(results, clock.Elapsed);
    }

    /// <summary>Puts column j at block position a.</summary>
    private void Join(int a, int j)
    {
        _active[a] = j;
        _xa[a] = _columns.X[j];
        _ra[a] = _rs[j];
        _za[a] = _zs[j];
    }

    /// <summary>
    /// The block iteration over the <paramref name="active"/> columns joined; returns when every column has stopped.
    /// Three passes over the vectors per iteration: the block SpMV; the residual update with the Gram products that
    /// follow it (without a preconditioner); and the solution update with the new directions. The solution's update
    /// waits for the third pass, which reads the directions anyway.
    /// </summary>
    private void Iterate(int active)
    {
        var device = Device;
        int current = 0; // which of the two direction (and product) blocks holds the current ones
        Precondition(active);
        Device.MultiDotBlock(_ra, active, _za, active, _products, active);
        if (!ResidualProducts(active, 0, active, identity: true)) return;
        for (int a = 0; a < active; a++) device.Copy(_za[a], _ps[current][a]);
        int s = active; // directions in the block

        while (true)
        {
            // Q = A P and the Gram matrix G = PᵀAP, scaled to unit diagonal and factored with pivoting.
            _a.Apply(_pLeading[current][s - 1], _qLeading[current][s - 1]);
            device.MultiDotBlock(_ps[current], s, _qs[current], s, _gram, s);
            int rank = FactorGram(s, active);
            if (rank < 0) return;
            bool whitened = rank < s;
            if (whitened)
            {
                // The directions have lost rank: keep the span of the pivots, A-orthonormal (T = D Π L⁻ᵀ, TᵀGT = I).
                Whiten(s, rank, active);
                int next = 1 - current;
                device.LinearCombinations(_ps[current], s, _transform, s, _ps[next], rank);
                device.LinearCombinations(_qs[current], s, _transform, s, _qs[next], rank);
                current = next;
                s = rank;
            }
            else
            {
                // α = G⁻¹ PᵀR = D G̃⁻¹ D PᵀR.
                ScaledSolve(_w, s, active, _step);
            }
            if (!AllFinite(_step, s * active))
            {
                StopAll(active, StopReason.NaNOrInfinity, "the block step lengths are not finite");
                return;
            }

            // R −= Q α with the new residual norms (and, without a preconditioner, [Q R]ᵀR in the same pass).
            for (int i = 0; i < s * active; i++) _negated[i] = -_step[i];
            int before = active;
            Array.Copy(_xa, _xBefore, before);
            if (_preconditioner is null)
            {
                GramBasis(_qs[current], s, active);
                _blocks.AddCombinationsAndProject(_ra, _qs[current], s, _negated, active, _gramBasis, s + active, _products);
                for (int a = 0; a < active; a++) _norms[a] = _products[a * (s + active) + s + a];
            }
            else
                _blocks.AddCombinations(_ra, _qs[current], s, _negated, _ra, active, _norms);
            active = Record(active);

            // Z = M R; C = QᵀZ and the new PᵀR = ZᵀR (one Gram product with a preconditioner); β = −G⁻¹C.
            bool go = active > 0;
            if (go)
            {
                if (_preconditioner is null) go = ResidualProducts(active, s, before, identity: false);
                else
                {
                    Precondition(active);
                    GramBasis(_qs[current], s, active);
                    Device.MultiDotBlock(_gramBasis, s + active, _za, active, _products, s + active);
                    go = ResidualProducts(active, s, active, identity: true);
                }
            }
            if (go) go = DirectionCoefficients(whitened, s, active);

            // X += P α for the columns that were in this step; P ← Z + P β for those that go on.
            int other = 1 - current;
            _blocks.AddTwoCombinations(_ps[current], s, _xBefore, _step, before, _za, _negated, _ps[other], go ? active : 0);
            if (!go) return;
            current = other;
            s = active;
        }
    }

    /// <summary>[Q (s columns); R (the active columns)]: the vectors the residual's Gram products project on.</summary>
    private void GramBasis(DeviceVector[] q, int s, int active)
    {
        for (int i = 0; i < s; i++) _gramBasis[i] = q[i];
        for (int a = 0; a < active; a++) _gramBasis[s + a] = _ra[a];
    }

    /// <summary>Z = M R on the active columns (Z is R without a preconditioner).</summary>
    private void Precondition(int active)
    {
        if (_preconditioner is null) return;
        for (int a = 0; a < active; a++) _preconditioner.Apply(_ra[a], _za[a]);
    }

    /// <summary>
    /// Reads C = QᵀZ (s × active, into _c) and PᵀR = ZᵀR (active × active, into _w, symmetrized) from _products, the
    /// Gram product of [Q (s columns); R (the columns of the product)] with Z, one column per column of the product and
    /// leading dimension s + <paramref name="columns"/>. With <paramref name="identity"/> the product's columns are the
    /// active ones; otherwise they are the <paramref name="columns"/> that were active before <see cref="Record"/>, and
    /// _kept maps each active column to its place there. Stops the block and returns false when ZᵀR is not finite or,
    /// with a preconditioner, has a diagonal entry ≤ 0 (an indefinite preconditioner).
    /// </summary>
    private bool ResidualProducts(int active, int s, int columns, bool identity)
    {
        int ld = s + columns;
        for (int j = 0; j < active; j++)
        {
            int oj = identity ? j : _kept[j];
            for (int i = 0; i < s; i++) _c[j * s + i] = _products[oj * ld + i];
            for (int i = 0; i < active; i++)
            {
                int oi = identity ? i : _kept[i];
                _w[j * active + i] = 0.5 * (_products[oj * ld + s + oi] + _products[oi * ld + s + oj]);
            }
        }
        return CheckResidualProducts(active);
    }

    /// <summary>Stops the block and returns false when ZᵀR (in _w) is not finite or, with a preconditioner, has a diagonal entry ≤ 0.</summary>
    private bool CheckResidualProducts(int active)
    {
        for (int a = 0; a < active; a++)
        {
            double rz = _w[a * active + a];
            if (!double.IsFinite(rz))
            {
                StopAll(active, StopReason.NaNOrInfinity, "");
                return false;
            }
            if (_preconditioner is not null && rz <= 0)
            {
                StopAll(active, StopReason.IndefinitePreconditioner, "");
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Scales G (s × s, in _gram) to unit diagonal (_scale holds D, zero for a zero direction), symmetrizes it and factors
    /// it with pivoting; returns the rank, or −1 after stopping the block (non-finite, indefinite, or no direction left).
    /// </summary>
    private int FactorGram(int s, int active)
    {
        for (int i = 0; i < s; i++)
        {
            double g = _gram[i * s + i];
            if (!double.IsFinite(g))
            {
                StopAll(active, StopReason.NaNOrInfinity, "");
                return -1;
            }
            if (g < 0)
            {
                StopAll(active, StopReason.IndefiniteMatrix, "");
                return -1;
            }
            _scale[i] = g > 0 ? 1 / Math.Sqrt(g) : 0;
        }
        for (int j = 0; j < s; j++)
            for (int i = 0; i < s; i++)
                _scaled[j * s + i] = 0.5 * (_gram[j * s + i] + _gram[i * s + j]) * _scale[i] * _scale[j];
        int rank = _cholesky.Factor(_scaled, s, RankTolerance);
        if (rank < 0)
        {
            StopAll(active, StopReason.IndefiniteMatrix, "");
            return -1;
        }
        if (rank == 0)
        {
            StopAll(active, StopReason.Stagnation, "the block's search directions vanished (A-orthogonalization left none)");
            return -1;
        }
        return rank;
    }

    /// <summary>result = G⁻¹ rhs = D G̃⁻¹ D rhs for rhs s × m (column-major, leading dimension s).</summary>
    private void ScaledSolve(double[] rhs, int s, int m, double[] result)
    {
        for (int j = 0; j < m; j++)
            for (int i = 0; i < s; i++) result[j * s + i] = _scale[i] * rhs[j * s + i];
        _cholesky.Solve(result, m);
        for (int j = 0; j < m; j++)
            for (int i = 0; i < s; i++) result[j * s + i] *= _scale[i];
    }

    /// <summary>
    /// After a rank loss: T = D Π L⁻ᵀ (s × rank, into _transform), which keeps the span of the pivots A-orthonormal
    /// (TᵀGT = I), and the step lengths for the new directions, α = Tᵀ(PᵀR) (rank × active, into _step).
    /// </summary>
    private void Whiten(int s, int rank, int active)
    {
        _cholesky.Whitening(_transform);
        for (int c = 0; c < rank; c++)
            for (int i = 0; i < s; i++) _transform[c * s + i] *= _scale[i];
        for (int j = 0; j < active; j++)
            for (int c = 0; c < rank; c++)
            {
                double v = 0;
                for (int i = 0; i < s; i++) v += _transform[c * s + i] * _w[j * s + i];
                _step[j * rank + c] = v;
            }
    }

    /// <summary>
    /// β = −G⁻¹C (s × active, into _negated; G = I after a whitening); stops the block and returns false when β is not finite.
    /// </summary>
    private bool DirectionCoefficients(bool whitened, int s, int active)
    {
        if (whitened)
            for (int i = 0; i < s * active; i++) _negated[i] = -_c[i];
        else
        {
            ScaledSolve(_c, s, active, _negated);
            for (int i = 0; i < s * active; i++) _negated[i] = -_negated[i];
        }
        if (AllFinite(_negated, s * active)) return true;
        StopAll(active, StopReason.NaNOrInfinity, "the block direction coefficients are not finite");
        return false;
    }

    /// <summary>
    /// Records each active column's residual norm (in _norms) and takes the columns that stop out of the block;
    /// returns how many stay.
    /// </summary>
    private int Record(int active)
    {
        int kept = 0;
        for (int a = 0; a < active; a++)
        {
            int j = _active[a];
            var monitor = _monitors[j];
            double rNorm = Math.Sqrt(_norms[a]);
            monitor.Record(rNorm);
            StopReason? stop = null;
            if (!double.IsFinite(rNorm)) stop = StopReason.NaNOrInfinity;
            else if (monitor.IsConverged(rNorm)) stop = StopReason.ConvergedRelative;
            else if (monitor.HasDiverged) stop = StopReason.Diverged;
            else if (monitor.IterationsLeft <= 0) stop = StopReason.MaxIterations;
            _stopped[j] = stop;
            if (stop is null)
            {
                _kept[kept] = a;
                Join(kept++, j);
            }
        }
        return kept;
    }

    private void StopAll(int active, StopReason reason, string message)
    {
        for (int a = 0; a < active; a++)
        {
            _stopped[_active[a]] = reason;
            _messages[_active[a]] = message;
        }
    }

    private static bool AllFinite(double[] values, int count)
    {
        for (int i = 0; i < count; i++)
            if (!double.IsFinite(values[i])) return false;
        return true;
    }

    /// <summary>Views of the first s columns of a padded block, for s = 1 … k.</summary>
    private static DeviceBuffer<double>[] Leading(DeviceBuffer<double> block)
    {
        int k = block.Shape[0], ld = block.Shape[1];
        var views = new DeviceBuffer<double>[k];
        for (int s = 1; s <= k; s++) views[s - 1] = block.Range(0, s * ld).Reshape(new Shape(s, ld));
        return views;
    }

    /// <summary>Releases the workspace at once (idempotent).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _r.Dispose();
        if (!ReferenceEquals(_z, _r)) _z.Dispose();
        foreach (var block in _p) block.Dispose();
        foreach (var block in _q) block.Dispose();
        _interleaved?.Dispose();
        _columns.Forget();
    }
}
