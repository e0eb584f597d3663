using System.Diagnostics;
using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Problems;

namespace LearnedSolvers.Benchmarks;

/// <summary>
/// `-- rhs [grid] [k] [rounds] [rtol]`: many right-hand sides on 2D Poisson grid² (default 1024² = 1M unknowns, k = 8,
/// rtol 1e-8 (NaN: SpMV only), no preconditioner, CPU device): one SpMV against one block SpMV of k columns, column-major,
/// padded and (k = 8) interleaved, with and without the Gram product block CG fuses into it (median of 30 each), and k
/// single CG solves against one <see cref="SimultaneousConjugateGradient"/> solve and one <see cref="BlockConjugateGradient"/>
/// solve of the same k columns. The runs
/// alternate for <c>rounds</c> rounds; best and median times are reported (this VM's timings vary by ±20%).
/// </summary>
public static class RightHandSidesReport
{
    public static void Run(int grid, int k, int rounds, double rtol)
    {
        var device = Device.Cpu;
        var a = Poisson.TwoD(grid).Matrix;
        int n = a.Rows;
        using var matrix = device.Upload(a);
        var random = new Random(1);
        var b = new double[n * k];
        for (int i = 0; i < b.Length; i++) b[i] = random.NextDouble() - 0.5;
        using var bs = device.Upload<double>(b, Shape.Block(n, k));
        using var xs = device.Allocate<double>(Shape.Block(n, k));
        var options = new SolverOptions(RelativeTolerance: double.IsNaN(rtol) ? 1e-8 : rtol, MaxIterations: 100_000, RecordHistory: false);
        using var single = new ConjugateGradient(matrix, options: options);
        using var simultaneous = new SimultaneousConjugateGradient(matrix, k, options: options);
        using var blockCg = new BlockConjugateGradient(matrix, k, options: options);
        var columnsB = Enumerable.Range(0, k).Select(j => bs.Column(j)).ToArray();
        var columnsX = Enumerable.Range(0, k).Select(j => xs.Column(j)).ToArray();
        // The same blocks with padded columns (Shape.PaddedBlock), as SimultaneousConjugateGradient keeps its operands.
        using var paddedB = device.Allocate<double>(Shape.PaddedBlock(n, k));
        using var paddedX = device.Allocate<double>(Shape.PaddedBlock(n, k));
        for (int j = 0; j < k; j++) device.Copy(columnsB[j], paddedB.Column(j, n));
        // The interleaved layout block CG iterates in (eight columns, row i's entries in one cache line), with its Gram product.
        var interleaved = matrix as IInterleavedBlockOperator is { SupportsInterleaved: true } op && k == IInterleavedBlockOperator.Width ? op : null;
        using var interleavedX = device.Allocate<double>(new Shape(n, IInterleavedBlockOperator.Width));
        using var interleavedY = device.Allocate<double>(new Shape(n, IInterleavedBlockOperator.Width));
        device.Copy(bs.AsVector(), interleavedX.AsVector());
        var gram = new double[64];

        Console.WriteLine($"# {k} right-hand sides, 2D Poisson {grid}² ({n:N0} unknowns), CG rtol {rtol:G2}, no preconditioner, cpu ({Environment.ProcessorCount} cores), {DateTime.UtcNow:yyyy-MM-dd}, {rounds} rounds");
        var spmv = new List<double>();
        var blockSpmv = new List<double>();
        var paddedSpmv = new List<double>();
        var interleavedSpmv = new List<double>();
        var interleavedGramSpmv = new List<double>();
        var singles = new List<double>();
        var together = new List<double>();
        var blocked = new List<double>();
        int singleIterations = 0, togetherIterations = 0, blockIterations = 0;
        for (int round = 0; round < rounds; round++)
        {
            spmv.Add(Median(30, () => matrix.Apply(columnsB[0], columnsX[0])));
            blockSpmv.Add(Median(30, () => matrix.Apply(bs, xs)));
            paddedSpmv.Add(Median(30, () => matrix.Apply(paddedB, paddedX)));
            if (interleaved is not null)
            {
                interleavedSpmv.Add(Median(30, () => interleaved.ApplyInterleaved(interleavedX, interleavedY, k, [])));
                interleavedGramSpmv.Add(Median(30, () => interleaved.ApplyInterleaved(interleavedX, interleavedY, k, gram)));
            }
            if (double.IsNaN(rtol)) continue;

            device.Fill(xs.AsVector(), 0);
            var clock = Stopwatch.StartNew();
            singleIterations = 0;
            for (int j = 0; j < k; j++)
            {
                var result = single.Solve(columnsB[j], columnsX[j]);
                if (!result.Converged) throw new InvalidOperationException($"Single CG, column {j}: {result}");
                singleIterations += result.Iterations;
            }
            singles.Add(clock.Elapsed.TotalSeconds);

            device.Fill(xs.AsVector(), 0);
            clock.Restart();
            var block = simultaneous.Solve(bs, xs);
            together.Add(clock.Elapsed.TotalSeconds);
            if (!block.Converged) throw new InvalidOperationException($"Simultaneous CG: {block}");
            togetherIterations = block.Columns.Sum(c => c.Iterations);

            device.Fill(xs.AsVector(), 0);
            clock.Restart();
            var shared = blockCg.Solve(bs, xs);
            blocked.Add(clock.Elapsed.TotalSeconds);
            if (!shared.Converged) throw new InvalidOperationException($"Block CG: {shared}");
            blockIterations = shared.MaxIterations;
            Console.Error.WriteLine($"round {round + 1}: SpMV {spmv[^1] * 1e3:F2} ms, block {blockSpmv[^1] * 1e3:F2} ms, padded {paddedSpmv[^1] * 1e3:F2} ms; {k} CG solves {singles[^1]:F2} s, simultaneous {together[^1]:F2} s, block CG {blocked[^1]:F2} s");
        }
        Console.WriteLine("| measurement | best | median | ratio (best) | ratio (median) |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        Console.WriteLine($"| one SpMV (ms) | {spmv.Min() * 1e3:F2} | {Mid(spmv) * 1e3:F2} | 1 | 1 |");
        Console.WriteLine($"| block SpMV, {k} columns (ms) | {blockSpmv.Min() * 1e3:F2} | {Mid(blockSpmv) * 1e3:F2} | {blockSpmv.Min() / spmv.Min():F2}x | {Mid(blockSpmv) / Mid(spmv):F2}x |");
        Console.WriteLine($"| block SpMV, {k} padded columns (ms) | {paddedSpmv.Min() * 1e3:F2} | {Mid(paddedSpmv) * 1e3:F2} | {paddedSpmv.Min() / spmv.Min():F2}x | {Mid(paddedSpmv) / Mid(spmv):F2}x |");
        if (interleavedSpmv.Count > 0)
        {
            Console.WriteLine($"| block SpMV, {k} interleaved columns (ms) | {interleavedSpmv.Min() * 1e3:F2} | {Mid(interleavedSpmv) * 1e3:F2} | {interleavedSpmv.Min() / spmv.Min():F2}x | {Mid(interleavedSpmv) / Mid(spmv):F2}x |");
            Console.WriteLine($"| block SpMV, {k} interleaved columns, with XᵀAX (ms) | {interleavedGramSpmv.Min() * 1e3:F2} | {Mid(interleavedGramSpmv) * 1e3:F2} | {interleavedGramSpmv.Min() / spmv.Min():F2}x | {Mid(interleavedGramSpmv) / Mid(spmv):F2}x |");
        }
        if (double.IsNaN(rtol)) return;
        Console.WriteLine($"| {k} single CG solves (s), {singleIterations:N0} iterations | {singles.Min():F2} | {Mid(singles):F2} | 1 | 1 |");
        Console.WriteLine($"| simultaneous CG, {k} columns (s), {togetherIterations:N0} iterations | {together.Min():F2} | {Mid(together):F2} | {together.Min() / singles.Min():F2}x | {Mid(together) / Mid(singles):F2}x |");
        Console.WriteLine($"| block CG, {k} columns (s), {blockIterations:N0} block iterations | {blocked.Min():F2} | {Mid(blocked):F2} | {blocked.Min() / singles.Min():F2}x | {Mid(blocked) / Mid(singles):F2}x |");
    }

    private static double Median(int repeats, Action action)
    {
        action();
        var times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        return Mid(times);
    }

    private static double Mid(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
