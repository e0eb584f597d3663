namespace LearnedSolvers.Problems;

/// <summary>
/// Isotropic covariance models C(d) = σ² ρ(d/ℓ) for Gaussian random fields, with the definitions of dune-randomfield
/// (the generator behind ConDiff's parafields), so a correlation length means the same thing here as there.
/// </summary>
public enum CovarianceKind
{
    /// <summary>ρ(r) = exp(-r): continuous but rough fields (nowhere differentiable), the classic log-permeability model.</summary>
    Exponential,

    /// <summary>ρ(r) = exp(-r²): infinitely smooth fields.</summary>
    Gaussian,

    /// <summary>ρ(r) = 1 - 7r² + 35/4 r³ - 7/2 r⁵ + 3/4 r⁷ for r ≤ 1, 0 beyond: compactly supported, twice differentiable fields.</summary>
    Cubic,

    /// <summary>
    /// ρ(r) = (1 + √3 r) exp(-√3 r), the Matérn covariance of smoothness ν = 3/2: once differentiable fields. In 2D its
    /// spectral density is ∝ (τ² + 4π²|ω|²)^(-5/2) with τ = √3/ℓ, the GRF(α = 2.5, τ) of the FNO and SKR Darcy data sets.
    /// </summary>
    Matern32,
}
