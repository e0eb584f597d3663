namespace LearnedSolvers.Problems;

/// <summary>The convection field w of <see cref="ConvectionDiffusion"/>, normalized to max |w| = 1 over the domain.</summary>
public enum WindKind
{
    /// <summary>w = (cos θ, sin θ) everywhere, θ = <see cref="ConvectionDiffusionOptions.WindAngle"/>: boundary layers at the outflow edges.</summary>
    Constant,

    /// <summary>
    /// Rigid rotation about the centre, w = (-(y - 1/2), x - 1/2) / (1/√2), counter-clockwise, |w| = 1 at the corners:
    /// recirculating flow (the IFISS "recirculating wind" family), harder for Krylov methods than a constant wind.
    /// </summary>
    Rotating,
}
