namespace LearnedSolvers.Learned.Dcdm;

/// <summary>
/// How <see cref="DcdmTrainer"/> trains: the paper's Adam with batches of 10; its learning rate 1e-4 suits its 20,000
/// vectors and long runs, so the default here is larger for the few epochs a CPU affords.
/// </summary>
public sealed record DcdmTrainingOptions
{
    public int Epochs { get; init; } = 20;
    public int BatchSize { get; init; } = 10;
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>Fixes the order in which each epoch visits the vectors.</summary>
    public int Seed { get; init; }

    internal void Validate()
    {
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "Train for at least one epoch.");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "A batch holds at least one vector.");
        if (!(LearningRate > 0) || !float.IsFinite(LearningRate))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "The learning rate must be positive and finite.");
    }
}
