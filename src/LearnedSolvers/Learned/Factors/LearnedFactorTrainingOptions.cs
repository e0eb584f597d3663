namespace LearnedSolvers.Learned.Factors;

/// <summary>How <see cref="LearnedFactorTrainer"/> trains: Adam on mini-batches of systems (NeuralPCG: batch 16, lr 1e-3).</summary>
public sealed record LearnedFactorTrainingOptions
{
    public int Epochs { get; init; } = 20;
    public int BatchSize { get; init; } = 8;
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>Fixes the order in which each epoch visits the systems.</summary>
    public int Seed { get; init; }

    internal void Validate()
    {
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "Train for at least one epoch.");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "A batch holds at least one system.");
        if (!(LearningRate > 0) || !float.IsFinite(LearningRate))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "The learning rate must be positive and finite.");
    }
}
