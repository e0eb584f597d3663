using LearnedSolvers.Devices;

namespace LearnedSolvers.Krylov;

/// <summary>
/// Flexible GMRES, FGMRES(m) (Saad 1993, "A flexible inner-outer preconditioned GMRES algorithm"; Iterative
/// Methods, Alg. 9.6). Like right-preconditioned <see cref="Gmres"/>, but it keeps the preconditioned directions
/// z_j = M_j v_j and sets x = x₀ + Z y, so the preconditioner may change from one step to the next: a learned
/// operator, an inner Krylov solve, a multigrid cycle with a varying number of smoothing steps. The price is m
/// more device vectors. With a fixed linear M it produces the same iterates as right-preconditioned GMRES.
/// Stopping rules (tolerance, happy breakdown, stagnation of a full cycle, singular breakdown, NaN) are those of
/// <see cref="Gmres"/>; the residual monitored is the true, unpreconditioned one.
/// </summary>
public sealed class FlexibleGmres : RestartedArnoldiSolver
{
    private readonly DeviceVector[] _directions;

    /// <param name="a">The square operator A.</param>
    /// <param name="preconditioner">The right preconditioner M ≈ A⁻¹: may vary between applications, or null.</param>
    /// <param name="options">Tolerances and iteration limit; <see cref="SolverOptions.Default"/> when null.</param>
    /// <param name="restart">Steps per cycle (m ≥ 1), capped at the system size; each step keeps two device vectors.</param>
    public FlexibleGmres(ILinearOperator a, IPreconditioner? preconditioner = null, SolverOptions? options = null, int restart = 30)
        : base(a, preconditioner, options, restart)
    {
        if (preconditioner is null)
        {
            _directions = Basis; // Z = V: plain GMRES
        }
        else
        {
            _directions = new DeviceVector[Restart];
            for (int i = 0; i < _directions.Length; i++) _directions[i] = AllocateVector();
        }
    }

    /// <summary>z_j = M_j v_j (kept for the update), then w = A z_j.</summary>
    protected override void ApplyStep(int j)
    {
        if (Preconditioner is not null) Preconditioner.Apply(Basis[j], _directions[j]);
        Operator.Apply(_directions[j], Basis[j + 1]);
    }

    /// <summary>x ← x + Z_k y_k.</summary>
    protected override void UpdateSolution(int k, ReadOnlySpan<double> y, DeviceVector x) => Device.MultiAxpyAdd(_directions, k, y, x);
}
