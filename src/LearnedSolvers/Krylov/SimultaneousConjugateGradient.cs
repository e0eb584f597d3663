using System.Diagnostics;
using LearnedSolvers.Devices;
using LearnedSolvers.Krylov.Kernels;

namespace LearnedSolvers.Krylov;

/// <summary>
/// CG (PCG with a preconditioner) on k right-hand sides at once: k independent CG recurrences advanced in lockstep, so
/// that each iteration's k products A p_j are one block SpMV that reads A once (<see cref="IBlockOperator"/>). Each
/// column runs exactly the recurrence of <see cref="ConjugateGradient"/>, stops on its own criterion (a stopped
/// column's direction is zeroed and its x and r are left alone) and gets its own <see cref="SolveResult"/> with the true
/// residual recomputed at the end. Unlike block CG (O'Leary 1980) the columns do not share a Krylov space: iteration
/// counts are those of single solves, and no rank-deficiency can arise when columns converge at different times.
/// <para>
/// A solver owns its workspace (four blocks of k columns) and is <see cref="IDisposable"/>; a warm <see cref="Solve"/>
/// with the same blocks allocates nothing. One solve at a time: concurrent calls throw <see cref="InvalidOperationException"/>.
/// </para>
/// </summary>
public sealed class SimultaneousConjugateGradient : IDisposable
{
    private readonly IBlockOperator _a;
    private readonly IPreconditioner? _preconditioner;
    private readonly DeviceBuffer<double> _r, _z, _p, _q;
    private readonly DeviceVector[] _rs, _zs, _ps, _qs;
    private readonly ConvergenceMonitor[] _monitors;
    private readonly StopReason?[] _stopped;
    private readonly double[] _rz, _pq;
    private readonly IKrylovKernels _kernels;
    private readonly CallerColumns _columns;
    private int _solving, _disposed;

    /// <param name="a">The SPD operator, applied to blocks (a matrix uploaded with <see cref="Device.Upload(Sparse.CsrMatrix)"/>).</param>
    /// <param name="columns">k: the right-hand sides each <see cref="Solve"/> takes.</param>
    /// <param name="preconditioner">A symmetric positive definite preconditioner, applied column by column; null for none.</param>
    /// <param name="options">Tolerances and iteration limit, per column.</param>
    public SimultaneousConjugateGradient(IBlockOperator a, int columns, IPreconditioner? preconditioner = null, SolverOptions? options = null)
    {
        BlockColumns.CheckCg(a, columns, preconditioner);
        Options = options ?? SolverOptions.Default;
        Options.Validate();
        _a = a;
        _columns = new CallerColumns(a.Rows);
        _preconditioner = preconditioner;
        _kernels = a.Device.Kernels(IKrylovKernels.Family);
        Columns = columns;
        var device = a.Device;
        var shape = Shape.Block(a.Rows, columns);
        _r = device.Allocate<double>(shape);
        _z = preconditioner is null ? _r : device.Allocate<double>(shape);
        // The block product's operands, padded so that their columns do not share cache sets (Shape.PaddedBlock).
        _p = device.Allocate<double>(Shape.PaddedBlock(a.Rows, columns));
        _q = device.Allocate<double>(Shape.PaddedBlock(a.Rows, columns));
        _rs = BlockColumns.Of(_r, a.Rows);
        _zs = BlockColumns.Of(_z, a.Rows);
        _ps = BlockColumns.Of(_p, a.Rows);
        _qs = BlockColumns.Of(_q, a.Rows);
        _monitors = new ConvergenceMonitor[columns];
        for (int j = 0; j < columns; j++) _monitors[j] = new ConvergenceMonitor();
        _stopped = new StopReason?[columns];
        _rz = new double[columns];
        _pq = new double[columns];
    }

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

        // r = b − A x for all columns with one block product.
        _a.Apply(x, _q);
        for (int j = 0; j < Columns; j++)
        {
            device.Waxpby(1, _columns.B[j], -1, _qs[j], _rs[j]);
            _stopped[j] = Start(j);
            if (_stopped[j] is not null) device.Fill(_ps[j], 0);
        }

        while (Active())
        {
            _a.ApplyAndDot(_p, _q, _pq);
            for (int j = 0; j < Columns; j++)
            {
                if (_stopped[j] is not null) continue;
                _stopped[j] = Step(j);
                if (_stopped[j] is not null) device.Fill(_ps[j], 0); // A·0 = 0: the column rides along untouched
            }
        }

        // The true residuals of the returned x, with one block product.
        _a.Apply(x, _q);
        var results = new SolveResult[Columns];
        for (int j = 0; j < Columns; j++)
        {
            device.Waxpby(1, _columns.B[j], -1, _qs[j], _rs[j]);
            results[j] = BlockColumns.Finish(_monitors[j], Options, _stopped[j], device.Norm2(_rs[j]), clock.Elapsed);
        }
        return new BlockSolveResult(results, clock.Elapsed);
    }

    /// <summary>Starts column j on its residual r_j: records ‖r‖, z = M r, p = z; returns why it stops at once, if it does.</summary>
    private StopReason? Start(int j)
    {
        if (BlockColumns.Start(Device, _monitors[j], Options, _columns.B[j], _columns.X[j], _rs[j], out double rNorm) is { } stop) return stop;
        double rz = rNorm * rNorm;
        if (_preconditioner is not null)
        {
            _preconditioner.Apply(_rs[j], _zs[j]);
            rz = Device.Dot(_rs[j], _zs[j]);
            if (!double.IsFinite(rz)) return StopReason.NaNOrInfinity;
            if (rz <= 0) return StopReason.IndefinitePreconditioner;
        }
        _rz[j] = rz;
        Device.Copy(_zs[j], _ps[j]);
        return null;
    }

    /// <summary>One CG iteration of column j after the block product q_j = A p_j; returns why the column stops, if it does.</summary>
    private StopReason? Step(int j)
    {
        var monitor = _monitors[j];
        double pq = _pq[j];
        if (!double.IsFinite(pq)) return StopReason.NaNOrInfinity;
        if (pq <= 0) return StopReason.IndefiniteMatrix;
        double rNorm = Math.Sqrt(_kernels.UpdateWithNorm(_rz[j] / pq, _ps[j], _qs[j], _columns.X[j], _rs[j]));
        monitor.Record(rNorm);
        if (!double.IsFinite(rNorm)) return StopReason.NaNOrInfinity;
        if (monitor.IsConverged(rNorm)) return StopReason.ConvergedRelative;
        if (monitor.HasDiverged) return StopReason.Diverged;
        if (monitor.IterationsLeft <= 0) return StopReason.MaxIterations;
        double rzNext = rNorm * rNorm;
        if (_preconditioner is not null)
        {
            _preconditioner.Apply(_rs[j], _zs[j]);
            rzNext = Device.Dot(_rs[j], _zs[j]);
            if (!double.IsFinite(rzNext)) return StopReason.NaNOrInfinity;
            if (rzNext <= 0) return StopReason.IndefinitePreconditioner;
        }
        Device.Axpby(1, _zs[j], rzNext / _rz[j], _ps[j]);
        _rz[j] = rzNext;
        return null;
    }

    private bool Active()
    {
        foreach (var s in _stopped)
            if (s is null) return true;
        return false;
    }

    /// <summary>Releases the workspace at once (idempotent).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _r.Dispose();
        if (!ReferenceEquals(_z, _r)) _z.Dispose();
        _p.Dispose();
        _q.Dispose();
        _columns.Forget();
    }
}
