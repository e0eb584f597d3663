namespace LearnedSolvers.Auto;

/// <summary>
/// The order in which <see cref="AutoSolver"/> tries methods, decided from cheap properties alone (no setup runs here):
/// <list type="bullet">
/// <item>small systems: the direct solver first (it cannot stall, and below tens of thousands of rows it is cheaper than tuning an iteration);</item>
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
    public static IReadOnlyList<AutoStrategy> For(MatrixProperties p, AutoSolverOptions options)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(options);
        var plan = new List<AutoStrategy>();
        bool directFirst = p.Rows <= options.DirectFirstRows;
        if (directFirst)
            plan.Add(new(AutoStrategyKind.Direct, $"{p.Rows} rows ≤ {options.DirectFirstRows}: a sparse factorization is cheap and cannot stall"));

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
        return plan;
    }
}
