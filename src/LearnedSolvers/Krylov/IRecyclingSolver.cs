namespace LearnedSolvers.Krylov;

/// <summary>A solver that keeps what it learned (e.g. a recycled subspace) when the operator changes.</summary>
public interface IRecyclingSolver
{
    /// <summary>Binds the solver to a new operator of the same size (and optionally a new preconditioner), keeping its recycled state.</summary>
    void UpdateOperator(ILinearOperator a, IPreconditioner? preconditioner = null);

    /// <summary>Matrix–vector products with the operator during the last solve.</summary>
    int MatrixVectorProducts { get; }
}
