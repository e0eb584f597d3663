using ILGPU;
using LearnedSolvers.Devices.Ilgpu;

namespace LearnedSolvers.Learned.Nn.Ilgpu;

/// <summary>
/// nn.Linear on row-major [M, in] inputs and [out, in] weights: one thread per output element for the forward and
/// input-gradient passes, one group per weight for the weight gradient. Sums run in double, in a fixed order.
/// </summary>
internal static class LinearKernels
{
    /// <summary>y[m, o] = bias[o] + Σ_j w[o, j] x[m, j]; one thread per element of y.</summary>
    public static void Forward(Index1D index, ArrayView<float> x, ArrayView<float> weight, ArrayView<float> bias, int hasBias, ArrayView<float> y,
        int inputs, int outputs)
    {
        int e = index.X;
        int o = e % outputs;
        int m = e / outputs;
        int row = m * inputs, taps = o * inputs;
        double sum = hasBias != 0 ? bias[o] : 0.0;
        for (int j = 0; j < inputs; j++) sum += (double)weight[taps + j] * x[row + j];
        y[e] = (float)sum;
    }

    /// <summary>dx[m, j] (+)= Σ_o dy[m, o] w[o, j]; one thread per element of dx.</summary>
    public static void BackwardInput(Index1D index, ArrayView<float> dy, ArrayView<float> weight, ArrayView<float> dx, int accumulate, int inputs, int outputs)
    {
        int e = index.X;
        int j = e % inputs;
        int row = e / inputs * outputs;
        double sum = 0;
        for (int o = 0; o < outputs; o++) sum += (double)dy[row + o] * weight[o * inputs + j];
        dx[e] = accumulate != 0 ? (float)(dx[e] + sum) : (float)sum;
    }

    /// <summary>
    /// dWeight[o, j] (+)= Σ_m dy[m, o] x[m, j], one group per weight (group index = weight index); the groups past the
    /// weights give dBias[o] (+)= Σ_m dy[m, o].
    /// </summary>
    public static void BackwardWeight(ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dWeight, ArrayView<float> dBias, int accumulate,
        int rows, int inputs, int outputs)
    {
        var shared = SharedMemory.Allocate<double>(ReductionKernels.MaxGroupSize);
        int target = Grid.IdxX;
        int weights = outputs * inputs;
        double sum = 0;
        if (target < weights)
        {
            int j = target % inputs;
            int o = target / inputs;
            for (int m = Group.IdxX; m < rows; m += Group.DimX) sum += (double)dy[m * outputs + o] * x[m * inputs + j];
        }
        else
        {
            int o = target - weights;
            for (int m = Group.IdxX; m < rows; m += Group.DimX) sum += dy[m * outputs + o];
        }
        sum = ReductionKernels.GroupSum(shared, sum);
        if (!Group.IsFirstThread) return;
        if (target < weights) dWeight[target] = accumulate != 0 ? (float)(dWeight[target] + sum) : (float)sum;
        else dBias[target - weights] = accumulate != 0 ? (float)(dBias[target - weights] + sum) : (float)sum;
    }
}
