namespace LearnedSolvers.Multigrid;

/// <summary>How often a level visits the next coarser one per cycle (Trottenberg, Oosterlee and Schüller, Multigrid, §2.4).</summary>
public enum CycleKind
{
    /// <summary>One coarse-grid correction per level: the cheapest cycle; symmetric, so it serves CG.</summary>
    V,

    /// <summary>Two coarse-grid corrections per level: more robust, costlier on deep hierarchies; symmetric.</summary>
    W,

    /// <summary>An F-cycle on the coarser level followed by a V-cycle there: between V and W in cost. Not symmetric: use FCG or GMRES with it.</summary>
    F,
}
