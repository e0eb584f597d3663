namespace LearnedSolvers.Learned.Dcdm;

/// <summary>What a training run did: saved in the model file's metadata.</summary>
public sealed record DcdmTrainingRecord(int Epochs, int Samples, int BatchSize, float LearningRate, IReadOnlyList<double> EpochLosses, TimeSpan Elapsed, int SkippedSamples)
{
    public double FinalLoss => EpochLosses.Count == 0 ? double.NaN : EpochLosses[^1];
}
