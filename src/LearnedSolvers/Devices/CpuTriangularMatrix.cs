using LearnedSolvers.Sparse;

namespace LearnedSolvers.Devices;

/// <summary>
/// A triangular matrix on the CPU device, its rows rewritten once as <see cref="CpuSubstitutionRows"/>.
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
    private readonly CpuSubstitutionRows _rows;
    private readonly LevelJob _job;
    private readonly object _gate = new();

    /// <param name="device">The CPU device, whose worker team solves wide levels.</param>
    /// <param name="host">The matrix, read in place.</param>
    /// <param name="solveByLevel">Forces the level-by-level (true) or the row-order (false) solve; null chooses (see the remarks).</param>
    internal CpuTriangularMatrix(CpuDevice device, TriangularMatrix host, bool? solveByLevel = null) : base(device, host)
    {
        _team = device.Team;
        _rows = new CpuSubstitutionRows(host);
        _job = new LevelJob(_rows, host.Levels);
        SolvesByLevel = solveByLevel ?? LevelsPayOff(host.Levels, host.Size, _team.Parallelism);
    }

    private static bool LevelsPayOff(LevelSchedule levels, int size, int threads)
    {
        long wide = 0;
        for (int level = 0; level < levels.LevelCount; level++)
        {
            int width = levels.LevelStarts[level + 1] - levels.LevelStarts[level];
            if (width >= ParallelLevelRows) wide += width;
        }
        return threads > 1 && LevelOrderCost * ((double)wide / threads + (size - wide)) < size;
    }

    /// <summary>True when solves run level by level (wide levels on the team); false for one serial sweep in row order.</summary>
    internal bool SolvesByLevel { get; }

    public override void UpdateValues() => _rows.UpdateValues();

    public override void Solve(DeviceVector b, DeviceVector x)
    {
        CheckSolve(b, x);
        var bs = CpuVector.MemoryOf(b, nameof(CpuTriangularMatrix));
        var xs = CpuVector.MemoryOf(x, nameof(CpuTriangularMatrix));
        if (!SolvesByLevel)
        {
            _rows.Sweep(bs.Span, xs.Span);
            return;
        }
        var levels = Host.Levels;
        lock (_gate)
        {
            _job.B = bs;
            _job.X = xs;
            for (int level = 0; level < levels.LevelCount; level++)
            {
                int start = levels.LevelStarts[level], end = levels.LevelStarts[level + 1];
                if (end - start >= ParallelLevelRows)
                {
                    _job.Start = start;
                    _job.End = end;
                    _team.Run(_job, (end - start + RowsPerChunk - 1) / RowsPerChunk);
                }
                else
                {
                    _rows.SolveRows(levels.Rows, start, end, bs.Span, xs.Span);
                }
            }
            _job.B = _job.X = default;
        }
    }

    private sealed class LevelJob(CpuSubstitutionRows rows, LevelSchedule levels) : CpuChunkJob
    {
        public CpuMemory<double> B, X;
        public int Start, End;

        public override void RunChunk(int chunk)
        {
            int first = Start + chunk * RowsPerChunk;
            rows.SolveRows(levels.Rows, first, Math.Min(End, first + RowsPerChunk), B.Span, X.Span);
        }
    }
}
