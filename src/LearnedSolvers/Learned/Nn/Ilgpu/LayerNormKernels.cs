using ILGPU;
using ILGPU.Algorithms;
using LearnedSolvers.Devices.Ilgpu;

namespace LearnedSolvers.Learned.Nn.Ilgpu;

/// <summary>
/// Channels-first layer normalization on [N, C, P] (P positions per sample): one thread per (sample, position), which
/// loops over the channels (a stride of P apart, so a warp's loads are contiguous); the parameter gradients reduce
/// over samples and positions with one group per channel. Statistics and sums in double.
/// </summary>
internal static class LayerNormKernels
{
    /// <summary>Mean and biased variance over the channels (two passes), then y = (x − μ)/√(σ² + ε) ∘ γ + β.</summary>
    public static void Forward(Index1D index, ArrayView<float> x, ArrayView<float> gamma, ArrayView<float> beta, double epsilon,
        ArrayView<float> y, ArrayView<float> mean, ArrayView<float> inverseStd, int channels, int positions)
    {
        int e = index.X;
        int first = e / positions * channels * positions + e % positions;
        double sum = 0;
        for (int c = 0; c < channels; c++) sum += x[first + c * positions];
        double mu = sum / channels;
        double squares = 0;
        for (int c = 0; c < channels; c++)
        {
            double d = x[first + c * positions] - mu;
            squares += d * d;
        }
        double r = 1 / XMath.Sqrt(squares / channels + epsilon);
        for (int c = 0; c < channels; c++)
        {
            int k = first + c * positions;
            y[k] = (float)((x[k] - mu) * r * gamma[c] + beta[c]);
        }
        mean[e] = (float)mu;
        inverseStd[e] = (float)r;
    }

    /// <summary>
    /// dx (+)= r (g − mean_c g − x̂ mean_c(g x̂)) with g = dy ∘ γ and x̂ = (x − μ) r, from the saved μ and r. Each
    /// thread reads dy at its own elements before writing dx there, so dx may be dy.
    /// </summary>
    public static void BackwardInput(Index1D index, ArrayView<float> x, ArrayView<float> gamma, ArrayView<float> mean, ArrayView<float> inverseStd,
        ArrayView<float> dy, ArrayView<float> dx, int accumulate, int channels, int positions)
    {
        int e = index.X;
        int first = e / positions * channels * positions + e % positions;
        double mu = mean[e], r = inverseStd[e];
        double gSum = 0, gxSum = 0;
        for (int c = 0; c < channels; c++)
        {
            int k = first + c * positions;
            double g = (double)dy[k] * gamma[c];
            gSum += g;
            gxSum += g * (x[k] - mu) * r;
        }
        double gMean = gSum / channels, gxMean = gxSum / channels;
        for (int c = 0; c < channels; c++)
        {
            int k = first + c * positions;
            double g = (double)dy[k] * gamma[c];
            double value = r * (g - gMean - (x[k] - mu) * r * gxMean);
            dx[k] = accumulate != 0 ? (float)(dx[k] + value) : (float)value;
        }
    }

    /// <summary>dGamma[c] (+)= Σ dy x̂ and dBeta[c] (+)= Σ dy over samples and positions; one group per channel c.</summary>
    public static void BackwardParameters(ArrayView<float> x, ArrayView<float> mean, ArrayView<float> inverseStd, ArrayView<float> dy,
        ArrayView<float> dGamma, ArrayView<float> dBeta, int accumulate, int batch, int channels, int positions)
    {
        var shared = SharedMemory.Allocate<double>(ReductionKernels.MaxGroupSize);
        int c = Grid.IdxX;
        double gammaSum = 0, betaSum = 0;
        for (int n = 0; n < batch; n++)
        {
            int plane = (n * channels + c) * positions;
            int statistics = n * positions;
            for (int s = Group.IdxX; s < positions; s += Group.DimX)
            {
                double d = dy[plane + s];
                gammaSum += d * (x[plane + s] - mean[statistics + s]) * inverseStd[statistics + s];
                betaSum += d;
            }
        }
        gammaSum = ReductionKernels.GroupSum(shared, gammaSum);
        betaSum = ReductionKernels.GroupSum(shared, betaSum);
        if (!Group.IsFirstThread) return;
        dGamma[c] = accumulate != 0 ? (float)(dGamma[c] + gammaSum) : (float)gammaSum;
        dBeta[c] = accumulate != 0 ? (float)(dBeta[c] + betaSum) : (float)betaSum;
    }
}
