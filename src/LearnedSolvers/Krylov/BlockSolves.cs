using System.Diagnostics;
using LearnedSolvers.Devices;

namespace LearnedSolvers.Krylov;

/// <summary>Solves with a block of right-hand sides on any solver: the columns one after another, sharing the solver's setup.</summary>
public static class BlockSolves
{
    /// <summary>
    /// Solves A X = B column by column with <paramref name="solver"/> (its setup and workspace serve every column).
    /// B and X are column-major blocks [k, n] (<see cref="Shape.Block"/>); X holds the initial guesses on entry and the
    /// solutions on return. For CG on many columns, <see cref="BlockConjugateGradient"/> shares each SpMV and one Krylov space.
    /// </summary>
    public static BlockSolveResult Solve(this ILinearSolver solver, DeviceBuffer<double> b, DeviceBuffer<double> x)
    {
        ArgumentNullException.ThrowIfNull(solver);
        int k = CheckBlocks(solver.Operator, b, x);
        var clock = Stopwatch.StartNew();
        var results = new SolveResult[k];
        for (int j = 0; j < k; j++) results[j] = solver.Solve(b.Column(j), x.Column(j));
        return new BlockSolveResult(results, clock.Elapsed);
    }

    /// <summary>Checks B and X against an n × n operator: blocks [k, n] of the same k, on its device, not the same buffer; returns k.</summary>
    internal static int CheckBlocks(ILinearOperator a, DeviceBuffer<double> b, DeviceBuffer<double> x)
    {
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(x);
        foreach (var (block, name) in new[] { (b, nameof(b)), (x, nameof(x)) })
        {
            if (!ReferenceEquals(block.Device, a.Device))
                throw new DeviceMismatchException($"{name} lives on device '{block.Device.Name}', but the operator on '{a.Device.Name}'.");
            if (block.Shape.Rank != 2 || block.Shape[1] != a.Rows)
                throw new ArgumentException($"{name} must be a block [k, {a.Rows}] (k columns of length {a.Rows}); its shape is {block.Shape}.", name);
        }
        if (b.Shape[0] != x.Shape[0]) throw new ArgumentException($"b has {b.Shape[0]} columns, x {x.Shape[0]}.", nameof(x));
        if (ReferenceEquals(b, x)) throw new ArgumentException("b and x must be different blocks.", nameof(x));
        return b.Shape[0];
    }
}
