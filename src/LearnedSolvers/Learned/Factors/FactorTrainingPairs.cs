using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners.Factories;
using LearnedSolvers.Problems;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Learned.Factors;

/// <summary>
/// Training pairs for learned factors. <see cref="Solve(LinearSystem)"/>: (A, b, A⁻¹b), the solution computed to a
/// relative residual of 1e-12 (AMG-PCG): the factor loss then weights A's smooth modes, the ones CG converges on last.
/// <see cref="Frobenius"/>: (A, A z, z) with z white noise: the same loss is then a one-sample Hutchinson estimate of
/// ‖M⁻¹ − A‖_F², the Frobenius alternative (NeuralIF's), which weights every mode alike.
/// </summary>
public static class FactorTrainingPairs
{
    /// <summary>The pair (A, b, A⁻¹b) of a generated system.</summary>
    /// <exception cref="InvalidOperationException">The reference solve did not converge (A is not SPD?).</exception>
    public static FactorTrainingPair Solve(LinearSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return Solve(system.Matrix, system.RightHandSide);
    }

    /// <inheritdoc cref="Solve(LinearSystem)"/>
    public static FactorTrainingPair Solve(CsrMatrix a, double[] b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var device = Devices.Device.Cpu;
        using var da = device.Upload(a);
        using var db = device.Upload(b);
        using var dx = device.Allocate(a.Rows);
        var amg = PreconditionerFactories.Amg().Create(da);
        try
        {
            using var cg = new ConjugateGradient(da, amg, new SolverOptions(RelativeTolerance: 1e-12, MaxIterations: 5000, RecordHistory: false));
            var result = cg.Solve(db, dx);
            if (!result.Converged) throw new InvalidOperationException($"The reference solve for a training pair stopped: {result}.");
        }
        finally
        {
            (amg as IDisposable)?.Dispose();
        }
        return new FactorTrainingPair(a, b, dx.ToArray());
    }

    /// <summary>The pair (A, A z, z) with z ~ N(0, I) drawn from <paramref name="seed"/>.</summary>
    public static FactorTrainingPair Frobenius(CsrMatrix a, int seed)
    {
        ArgumentNullException.ThrowIfNull(a);
        var z = new double[a.Rows];
        StandardNormal.Fill(new Random(seed), z);
        var b = new double[a.Rows];
        a.Multiply(z, b);
        return new FactorTrainingPair(a, b, z);
    }
}
