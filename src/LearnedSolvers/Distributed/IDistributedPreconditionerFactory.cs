namespace LearnedSolvers.Distributed;

/// <summary>
/// A preconditioner factory that can also set up on a row-distributed matrix. <see cref="IPreconditionerFactory.Create"/>
/// takes a <see cref="Devices.DeviceCsrMatrix"/>, one process's whole matrix with its host copy; a
/// <see cref="DistributedCsrMatrix"/> is not one (each rank holds only its rows, split into a diagonal and an
/// off-diagonal block), so a factory that can work from what each rank holds (its diagonal, its diagonal block, the
/// distributed product) declares this capability. Factories that need the whole matrix (a global factorization,
/// multigrid coarsening) do not, and run per rank inside block Jacobi instead.
/// </summary>
public interface IDistributedPreconditionerFactory : IPreconditionerFactory
{
    /// <summary>
    /// Sets the preconditioner up for <paramref name="a"/> on its distributed device (collective: every rank calls it).
    /// The caller keeps ownership of <paramref name="a"/>: dispose the product (when it is <see cref="IDisposable"/>)
    /// before <paramref name="a"/>. Null means no preconditioning.
    /// </summary>
    /// <exception cref="Preconditioners.ZeroPivotException">A factorization or scaling met a zero or unusable pivot (on this rank).</exception>
    IPreconditioner? Create(DistributedCsrMatrix a);
}
