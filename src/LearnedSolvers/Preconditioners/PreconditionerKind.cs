using LearnedSolvers.Devices;
using LearnedSolvers.Multigrid;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Preconditioners;

/// <summary>The built-in preconditioners by name, for configuration files and the command line.</summary>
public enum PreconditionerKind
{
    None,
    Jacobi,
    Ssor,
    Ic0,
    Ilu0,

    /// <summary>Chebyshev polynomial in D⁻¹A (degree 4): SpMVs only, so it runs on every device.</summary>
    Chebyshev,

    /// <summary>Geometric multigrid V-cycle (the matrix must be a 5- or 7-point stencil on a square or cubic grid).</summary>
    Gmg,

    /// <summary>Smoothed-aggregation AMG V-cycle.</summary>
    Amg,

    /// <summary>Classical (Ruge–Stüben) AMG V-cycle: robust for discontinuous high-contrast coefficients.</summary>
    RsAmg,
}

/// <summary>Builds a preconditioner chosen at run time; setup happens here, once.</summary>
public static class PreconditionerFactory
{
    /// <summary>The preconditioner for <paramref name="a"/>, or null for <see cref="PreconditionerKind.None"/>.</summary>
    /// <exception cref="ZeroPivotException">The factorization met a zero or non-positive pivot.</exception>
    public static IPreconditioner? Create(PreconditionerKind kind, CsrMatrix a, Device? device = null, double ssorOmega = 1.0) => kind switch
    {
        PreconditionerKind.None => null,
        PreconditionerKind.Jacobi => new Jacobi(a, device),
        PreconditionerKind.Ssor => new Ssor(a, ssorOmega, device),
        PreconditionerKind.Ic0 => new IncompleteCholesky0(a, device: device),
        PreconditionerKind.Ilu0 => new IncompleteLu0(a, device),
        PreconditionerKind.Chebyshev => new ChebyshevPreconditioner(a, device: device),
        PreconditionerKind.Gmg => new MultigridPreconditioner(GeometricMultigrid.Build(a, device: device)),
        PreconditionerKind.Amg => new MultigridPreconditioner(SmoothedAggregationAmg.Build(a, device: device)),
        PreconditionerKind.RsAmg => new MultigridPreconditioner(ClassicalAmg.Build(a, device: device)),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown preconditioner."),
    };

    /// <summary>Parses "none", "jacobi", "ssor", "ic0", "ilu0", "chebyshev", "gmg", "amg" or "rsamg" (any case).</summary>
    public static PreconditionerKind Parse(string name) =>
        Enum.TryParse<PreconditionerKind>(name, ignoreCase: true, out var k) && Enum.IsDefined(k) && !int.TryParse(name, out _)
            ? k
            : throw new ArgumentException($"Unknown preconditioner '{name}'; expected one of none, jacobi, ssor, ic0, ilu0, chebyshev, gmg, amg, rsamg.", nameof(name));
}
