using System.Diagnostics;
using LearnedSolvers.Devices;
using LearnedSolvers.Learned.Nn;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Learned.Dcdm;

/// <summary>
/// Trains a <see cref="DcdmNetwork"/> without labels: each batch of right-hand sides b goes through q = f(b) and the
/// <see cref="DcdmLoss"/> ‖b − A q (qᵀb)/(qᵀAq)‖², whose gradient flows back through the network; Adam steps the
/// parameters. The vectors (usually from <see cref="TrainingVectors"/>) are visited in a seeded random order each epoch.
/// </summary>
public static class DcdmTrainer
{
    /// <param name="network">The network to train (on its device).</param>
    /// <param name="a">The symmetric matrix the vectors belong to; rows in the grid's C order.</param>
    /// <param name="grid">The grid's spatial shape (H, W or D, H, W), its size a's order.</param>
    /// <param name="vectors">count × n values, one right-hand side after another (unit norm in the paper).</param>
    /// <param name="options">Epochs, batch size, learning rate, seed.</param>
    /// <param name="progress">Told after each batch; may be null.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    public static DcdmTrainingRecord Train(DcdmNetwork network, CsrMatrix a, Shape grid, ReadOnlyMemory<float> vectors, DcdmTrainingOptions options,
        Action<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (grid.Rank != network.SpatialDimensions)
            throw new ArgumentException($"The grid {grid} has {grid.Rank} dimensions; the network is {network.SpatialDimensions}-D.", nameof(grid));
        if (grid.Length != a.Rows || !a.IsSquare)
            throw new ArgumentException($"The grid {grid} has {grid.Length} points; the matrix is {a.Rows} x {a.Columns}.", nameof(grid));
        int n = a.Rows;
        if (vectors.Length == 0 || vectors.Length % n != 0)
            throw new ArgumentException($"{vectors.Length} values are not a whole number of vectors of {n}.", nameof(vectors));
        int count = vectors.Length / n;
        int batchSize = Math.Min(options.BatchSize, count);
        int batches = count / batchSize; // a short last batch is dropped, as a DataLoader with drop_last does

        var device = network.Device;
        using var matrix = new SingleCsrMatrix(device, a);
        using var loss = new DcdmLoss(matrix);
        using var adam = new Adam(network.Parameters, options.LearningRate);
        int[] batchShape = [batchSize, 1, .. grid.ToArray()];
        using var b = device.Allocate<float>(new Shape(batchShape));
        using var dq = device.Allocate<float>(new Shape(batchShape));
        var staging = new float[batchSize * n];
        var order = Enumerable.Range(0, count).ToArray();
        var random = new Random(options.Seed);
        var losses = new List<double>(options.Epochs);
        int skipped = 0;
        var clock = Stopwatch.StartNew();
        adam.ZeroGradients();
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            random.Shuffle(order);
            double sum = 0;
            int counted = 0;
            for (int batch = 0; batch < batches; batch++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                for (int k = 0; k < batchSize; k++)
                    vectors.Span.Slice(order[batch * batchSize + k] * n, n).CopyTo(staging.AsSpan(k * n, n));
                b.CopyFrom(staging);
                var q = network.Forward(b);
                double value = loss.Evaluate(b, q, dq);
                skipped += loss.SkippedSamples;
                network.Backward(dq);
                adam.Step();
                if (double.IsFinite(value))
                {
                    sum += value;
                    counted++;
                }
                progress?.Invoke(new TrainingProgress(epoch, options.Epochs, batch + 1, batches, value,
                    ((long)(epoch - 1) * batches + batch + 1) * batchSize / clock.Elapsed.TotalSeconds, clock.Elapsed));
            }
            losses.Add(counted == 0 ? double.NaN : sum / counted);
        }
        return new DcdmTrainingRecord(options.Epochs, count, batchSize, options.LearningRate, losses, clock.Elapsed, skipped);
    }
}
