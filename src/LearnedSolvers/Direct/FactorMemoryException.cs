namespace LearnedSolvers.Direct;

/// <summary>
/// A direct factorization would need more memory than the limit (<see cref="DirectSolverOptions.MemoryLimitBytes"/>,
/// by default what the process may use): refused after the symbolic analysis, before the numeric factorization
/// allocates its factors, instead of an out-of-memory crash.
/// </summary>
public sealed class FactorMemoryException(DirectBackend backend, double estimatedBytes, double limitBytes)
    : InvalidOperationException(
        $"The {backend} factorization needs about {MemoryBudget.Format(estimatedBytes)}, more than the limit of {MemoryBudget.Format(limitBytes)}; "
        + "use an iterative method (--method auto falls back to one) or a machine with more memory.")
{
    public DirectBackend Backend { get; } = backend;
    public double EstimatedBytes { get; } = estimatedBytes;
    public double LimitBytes { get; } = limitBytes;
}
