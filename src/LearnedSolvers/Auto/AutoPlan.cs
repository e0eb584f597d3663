using LearnedSolvers.Direct;

namespace LearnedSolvers.Auto;

/// <summary>
/// The order in which <see cref="AutoSolver"/> tries methods, decided from cheap properties alone (no setup runs here):
/// <list type="bullet">
/// <item>a cheap factorization (by its <see cref="FactorEstimate"/>, computed up to <see cref="AutoSolverOptions.DirectFirstRows"/>
/// rows): the direct solver first, since it cannot stall and costs less than tuning an iteration there;</item>
/// <item>symmetric with a positive diagonal: CG with smoothed-aggregation AMG, then IC(0) with a growing shift;</item>
/// <item>nonsymmetric, zero diagonal entries, or far from diagonally dominant: a maximum-weight matching and scaling, then
/// ILUTP with GMRES (the combination that makes ILU work on such matrices: Benzi, Haws and Tůma 2000), and BiCGStab;</item>
/// <item>nonsymmetric with a usable diagonal: ILU(0)-GMRES first, as it is cheapest to set up;</item>
/// <item>the direct solver last wherever it was not first, when its factors fit.</item>
/// </list>
/// </summary>
public static class AutoPlan
{
    /// <summary>Below this share of diagonally dominant rows a nonsymmetric matrix goes to the matched ILUTP first.</summary>
    private const double WeakDominance = 0.5;

    /// <summary>The strategies in the order to try them, each with the reason it is on the list.</summary>
    /// <param name="p">The matrix's properties.</param>
    /// <param name="options">The thresholds.</param>
    /// <param name="estimate">The factorization's cost, when it was estimated (null: too large to estimate cheaply).</param>
    public static IReadOnlyList<AutoStrategy> For(MatrixProperties p, AutoSolverOptions options, FactorEstimate? estimate)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(options);
        var plan = new List<AutoStrategy>();
        bool directFirst = estimate is not null && p.Rows <= options.DirectFirstRows && estimate.CholeskyFlops <= options.DirectFirstFlops
            && estimate.LuBytes <= options.Direct.EffectiveMemoryLimit / 4;
        if (directFirst)
            plan.Add(new(AutoStrategyKind.Direct, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"a factorization is cheap here (about {estimate!.CholeskyFlops:G2} flops, {MemoryBudget.Format(estimate.LuBytes)}) and cannot stall")));

        if (p.LooksSpd)
        {
            string spd = p.Definiteness == Definiteness.PositiveDefinite ? "SPD (diagonally dominant)" : "symmetric with a positive diagonal";
            plan.Add(new(AutoStrategyKind.AmgPcg, $"{spd}: CG with smoothed-aggregation AMG"));
            plan.Add(new(AutoStrategyKind.Ic0Pcg, $"{spd}: CG with IC(0), shifted until it factors"));
        }
        else if (p.ZeroDiagonals > 0 || p.DominantRowShare < WeakDominance || p.IsSymmetric)
        {
            string why = p.ZeroDiagonals > 0 ? $"{p.ZeroDiagonals} zero diagonal entries"
                : p.IsSymmetric ? "symmetric but not positive definite"
                : $"only {p.DominantRowShare:P0} of rows diagonally dominant";
            plan.Add(new(AutoStrategyKind.MatchedIlutpGmres, $"{why}: matching and scaling put large entries on the diagonal, then ILUTP"));
            plan.Add(new(AutoStrategyKind.IlutpGmres, $"{why}: ILUTP's column pivoting on A as given, with more fill, when the matched system fails"));
            plan.Add(new(AutoStrategyKind.MatchedIlutpBiCgStab, $"{why}: BiCGStab when GMRES({options.Restart}) stalls"));
        }
        else
        {
            plan.Add(new(AutoStrategyKind.Ilu0Gmres, $"nonsymmetric with a nonzero diagonal, {p.DominantRowShare:P0} of rows diagonally dominant: ILU(0) is cheapest"));
            plan.Add(new(AutoStrategyKind.MatchedIlutpGmres, "when ILU(0) fails: matching, scaling and ILUTP"));
            plan.Add(new(AutoStrategyKind.IlutpGmres, "when the matched system fails too: ILUTP on A as given, with more fill"));
        }

        if (!directFirst)
            plan.Add(new(AutoStrategyKind.Direct, "when the iterations fail: a sparse factorization, if its factors fit in memory"));
        // A symmetric indefinite matrix has no iterative strategy of its own above: the factorization goes first.
        if (!directFirst && p.Definiteness == Definiteness.Indefinite)
        {
            plan.RemoveAt(plan.Count - 1);
            plan.Insert(0, new(AutoStrategyKind.Direct, "symmetric but not positive definite: a factorization first, the iterations after it"));
        }
        return plan;
    }
}
