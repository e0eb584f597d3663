using ILGPU;
using LearnedSolvers.Devices.Ilgpu;

namespace LearnedSolvers.Learned.Nn.Ilgpu;

/// <summary>
/// Direct "same" convolution (PyTorch's cross-correlation, stride 1) on [N, C, D, H, W] tensors, 2-D being depth 1:
/// one thread per output element for the forward and input-gradient passes (the small kernels of a CNN make an im2col
/// buffer cost more than it saves), one group per weight for the weight gradient. Sums run in double, in a fixed order.
/// </summary>
internal static class ConvolutionKernels
{
    /// <summary>y[n, o, s] = bias[o] + Σ_i Σ_k w[o, i, k] x[n, i, s + k·dilation − pad]; one thread per element of y.</summary>
    public static void Forward(Index1D index, ArrayView<float> x, ArrayView<float> weight, ArrayView<float> bias, int hasBias, ArrayView<float> y,
        ConvolutionGeometry g)
    {
        int e = index.X;
        int positions = g.Positions;
        int s = e % positions;
        int plane = e / positions;
        int o = plane % g.OutChannels;
        int n = plane / g.OutChannels;
        int col = s % g.Width;
        int rest = s / g.Width;
        int row = rest % g.Height;
        int depth = rest / g.Height;
        int dilation = g.Dilation;
        int d0 = depth - g.PadDepth, h0 = row - g.PadHeight, w0 = col - g.PadWidth;
        double sum = hasBias != 0 ? bias[o] : 0.0;
        for (int i = 0; i < g.InChannels; i++)
        {
            int input = (n * g.InChannels + i) * positions;
            int taps = (o * g.InChannels + i) * g.KernelVolume;
            for (int kd = 0; kd < g.KernelDepth; kd++)
            {
                int zd = d0 + kd * dilation;
                if ((uint)zd >= (uint)g.Depth) continue;
                for (int kh = 0; kh < g.KernelHeight; kh++)
                {
                    int zh = h0 + kh * dilation;
                    if ((uint)zh >= (uint)g.Height) continue;
                    int line = input + (zd * g.Height + zh) * g.Width;
                    int tap = taps + (kd * g.KernelHeight + kh) * g.KernelWidth;
                    for (int kw = 0; kw < g.KernelWidth; kw++)
                    {
                        int zw = w0 + kw * dilation;
                        if ((uint)zw < (uint)g.Width) sum += (double)weight[tap + kw] * x[line + zw];
                    }
                }
            }
        }
        y[e] = (float)sum;
    }

    /// <summary>dx[n, i, s] (+)= Σ_o Σ_k w[o, i, k] dy[n, o, s − k·dilation + pad]; one thread per element of dx.</summary>
    public static void BackwardInput(Index1D index, ArrayView<float> dy, ArrayView<float> weight, ArrayView<float> dx, int accumulate, ConvolutionGeometry g)
    {
        int e = index.X;
        int positions = g.Positions;
        int s = e % positions;
        int plane = e / positions;
        int i = plane % g.InChannels;
        int n = plane / g.InChannels;
        int col = s % g.Width;
        int rest = s / g.Width;
        int row = rest % g.Height;
        int depth = rest / g.Height;
        int dilation = g.Dilation;
        int d0 = depth + g.PadDepth, h0 = row + g.PadHeight, w0 = col + g.PadWidth;
        double sum = 0;
        for (int o = 0; o < g.OutChannels; o++)
        {
            int output = (n * g.OutChannels + o) * positions;
            int taps = (o * g.InChannels + i) * g.KernelVolume;
            for (int kd = 0; kd < g.KernelDepth; kd++)
            {
                int zd = d0 - kd * dilation;
                if ((uint)zd >= (uint)g.Depth) continue;
                for (int kh = 0; kh < g.KernelHeight; kh++)
                {
                    int zh = h0 - kh * dilation;
                    if ((uint)zh >= (uint)g.Height) continue;
                    int line = output + (zd * g.Height + zh) * g.Width;
                    int tap = taps + (kd * g.KernelHeight + kh) * g.KernelWidth;
                    for (int kw = 0; kw < g.KernelWidth; kw++)
                    {
                        int zw = w0 - kw * dilation;
                        if ((uint)zw < (uint)g.Width) sum += (double)weight[tap + kw] * dy[line + zw];
                    }
                }
            }
        }
        dx[e] = accumulate != 0 ? (float)(dx[e] + sum) : (float)sum;
    }

    /// <summary>
    /// dWeight[o, i, k] (+)= Σ_n Σ_s dy[n, o, s] x[n, i, s + k·dilation − pad], one group per weight (group index =
    /// weight index); the groups past the weights give dBias[o] (+)= Σ_n Σ_s dy[n, o, s]. Each thread sums a strided
    /// slice of the positions, batch by batch, and the group folds the threads with <see cref="ReductionKernels.GroupSum"/>.
    /// </summary>
    public static void BackwardWeight(ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dWeight, ArrayView<float> dBias, int accumulate,
        ConvolutionGeometry g)
    {
        var shared = SharedMemory.Allocate<double>(ReductionKernels.MaxGroupSize);
        int target = Grid.IdxX;
        int weights = g.WeightCount;
        int positions = g.Positions;
        double sum = 0;
        if (target < weights)
        {
            int kw = target % g.KernelWidth;
            int rest = target / g.KernelWidth;
            int kh = rest % g.KernelHeight;
            rest /= g.KernelHeight;
            int kd = rest % g.KernelDepth;
            rest /= g.KernelDepth;
            int i = rest % g.InChannels;
            int o = rest / g.InChannels;
            int od = kd * g.Dilation - g.PadDepth, oh = kh * g.Dilation - g.PadHeight, ow = kw * g.Dilation - g.PadWidth;
            for (int n = 0; n < g.Batch; n++)
            {
                int output = (n * g.OutChannels + o) * positions;
                int input = (n * g.InChannels + i) * positions;
                for (int s = Group.IdxX; s < positions; s += Group.DimX)
                {
                    int col = s % g.Width;
                    int line = s / g.Width;
                    int zw = col + ow, zh = line % g.Height + oh, zd = line / g.Height + od;
                    if ((uint)zd < (uint)g.Depth && (uint)zh < (uint)g.Height && (uint)zw < (uint)g.Width)
                        sum += (double)dy[output + s] * x[input + (zd * g.Height + zh) * g.Width + zw];
                }
            }
        }
        else
        {
            int o = target - weights;
            for (int n = 0; n < g.Batch; n++)
            {
                int output = (n * g.OutChannels + o) * positions;
                for (int s = Group.IdxX; s < positions; s += Group.DimX) sum += dy[output + s];
            }
        }
        sum = ReductionKernels.GroupSum(shared, sum);
        if (!Group.IsFirstThread) return;
        if (target < weights) dWeight[target] = accumulate != 0 ? (float)(dWeight[target] + sum) : (float)sum;
        else dBias[target - weights] = accumulate != 0 ? (float)(dBias[target - weights] + sum) : (float)sum;
    }
}
