using LearnedSolvers.Devices;

namespace LearnedSolvers.Learned.Dcdm;

/// <summary>
/// What <see cref="DeepConjugateDirections"/> asks of its network: a search direction q ≈ A⁻¹ r for the current
/// residual, up to any nonzero scale, positive or negative. This is the contract the trained network implements
/// (Kaneda et al., "A Deep Conjugate Direction Method for Iteratively Solving Linear Systems", ICML 2023: q = f(r/‖r‖)).
/// <para>
/// The solver does not trust the result. It A-orthogonalizes q against its previous directions and takes the exact
/// line-search step along it, so a poor direction costs an iteration but never the energy norm of the error; a
/// direction that is not finite, vanishes, or has no component along r is replaced by the (preconditioned) residual
/// for that iteration. An implementation may therefore be approximate, nonlinear and trained in single precision.
/// </para>
/// <para>
/// The solver calls <see cref="Direction"/> once per iteration, on the solving thread, with its own workspace vectors;
/// a warm call should allocate nothing, so that a solve allocates nothing per iteration.
/// </para>
/// </summary>
public interface ISearchDirection
{
    /// <summary>The device whose vectors <see cref="Direction"/> takes: the operator's.</summary>
    Device Device { get; }

    /// <summary>The length of the vectors: the operator's number of rows.</summary>
    int Size { get; }

    /// <summary>
    /// Writes into <paramref name="direction"/> an approximation of A⁻¹ <paramref name="residual"/>, at any scale.
    /// <paramref name="residual"/> has unit 2-norm and must be left unchanged (it is the solver's residual);
    /// <paramref name="direction"/> does not alias it and holds no useful value on entry.
    /// </summary>
    void Direction(DeviceVector residual, DeviceVector direction);
}
