namespace LearnedSolvers.Learned;

/// <summary>Where training stands after a batch: for progress bars and logs.</summary>
public sealed record TrainingProgress(int Epoch, int Epochs, int Batch, int Batches, double BatchLoss, double SamplesPerSecond, TimeSpan Elapsed)
{
    /// <summary>The time left at the rate so far.</summary>
    public TimeSpan Remaining
    {
        get
        {
            long done = (long)(Epoch - 1) * Batches + Batch, total = (long)Epochs * Batches;
            return done == 0 ? TimeSpan.Zero : Elapsed * ((double)(total - done) / done);
        }
    }
}
