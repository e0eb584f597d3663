using System.Globalization;
using System.Text;
using LearnedSolvers.Devices;
using LearnedSolvers.Direct;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Multigrid;

/// <summary>
/// A multigrid hierarchy after setup: operators A_0 (finest) … A_L, prolongations P_l from level l+1 to l with
/// restriction R_l = P_lᵀ and Galerkin coarse operators A_{l+1} = P_lᵀ A_l P_l, a smoother per level and a sparse
/// direct solve on the coarsest (<see cref="MaxDirectSize"/>). Built by <see cref="GeometricMultigrid"/> or <see cref="SmoothedAggregationAmg"/>;
/// applied as one cycle by <see cref="MultigridPreconditioner"/> or iterated by <see cref="MultigridSolver"/>.
/// Every cycle vector is allocated here, once.
/// </summary>
public sealed class MultigridHierarchy : IDisposable
{
    private readonly MultigridLevel[] _levels;
    private bool _disposed;

    /// <param name="matrices">A_0 … A_L.</param>
    /// <param name="prolongations">P_0 … P_{L−1}; P_l has A_l's rows and A_{l+1}'s columns.</param>
    /// <param name="options">Cycle and smoother settings (already validated).</param>
    /// <param name="device">Where the cycle runs.</param>
    /// <param name="method">The builder's name, for the summary.</param>
    /// <param name="setupTime">The time the builder took.</param>
    /// <param name="finestOperator">A_0 already on <paramref name="device"/>, shared with the caller (who keeps ownership), or null to upload A_0 here.</param>
    internal MultigridHierarchy(IReadOnlyList<CsrMatrix> matrices, IReadOnlyList<CsrMatrix> prolongations, MultigridOptions options, Device device, string method, TimeSpan setupTime,
        DeviceCsrMatrix? finestOperator = null)
    {
        Options = options;
        Device = device;
        Method = method;
        SetupTime = setupTime;
        _levels = new MultigridLevel[matrices.Count];
        try
        {
            for (int l = 0; l < matrices.Count; l++)
            {
                var level = _levels[l] = new MultigridLevel(matrices[l], device, l == 0 ? finestOperator : null);
                if (l == matrices.Count - 1)
                {
                    SetUpCoarsest(level, options, device);
                    continue;
                }
                level.Prolongation = device.Upload(prolongations[l]);
                level.Restriction = device.Upload(prolongations[l].Transpose());
                level.Smoother = CreateSmoother(level, options, device);
            }
        }
        catch
        {
            // The factors may hold native memory and the levels device buffers: nothing waits for a finalizer.
            Dispose();
            throw;
        }
    }

    /// <summary>
    /// The coarsest level is factored up to this many rows; a larger one (coarsening stalled, or
    /// <see cref="MultigridOptions.MaxLevels"/> stopped it) is smoothed instead, as is one whose factors would exceed
    /// <see cref="MultigridOptions.CoarseMemoryLimitBytes"/>. Measured with CHOLMOD (2 cores): 2-D Poisson with 49,729
    /// rows factors in 0.13 s to 1.3 million factor entries (fill 11); 3-D Poisson with 46,656 rows in 2.7 s to 9.2
    /// million (fill 58, about 110 MB).
    /// </summary>
    public const int MaxDirectSize = 50_000;

    /// <summary>Sweeps each way on a coarsest level too large to factor.</summary>
    public const int CoarseSweeps = 10;

    public MultigridOptions Options { get; }
    public Device Device { get; }

    /// <summary>"geometric" or "smoothed aggregation".</summary>
    public string Method { get; }

    public TimeSpan SetupTime { get; }
    public int LevelCount => _levels.Length;

    /// <summary>The finest operator A_0 on the device (the caller's matrix when the hierarchy was built from a <see cref="DeviceCsrMatrix"/>).</summary>
    public DeviceCsrMatrix FinestOperator => _levels[0].Operator;

    /// <summary>The coarsest level's factorization; null when that level is smoothed instead.</summary>
    internal SparseCoarseSolver? CoarseSolver => _levels[^1].CoarseSolver;

    /// <summary>Rows and stored entries per level, finest first.</summary>
    public IReadOnlyList<(int Rows, int NonZeros)> Levels => _levels.Select(l => (l.Matrix.Rows, l.Matrix.NonZeros)).ToArray();

    /// <summary>Σ_l nnz(A_l) / nnz(A_0): the memory and per-cycle work relative to the finest operator.</summary>
    public double OperatorComplexity => _levels.Sum(l => (double)l.Matrix.NonZeros) / _levels[0].Matrix.NonZeros;

    /// <summary>Σ_l rows(A_l) / rows(A_0).</summary>
    public double GridComplexity => _levels.Sum(l => (double)l.Matrix.Rows) / _levels[0].Matrix.Rows;

    /// <summary>True when one cycle is a symmetric operator (V or W cycle with equal pre- and post-sweeps), as CG needs.</summary>
    public bool IsSymmetric => Options.IsSymmetricCycle;

    /// <summary>x ← one cycle applied to b from a zero initial guess (the preconditioner action x ≈ A⁻¹b).</summary>
    public void Cycle(DeviceVector b, DeviceVector x)
    {
        Device.Check(b, _levels[0].Matrix.Rows, nameof(b));
        Device.Check(x, _levels[0].Matrix.Rows, nameof(x));
        Run(0, b, x, Options.Cycle, zeroGuess: true);
    }

    private void Run(int l, DeviceVector b, DeviceVector x, CycleKind kind, bool zeroGuess)
    {
        var level = _levels[l];
        if (level.CoarseSolver is { } direct)
        {
            direct.Solve(b, x);
            return;
        }
        if (l == _levels.Length - 1)
        {
            level.Smoother!.Smooth(b, x, CoarseSweeps, SmoothingStep.Pre, zeroGuess);
            level.Smoother.Smooth(b, x, CoarseSweeps, SmoothingStep.Post, zeroGuess: false);
            return;
        }
        if (Options.PreSweeps > 0) level.Smoother!.Smooth(b, x, Options.PreSweeps, SmoothingStep.Pre, zeroGuess);
        else if (zeroGuess) Device.Fill(x, 0);

        level.Operator.Residual(b, x, level.Residual);
        var coarse = _levels[l + 1];
        level.Restriction!.Apply(level.Residual, coarse.RightHandSide);
        Run(l + 1, coarse.RightHandSide, coarse.Solution, kind, zeroGuess: true);
        // W: a second coarse cycle from the first one's result; F: then a V-cycle. A direct solve needs no second visit.
        if (kind != CycleKind.V && l + 1 < _levels.Length - 1)
            Run(l + 1, coarse.RightHandSide, coarse.Solution, kind == CycleKind.W ? CycleKind.W : CycleKind.V, zeroGuess: false);
        level.Prolongation!.Apply(coarse.Solution, level.Residual);
        Device.Axpy(1, level.Residual, x);

        if (Options.PostSweeps > 0) level.Smoother!.Smooth(b, x, Options.PostSweeps, SmoothingStep.Post, zeroGuess: false);
    }

    /// <summary>One line per level: rows, entries, entries per row; then the complexities and setup time.</summary>
    public string Summary()
    {
        var s = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        s.AppendLine(c, $"{Method} multigrid, {LevelCount} levels, {Options.Cycle}({Options.PreSweeps},{Options.PostSweeps}) cycle, {Options.Smoother} smoother, device {Device.Name}");
        s.AppendLine("level       rows        nnz   nnz/row");
        for (int l = 0; l < _levels.Length; l++)
        {
            var m = _levels[l].Matrix;
            s.AppendLine(c, $"{l,5} {m.Rows,10} {m.NonZeros,10} {(double)m.NonZeros / Math.Max(1, m.Rows),9:F2}{(l == _levels.Length - 1 ? CoarsestNote(_levels[l]) : "")}");
        }
        s.Append(c, $"operator complexity {OperatorComplexity:F3}, grid complexity {GridComplexity:F3}, setup {SetupTime.TotalMilliseconds:F1} ms");
        return s.ToString();
    }

    /// <summary>"  (sparse direct solve, CHOLMOD)" or "  (10+10 smoothing sweeps: too large to factor: …)".</summary>
    private static string CoarsestNote(MultigridLevel level) => level.CoarseSolver is { } direct
        ? $"  (sparse direct solve, {direct.Backend})"
        : $"  ({CoarseSweeps}+{CoarseSweeps} smoothing sweeps: too large to factor: {level.SmoothedBecause})";

    /// <summary>Factors the coarsest level, or gives it a smoother when it is too large to factor.</summary>
    private static void SetUpCoarsest(MultigridLevel level, MultigridOptions options, Device device)
    {
        if (level.Matrix.Rows > MaxDirectSize)
        {
            level.SmoothedBecause = $"{level.Matrix.Rows} rows, more than {MaxDirectSize}";
        }
        else
        {
            try
            {
                level.CoarseSolver = SparseCoarseSolver.Factor(level.Matrix, options.CoarseMemoryLimitBytes);
                return;
            }
            catch (FactorMemoryException e)
            {
                level.SmoothedBecause = $"the factors need about {MemoryBudget.Format(e.EstimatedBytes)}, more than the limit of {MemoryBudget.Format(e.LimitBytes)}";
            }
        }
        level.Smoother = CreateSmoother(level, options, device);
    }

    private static ISmoother CreateSmoother(MultigridLevel level, MultigridOptions options, Device device)
    {
        var inverseDiagonal = SpectralRadius.InverseDiagonal(level.Matrix, "multigrid smoother");
        if (options.Smoother == SmootherKind.GaussSeidel)
        {
            if (!options.Devices.Includes(device)) throw new NotSupportedException($"The Gauss–Seidel smoother runs on {options.Devices}; use Jacobi or Chebyshev on '{device.Name}'.");
            return new MulticolorGaussSeidel(level.Matrix, inverseDiagonal);
        }
        level.InverseDiagonal = device.Upload(inverseDiagonal);
        double rho = options.Smoother == SmootherKind.Jacobi && options.JacobiWeight is { } ? 0 : SpectralRadius.OfJacobiScaled(level.Operator, inverseDiagonal);
        return options.Smoother switch
        {
            SmootherKind.Jacobi => new JacobiSmoother(level.Operator, level.InverseDiagonal, options.JacobiWeight ?? 4 / (3 * rho)),
            _ => new ChebyshevSmoother(level.Operator, level.InverseDiagonal, rho, options.ChebyshevDegree, options.ChebyshevLowerFraction),
        };
    }

    /// <summary>Frees every level's device buffers and the coarsest level's factors (native memory for SuiteSparse's); a second call does nothing.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var level in _levels) level?.Dispose(); // null: the constructor failed before that level
    }
}
