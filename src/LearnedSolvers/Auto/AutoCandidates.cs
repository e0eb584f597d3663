using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners.Factories;
using LearnedSolvers.Sparse.Orderings;
using LearnedSolvers.Sparse.Scaling;

namespace LearnedSolvers.Auto;

/// <summary>Sets up each <see cref="AutoStrategyKind"/> for a matrix.</summary>
internal static class AutoCandidates
{
    /// <summary>
    /// ILUTP's settings on a matched and scaled matrix: more fill than ILUT's default (20 per row) and a small drop
    /// tolerance, since the hard matrices that reach this strategy are small and fail with less.
    /// </summary>
    private static readonly IlutOptions MatchedIlutp = new() { DropTolerance = 1e-4, Fill = 20 };

    /// <summary>ILUTP on A as given drops relative to unscaled rows: it needs a smaller τ and more fill (nnc1374: 30 iterations at (1e-5, 30)).</summary>
    private static readonly IlutOptions PlainIlutp = new() { DropTolerance = 1e-5, Fill = 30 };

    /// <exception cref="Preconditioners.ZeroPivotException">A factorization met a zero pivot.</exception>
    /// <exception cref="Direct.SingularMatrixException">The direct factorization found A singular.</exception>
    /// <exception cref="Direct.FactorMemoryException">The direct factors would not fit.</exception>
    /// <exception cref="StructurallySingularException">No matching puts a nonzero on every diagonal position.</exception>
    public static AutoCandidate Create(AutoStrategyKind kind, DeviceCsrMatrix a, AutoSolverOptions options) => kind switch
    {
        AutoStrategyKind.Direct => new DirectCandidate(a, options.Direct, options.Solver),
        AutoStrategyKind.AmgPcg => OnMatrix(a, PreconditionerFactories.Amg(), KrylovMethod.Cg, options),
        AutoStrategyKind.Ic0Pcg => OnMatrix(a, PreconditionerFactories.Ic0(new IncompleteCholesky0Options { GrowShift = true }), KrylovMethod.Cg, options),
        AutoStrategyKind.Ilu0Gmres => OnMatrix(a, PreconditionerFactories.Ilu0(), KrylovMethod.Gmres, options),
        AutoStrategyKind.MatchedIlutpGmres => Matched(a, KrylovMethod.Gmres, options),
        AutoStrategyKind.IlutpGmres => OnMatrix(a, PreconditionerFactories.Ilutp(PlainIlutp), KrylovMethod.Gmres, options),
        AutoStrategyKind.MatchedIlutpBiCgStab => Matched(a, KrylovMethod.BiCgStab, options),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown strategy."),
    };

    private static KrylovCandidate OnMatrix(DeviceCsrMatrix a, IPreconditionerFactory factory, KrylovMethod method, AutoSolverOptions options) =>
        new(a, ownsMatrix: false, factory.Create(a), transform: null, method, options.Restart);

    private static KrylovCandidate Matched(DeviceCsrMatrix a, KrylovMethod method, AutoSolverOptions options)
    {
        var system = ScaledPermutedSystem.FromMatching(a.Host, SymmetricOrdering.ReverseCuthillMcKee);
        var matched = a.Device.Upload(system.Matrix);
        try
        {
            return new KrylovCandidate(matched, ownsMatrix: true, PreconditionerFactories.Ilutp(MatchedIlutp).Create(matched), system, method, options.Restart);
        }
        catch
        {
            matched.Dispose();
            throw;
        }
    }
}
