namespace LearnedSolvers.Learned.Dcdm;

/// <summary>Where <see cref="TrainingVectors"/> draws DCDM's right-hand sides from.</summary>
public enum TrainingVectorSource
{
    /// <summary>
    /// Random combinations of Lanczos Ritz vectors, the low end weighted up (Kaneda et al., ICML 2023, Sec. 4): costly
    /// (a Lanczos run with full reorthogonalization, then n·m per vector) but shaped on A's spectrum.
    /// </summary>
    Ritz,

    /// <summary>
    /// White noise after a few damped Jacobi sweeps on A x = 0, which shrink the components of A's upper spectrum and
    /// keep the lower: nnz per sweep and vector, no Lanczos run.
    /// </summary>
    SmoothedNoise,
}
