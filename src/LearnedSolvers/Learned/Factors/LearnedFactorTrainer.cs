using System.Diagnostics;
using LearnedSolvers.Learned.Nn;

namespace LearnedSolvers.Learned.Factors;

/// <summary>
/// Trains a <see cref="LearnedFactorModel"/> on pairs (A, b, x) of its family with Adam: each batch averages the
/// systems' loss gradients; each epoch visits the systems in a seeded random order and ends with the mean loss over
/// the held-out systems, when there are any.
/// </summary>
public static class LearnedFactorTrainer
{
    /// <param name="model">The model to train (its parameters change).</param>
    /// <param name="training">The training systems.</param>
    /// <param name="validation">Held-out systems whose loss is reported each epoch; may be empty.</param>
    /// <param name="options">Epochs, batch size, learning rate, seed.</param>
    /// <param name="progress">Told after each batch; may be null.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    public static LearnedFactorTrainingRecord Train(LearnedFactorModel model, IReadOnlyList<FactorTrainingPair> training,
        IReadOnlyList<FactorTrainingPair> validation, LearnedFactorTrainingOptions options,
        Action<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (training.Count == 0) throw new ArgumentException("Training needs at least one system.", nameof(training));
        int batchSize = Math.Min(options.BatchSize, training.Count);
        int batches = (training.Count + batchSize - 1) / batchSize;
        using var adam = new Adam(model.Parameters, options.LearningRate);
        var order = Enumerable.Range(0, training.Count).ToArray();
        var random = new Random(options.Seed);
        var losses = new List<double>(options.Epochs);
        var validationLosses = new List<double>(options.Epochs);
        var clock = Stopwatch.StartNew();
        long visited = 0;
        adam.ZeroGradients();
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            random.Shuffle(order);
            double sum = 0;
            for (int batch = 0; batch < batches; batch++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int first = batch * batchSize, count = Math.Min(batchSize, training.Count - first);
                double batchLoss = 0;
                for (int k = 0; k < count; k++)
                {
                    var pair = training[order[first + k]];
                    batchLoss += model.AccumulateGradient(pair.Matrix, pair.RightHandSide, pair.Solution, 1.0 / count);
                }
                adam.Step();
                sum += batchLoss;
                visited += count;
                progress?.Invoke(new TrainingProgress(epoch, options.Epochs, batch + 1, batches, batchLoss / count, visited / clock.Elapsed.TotalSeconds, clock.Elapsed));
            }
            losses.Add(sum / training.Count);
            if (validation.Count > 0) validationLosses.Add(MeanLoss(model, validation));
        }
        return new LearnedFactorTrainingRecord(options.Epochs, training.Count, batchSize, options.LearningRate, losses, validationLosses, clock.Elapsed);
    }

    /// <summary>The mean loss over <paramref name="pairs"/>, without gradients.</summary>
    public static double MeanLoss(LearnedFactorModel model, IReadOnlyList<FactorTrainingPair> pairs)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(pairs);
        if (pairs.Count == 0) return double.NaN;
        double sum = 0;
        foreach (var pair in pairs) sum += model.Loss(pair.Matrix, pair.RightHandSide, pair.Solution);
        return sum / pairs.Count;
    }
}
