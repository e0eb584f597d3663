namespace LearnedSolvers.Krylov;

/// <summary>The Krylov methods by name, for configuration files and the command line.</summary>
public enum KrylovMethod
{
    /// <summary>Conjugate gradients (preconditioned when given a preconditioner).</summary>
    Cg,

    /// <summary>Preconditioned conjugate gradients: the same method as <see cref="Cg"/>, named for clarity.</summary>
    Pcg,

    /// <summary>Flexible conjugate gradients: tolerates a preconditioner that changes between iterations.</summary>
    Fcg,

    /// <summary>Restarted GMRES(m), right preconditioned.</summary>
    Gmres,

    /// <summary>Flexible GMRES(m).</summary>
    Fgmres,

    /// <summary>BiCGStab.</summary>
    BiCgStab,

    /// <summary>GCRO-DR(m, k): GMRES with deflated restarting and a recycle space carried across a sequence.</summary>
    GcroDr,
}

/// <summary>Builds a solver for a method chosen at run time (Ginkgo's factory step: configure, then bind to A).</summary>
public static class KrylovSolvers
{
    /// <summary>
    /// The method's solver bound to <paramref name="a"/>; <paramref name="restart"/> is used by the GMRES family only,
    /// <paramref name="recycle"/> (k) by GCRO-DR only, capped there at restart − 1 so that a short restart from the command line still works.
    /// </summary>
    public static KrylovSolver Create(KrylovMethod method, ILinearOperator a, IPreconditioner? preconditioner = null, SolverOptions? options = null, int restart = 30, int recycle = 15) => method switch
    {
        // Each method picks host or device scalars from the device's and the operator's capabilities.
        KrylovMethod.Cg or KrylovMethod.Pcg => new ConjugateGradient(a, preconditioner, options),
        KrylovMethod.Fcg => new FlexibleConjugateGradient(a, preconditioner, options),
        KrylovMethod.Gmres => new Gmres(a, preconditioner, options, restart),
        KrylovMethod.Fgmres => new FlexibleGmres(a, preconditioner, options, restart),
        KrylovMethod.BiCgStab => new BiCgStab(a, preconditioner, options),
        KrylovMethod.GcroDr => new GcroDr(a, preconditioner, options, restart, Math.Max(0, Math.Min(recycle, restart - 1))),
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown Krylov method."),
    };

    /// <summary>Parses "cg", "pcg", "fcg", "gmres", "fgmres", "bicgstab" or "gcrodr" (any case).</summary>
    public static KrylovMethod Parse(string name) =>
        Enum.TryParse<KrylovMethod>(name, ignoreCase: true, out var m) && Enum.IsDefined(m) && !int.TryParse(name, out _)
            ? m
            : throw new ArgumentException($"Unknown method '{name}'; expected one of cg, pcg, fcg, gmres, fgmres, bicgstab, gcrodr.", nameof(name));
}
