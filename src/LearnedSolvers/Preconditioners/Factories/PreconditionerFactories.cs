using LearnedSolvers.Multigrid;

namespace LearnedSolvers.Preconditioners.Factories;

/// <summary>
/// The built-in preconditioner factories in code: <c>PreconditionerFactories.Ic0(options).Create(deviceMatrix)</c>.
/// (Named for what it returns; a class named <c>Preconditioners</c> would clash with the namespace.) The same
/// factories by name, for configuration files and the command line, come from <see cref="PreconditionerRegistry"/>.
/// </summary>
public static class PreconditionerFactories
{
    /// <summary>No preconditioning: its <see cref="NoPreconditionerFactory.Create"/> returns null.</summary>
    public static NoPreconditionerFactory None() => new();

    /// <summary>Diagonal scaling z = D⁻¹ r.</summary>
    public static JacobiFactory Jacobi() => new();

    /// <summary>Symmetric successive over-relaxation with factor ω.</summary>
    public static SsorFactory Ssor(SsorOptions? options = null) => new(options);

    /// <summary>Incomplete Cholesky factorization on A's pattern, optionally shifted.</summary>
    public static IncompleteCholesky0Factory Ic0(IncompleteCholesky0Options? options = null) => new(options);

    /// <summary>Incomplete LU factorization on A's pattern.</summary>
    public static IncompleteLu0Factory Ilu0() => new();

    /// <summary>Chebyshev polynomial in D⁻¹A: SpMVs only.</summary>
    public static ChebyshevFactory Chebyshev(ChebyshevOptions? options = null) => new(options);

    /// <summary>Geometric multigrid cycle for 5- and 7-point stencils on square and cubic grids.</summary>
    public static GeometricMultigridFactory Gmg(MultigridOptions? options = null) => new(options);

    /// <summary>Smoothed-aggregation AMG cycle.</summary>
    public static SmoothedAggregationAmgFactory Amg(MultigridOptions? options = null) => new(options);

    /// <summary>Classical (Ruge–Stüben) AMG cycle.</summary>
    public static ClassicalAmgFactory RsAmg(MultigridOptions? options = null) => new(options);
}
