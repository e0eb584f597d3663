namespace LearnedSolvers.Learned.Factors;

/// <summary>What a <see cref="LearnedFactorModel"/>'s network predicts.</summary>
public enum LearnedFactorKind
{
    /// <summary>NeuralPCG: L on A's lower pattern outright (diagonal exp(output) &gt; 0); M⁻¹ = L Lᵀ, two triangular solves.</summary>
    NeuralPcg,

    /// <summary>PreCorrector: L = L_IC(0) + α·output on IC(0)'s pattern (diagonal L_IC,ii·exp(α·output)); M⁻¹ = L Lᵀ.</summary>
    PreCorrector,

    /// <summary>A sparse approximate inverse M = Gᵀ G, G = G_FSAI + α·output on A's lower pattern (diagonal G_ii·exp(α·output)): two SpMVs.</summary>
    LearnedFsai,
}
