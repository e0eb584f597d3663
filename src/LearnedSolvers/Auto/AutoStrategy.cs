namespace LearnedSolvers.Auto;

/// <summary>A method <see cref="AutoSolver"/> may try, and why it is on the list for this matrix.</summary>
/// <param name="Kind">The method.</param>
/// <param name="Reason">The property of the matrix that put it there, in words.</param>
public sealed record AutoStrategy(AutoStrategyKind Kind, string Reason)
{
    /// <summary>The strategy's short name, as the command line prints it: "direct", "amg-pcg", "ilutp-gmres".</summary>
    public string Name => Kind switch
    {
        AutoStrategyKind.Direct => "direct",
        AutoStrategyKind.AmgPcg => "amg-pcg",
        AutoStrategyKind.Ic0Pcg => "ic0-pcg",
        AutoStrategyKind.Ilu0Gmres => "ilu0-gmres",
        AutoStrategyKind.MatchedIlutpGmres => "matched-ilutp-gmres",
        AutoStrategyKind.IlutpGmres => "ilutp-gmres",
        AutoStrategyKind.MatchedIlutpBiCgStab => "matched-ilutp-bicgstab",
        _ => Kind.ToString(),
    };
}

/// <summary>The methods <see cref="AutoSolver"/> chooses among.</summary>
public enum AutoStrategyKind
{
    /// <summary>Sparse LU or Cholesky (<see cref="Direct.SparseDirectSolver"/>).</summary>
    Direct,

    /// <summary>CG with smoothed-aggregation AMG.</summary>
    AmgPcg,

    /// <summary>CG with IC(0), its diagonal shift grown until the factorization succeeds.</summary>
    Ic0Pcg,

    /// <summary>GMRES with ILU(0) on the matrix as given.</summary>
    Ilu0Gmres,

    /// <summary>GMRES with ILUTP after a maximum-weight matching and scaling put large entries on the diagonal.</summary>
    MatchedIlutpGmres,

    /// <summary>
    /// GMRES with ILUTP (more fill, smaller drop tolerance) on the matrix as given: where the matching's scaling makes
    /// ILUTP's row-relative dropping discard what matters (nnc1374).
    /// </summary>
    IlutpGmres,

    /// <summary>BiCGStab with ILUTP on the matched and scaled matrix.</summary>
    MatchedIlutpBiCgStab,
}
