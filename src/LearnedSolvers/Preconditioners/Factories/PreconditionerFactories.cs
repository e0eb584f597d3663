using LearnedSolvers.Learned.Factors;
using LearnedSolvers.Multigrid;

namespace LearnedSolvers.Preconditioners.Factories;

/// <summary>
/// The built-in preconditioner factories in code: <c>PreconditionerFactories.Ic0(options).Create(deviceMatrix)</c>.
/// (Named for what it returns; a class named <c>Preconditioners</c> would clash with the namespace.) The same
/// factories by name, for configuration files and the command line, come from <see cref="PreconditionerRegistry"/>.
/// </summary>
public static class PreconditionerFactories
{
    /// <summary>No preconditioning: its <see cref="NoPreconditionerFactory.Create(Devices.DeviceCsrMatrix)"/> returns null.</summary>
    public static NoPreconditionerFactory None() => new();

    /// <summary>Diagonal scaling z = D⁻¹ r.</summary>
    public static JacobiFactory Jacobi() => new();

    /// <summary>Symmetric successive over-relaxation with factor ω.</summary>
    public static SsorFactory Ssor(SsorOptions? options = null) => new(options);

    /// <summary>Incomplete Cholesky factorization on A's pattern, optionally shifted.</summary>
    public static IncompleteCholesky0Factory Ic0(IncompleteCholesky0Options? options = null) => new(options);

    /// <summary>Incomplete LU factorization on A's pattern.</summary>
    public static IncompleteLu0Factory Ilu0(Devices.Precision precision = Devices.Precision.Double) => new(precision);

    /// <summary>Threshold incomplete LU, ILUT(τ, p): the factor's pattern follows the values.</summary>
    public static IncompleteLuThresholdFactory Ilut(IlutOptions? options = null) => new(options);

    /// <summary>Threshold incomplete LU with column pivoting, ILUTP(τ, p, t): for zero or small diagonal entries.</summary>
    public static IncompleteLuThresholdPivotingFactory Ilutp(IlutOptions? options = null) => new(options);

    /// <summary>Threshold incomplete Cholesky, ICT(τ, p), optionally shifted.</summary>
    public static IncompleteCholeskyThresholdFactory Ict(IctOptions? options = null) => new(options);

    /// <summary>Factorized sparse approximate inverse M = Gᵀ G on the lower pattern of A^power: two SpMVs per application.</summary>
    public static FsaiFactory Fsai(FsaiOptions? options = null) => new(options);

    /// <summary>Chebyshev polynomial in D⁻¹A: SpMVs only.</summary>
    public static ChebyshevFactory Chebyshev(ChebyshevOptions? options = null) => new(options);

    /// <summary>Geometric multigrid cycle for 5- and 7-point stencils on square and cubic grids.</summary>
    public static MultigridFactory Gmg(MultigridOptions? options = null) =>
        new("gmg", nameof(GeometricMultigrid), GeometricMultigrid.Build, options ?? new MultigridOptions());

    /// <summary>Smoothed-aggregation AMG cycle.</summary>
    public static MultigridFactory Amg(MultigridOptions? options = null) =>
        new("amg", nameof(SmoothedAggregationAmg), SmoothedAggregationAmg.Build, options ?? new MultigridOptions());

    /// <summary>Classical (Ruge–Stüben) AMG cycle; <see cref="ClassicalAmg.DefaultOptions"/> (θ = 0.25) when no options are given.</summary>
    public static MultigridFactory RsAmg(MultigridOptions? options = null) =>
        new("rsamg", nameof(ClassicalAmg), ClassicalAmg.Build, options ?? ClassicalAmg.DefaultOptions);

    /// <summary>A learned factor ("neuralpcg", "precorrector", "learned-fsai") from a trained model file.</summary>
    public static LearnedFactorFactory Learned(LearnedFactorKind kind, string modelPath) => new(kind, modelPath);
}
