namespace LearnedSolvers.Learned.Factors;

/// <summary>What a training run of a learned factor did (kept in the model file's metadata).</summary>
public sealed record LearnedFactorTrainingRecord(int Epochs, int Systems, int BatchSize, float LearningRate,
    IReadOnlyList<double> EpochLosses, IReadOnlyList<double> ValidationLosses, TimeSpan Elapsed)
{
    public double FinalLoss => EpochLosses.Count == 0 ? double.NaN : EpochLosses[^1];
}
