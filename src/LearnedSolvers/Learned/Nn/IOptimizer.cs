namespace LearnedSolvers.Learned.Nn;

/// <summary>Updates a network's parameters from their accumulated gradients.</summary>
public interface IOptimizer
{
    /// <summary>One update from the gradients accumulated since the last step; then clears them.</summary>
    void Step();

    /// <summary>Clears the gradients without an update.</summary>
    void ZeroGradients();
}
