namespace LearnedSolvers.Problems;

/// <summary>
/// How the log-coefficient fields of a <see cref="ParametricFamily.Diffusion(DiffusionOptions, int, double, int, FamilyPath)"/> family move away from the base field φ₀.
/// Both are rotations in the Gaussian space of the field (the preconditioned Crank–Nicolson proposal of Cotter,
/// Roberts, Stuart and White 2013), so every member is itself an exact sample of the same random field.
/// </summary>
public enum FamilyPath
{
    /// <summary>φ_i = √(1 - ε²) φ₀ + ε ψ_i with independent ψ_i: a cloud of systems around one base system.</summary>
    RandomPerturbation,

    /// <summary>φ_i = cos(iε) φ₀ + sin(iε) ψ with one ψ: a smooth path where consecutive systems are close (member 0 is the base).</summary>
    Sweep,
}
