using LearnedSolvers.Devices;
using LearnedSolvers.Direct;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Multigrid;

/// <summary>
/// The coarsest level's exact solve: a sparse factorization (<see cref="DirectFactorizations"/>: CHOLMOD, KLU or
/// UMFPACK when SuiteSparse is loaded, else the managed Cholesky or LU), factored once at setup and applied on the
/// host. Sparse factors let the coarsest level reach tens of thousands of rows, where dense LU's n² memory stopped at a
/// few thousand. No iterative refinement: the cycle around it is an approximation anyway, and refinement would double
/// the cost of every coarse solve. Each solve copies b to the host and x back (a device's coarsest vectors are small
/// beside the finest level's work) and allocates nothing.
/// </summary>
internal sealed class SparseCoarseSolver : IDisposable
{
    private const string Name = "multigrid coarse solve";

    private readonly ISparseFactorization _factors;
    private readonly double[] _work;

    private SparseCoarseSolver(ISparseFactorization factors)
    {
        _factors = factors;
        _work = new double[factors.Size];
    }

    /// <summary>Factors the coarsest operator <paramref name="a"/>.</summary>
    /// <param name="a">The coarsest level's matrix, square.</param>
    /// <param name="memoryLimitBytes">The most bytes the factors may take; null: what the process may use.</param>
    /// <exception cref="ZeroPivotException">The coarse matrix is singular to working precision (the factorization's <see cref="SingularMatrixException"/> is the inner exception).</exception>
    /// <exception cref="FactorMemoryException">The factors would not fit in the memory limit; the caller smooths this level instead.</exception>
    public static SparseCoarseSolver Factor(CsrMatrix a, long? memoryLimitBytes)
    {
        var options = new DirectSolverOptions { RefinementSteps = 0, MemoryLimitBytes = memoryLimitBytes };
        try
        {
            return new SparseCoarseSolver(DirectFactorizations.Factor(a, options, out _));
        }
        catch (SingularMatrixException e)
        {
            throw new ZeroPivotException(Name, e);
        }
    }

    /// <summary>The implementation that factored the coarsest matrix.</summary>
    public DirectBackend Backend => _factors.Backend;

    /// <summary>x = A⁻¹ b.</summary>
    public void Solve(DeviceVector b, DeviceVector x)
    {
        b.CopyTo(_work);
        _factors.Solve(_work, _work);
        x.CopyFrom(_work);
    }

    /// <summary>Frees the factors (native memory for SuiteSparse's).</summary>
    public void Dispose() => _factors.Dispose();
}
