namespace LearnedSolvers.Distributed;

/// <summary>How a distributed device adds the ranks' partial sums.</summary>
public enum ReductionMode
{
    /// <summary>MPI_Allreduce: the library picks the order (a tree or ring that may change with message sizes and versions).</summary>
    Fast,

    /// <summary>
    /// Every rank's partials gathered (MPI_Allgather) and added in rank order on every rank, so the same number of ranks
    /// gives the same bits, run after run and on every rank. Costs P values per reduced value instead of one.
    /// </summary>
    Deterministic,
}
