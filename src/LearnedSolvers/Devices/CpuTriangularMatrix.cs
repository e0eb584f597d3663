using System.Numerics;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Devices;

/// <summary>
/// A triangular matrix on the CPU device, its rows rewritten once as <see cref="CpuSubstitutionRows{T}"/> (a second copy of
/// the values and pattern beside the host matrix's, which <see cref="UpdateValues"/> refreshes).
/// <para>
/// Two ways to solve, each row computing the same sum in the same order, so both give the same bits. A serial sweep in
/// row order reads the matrix and the vectors forwards. Level by level, a level of at least <see cref="ParallelLevelRows"/>
/// rows is split among the worker team in chunks of <see cref="RowsPerChunk"/> and narrower levels run on the calling
/// thread; but level order jumps across memory (a stencil's levels are anti-diagonals) and cannot keep x_{i∓1} in a
/// register, which makes a row about <see cref="LevelOrderCost"/> times slower than in the row-order sweep (IC(0) of a
/// 1M-row 3D Poisson matrix on a 2-core Xeon: 8.1 ms level by level on two threads against 2.6 ms for one thread's
/// sweep). Solves go level by level only where the team's threads pay for that: when
/// LevelOrderCost · (rows in wide levels / threads + rows in narrow levels) is below the row count. A 2D Poisson IC(0)
/// factor (levels of at most √n rows) always takes the serial sweep.
/// </para>
/// </summary>
internal sealed class CpuTriangularMatrix : DeviceTriangularMatrix
{
    /// <summary>Rows per parallel chunk: 1024 rows of a 3D stencil's factor take about 16 µs in level order (from the timings in the remarks), well above the team's dispatch cost.</summary>
    internal const int RowsPerChunk = 1024;

    /// <summary>The narrowest level the team solves: two chunks.</summary>
    internal const int ParallelLevelRows = 2 * RowsPerChunk;

    /// <summary>How many times longer a row takes in level order than in row order on one thread (see the remarks).</summary>
    internal const double LevelOrderCost = 6;

    private readonly CpuWorkerTeam _team;
    private readonly CpuSubstitutionRows<double>? _doubleRows;
    private readonly CpuSubstitutionRows<float>? _singleRows;
    private readonly LevelJob<double>? _doubleJob;
    private readonly LevelJob<float>? _singleJob;
    private readonly object _gate = new();

    /// <param name="device">The CPU device, whose worker team solves wide levels.</param>
    /// <param name="host">The matrix, rewritten once into <see cref="CpuSubstitutionRows{T}"/>.</param>
    /// <param name="solveByLevel">Forces the level-by-level (true) or the row-order (false) solve; null chooses (see the remarks).</param>
    /// <param name="precision">The precision of the values kept and of the vectors solved.</param>
    internal CpuTriangularMatrix(CpuDevice device, TriangularMatrix host, bool? solveByLevel = null, Precision precision = Precision.Double)
        : base(device, host, precision)
    {
        _team = device.Team;
        if (precision == Precision.Single)
        {
            _singleRows = new CpuSubstitutionRows<float>(host);
            _singleJob = new LevelJob<float>(_singleRows, host);
        }
        else
        {
            _doubleRows = new CpuSubstitutionRows<double>(host);
            _doubleJob = new LevelJob<double>(_doubleRows, host);
        }
        SolvesByLevel = solveByLevel ?? LevelsPayOff(host, _team.Parallelism);
    }

    private static bool LevelsPayOff(TriangularMatrix host, int threads)
    {
        // Even with every row in a wide level, LevelOrderCost · size / threads < size needs more threads than LevelOrderCost:
        // with fewer the sweep wins whatever the levels, and they are not computed at all.
        if (threads <= LevelOrderCost) return false;
        var levels = host.Levels;
        int size = host.Size;
        long wide = 0;
        for (int level = 0; level < levels.LevelCount; level++)
        {
            int width = levels.LevelStarts[level + 1] - levels.LevelStarts[level];
            if (width >= ParallelLevelRows) wide += width;
        }
        return LevelOrderCost * ((double)wide / threads + (size - wide)) < size;
    }

    /// <summary>True when solves run level by level (wide levels on the team); false for one serial sweep in row order.</summary>
    internal bool SolvesByLevel { get; }

    public override void UpdateValues()
    {
        _doubleRows?.UpdateValues();
        _singleRows?.UpdateValues();
    }

    public override void Solve(DeviceVector b, DeviceVector x)
    {
        CheckSolve(b, x);
        Solve(_doubleRows!, _doubleJob!, CpuVector.MemoryOf(b, nameof(CpuTriangularMatrix)), CpuVector.MemoryOf(x, nameof(CpuTriangularMatrix)));
    }

    public override void Solve(DeviceBuffer<float> b, DeviceBuffer<float> x)
    {
        CheckSolve(b, x);
        Solve(_singleRows!, _singleJob!, CpuBuffer<float>.MemoryOf(b), CpuBuffer<float>.MemoryOf(x));
    }

    private void Solve<T>(CpuSubstitutionRows<T> rows, LevelJob<T> job, CpuMemory<T> b, CpuMemory<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T threshold = CpuSubstitutionRows<T>.Threshold(b.Span);
        if (!SolvesByLevel)
        {
            rows.Sweep(b.Span, x.Span, threshold);
            return;
        }
        var levels = Host.Levels;
        lock (_gate)
        {
            job.B = b;
            job.X = x;
            job.Threshold = threshold;
            for (int level = 0; level < levels.LevelCount; level++)
            {
                int start = levels.LevelStarts[level], end = levels.LevelStarts[level + 1];
                if (end - start >= ParallelLevelRows)
                {
                    job.Start = start;
                    job.End = end;
                    _team.Run(job, (end - start + RowsPerChunk - 1) / RowsPerChunk);
                }
                else
                {
                    rows.SolveRows(levels.Rows, start, end, b.Span, x.Span, threshold);
                }
            }
            job.B = job.X = default;
        }
    }

    private sealed class LevelJob<T>(CpuSubstitutionRows<T> rows, TriangularMatrix host) : CpuChunkJob where T : unmanaged, IFloatingPointIeee754<T>
    {
        public CpuMemory<T> B, X;
        public T Threshold;
        public int Start, End;

        public override void RunChunk(int chunk)
        {
            int first = Start + chunk * RowsPerChunk;
            rows.SolveRows(host.Levels.Rows, first, Math.Min(End, first + RowsPerChunk), B.Span, X.Span, Threshold);
        }
    }
}
