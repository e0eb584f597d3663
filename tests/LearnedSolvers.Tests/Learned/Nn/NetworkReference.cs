namespace LearnedSolvers.Tests.Learned.Nn;

/// <summary>
/// Naive double-precision definitions of the network kernels, written from PyTorch's formulas loop by loop, with no
/// tiling and no reuse of the implementation's tricks: the transposed convolution is a scatter of each output's taps,
/// not a convolution with a flipped kernel.
/// </summary>
public static class NetworkReference
{
    /// <summary>
    /// Calls <paramref name="visit"/>(output index, input index, weight index) for every (sample, output channel,
    /// position, input channel, tap) whose shifted input position lies inside the image (zero padding elsewhere).
    /// </summary>
    private static void ForEachTerm(ConvolutionCase c, Action<int, int, int> visit)
    {
        int padD = c.Dilation * (c.KD - 1) / 2, padH = c.Dilation * (c.KernelHeight - 1) / 2, padW = c.Dilation * (c.KernelWidth - 1) / 2;
        for (int n = 0; n < c.Batch; n++)
            for (int o = 0; o < c.OutputChannels; o++)
                for (int z = 0; z < c.D; z++)
                    for (int r = 0; r < c.Height; r++)
                        for (int col = 0; col < c.Width; col++)
                        {
                            int yi = (((n * c.OutputChannels + o) * c.D + z) * c.Height + r) * c.Width + col;
                            for (int i = 0; i < c.InputChannels; i++)
                                for (int a = 0; a < c.KD; a++)
                                    for (int b = 0; b < c.KernelHeight; b++)
                                        for (int e = 0; e < c.KernelWidth; e++)
                                        {
                                            int zi = z + a * c.Dilation - padD, ri = r + b * c.Dilation - padH, ci = col + e * c.Dilation - padW;
                                            if (zi < 0 || zi >= c.D || ri < 0 || ri >= c.Height || ci < 0 || ci >= c.Width) continue;
                                            int xi = (((n * c.InputChannels + i) * c.D + zi) * c.Height + ri) * c.Width + ci;
                                            int wi = (((o * c.InputChannels + i) * c.KD + a) * c.KernelHeight + b) * c.KernelWidth + e;
                                            visit(yi, xi, wi);
                                        }
                        }
    }

    /// <summary>y = w ⋆ x + b, and Σ|terms| per output (the scale its rounding error is judged against).</summary>
    public static (double[] Y, double[] Magnitude) Convolution(ConvolutionCase c, double[] x, double[] w, double[]? bias)
    {
        var y = new double[c.OutputLength];
        var magnitude = new double[c.OutputLength];
        if (bias is not null)
            for (int k = 0; k < y.Length; k++)
            {
                int o = k / c.Volume % c.OutputChannels;
                y[k] = bias[o];
                magnitude[k] = Math.Abs(bias[o]);
            }
        ForEachTerm(c, (yi, xi, wi) =>
        {
            y[yi] += w[wi] * x[xi];
            magnitude[yi] += Math.Abs(w[wi] * x[xi]);
        });
        return (y, magnitude);
    }

    /// <summary>dx[xi] = Σ dy[yi] w[wi] over the terms: each output's gradient scattered back through its taps.</summary>
    public static (double[] Dx, double[] Magnitude) ConvolutionBackwardInput(ConvolutionCase c, double[] dy, double[] w)
    {
        var dx = new double[c.InputLength];
        var magnitude = new double[c.InputLength];
        ForEachTerm(c, (yi, xi, wi) =>
        {
            dx[xi] += dy[yi] * w[wi];
            magnitude[xi] += Math.Abs(dy[yi] * w[wi]);
        });
        return (dx, magnitude);
    }

    /// <summary>dW[wi] = Σ dy[yi] x[xi] over the terms; dB[o] = Σ dy over samples and positions.</summary>
    public static (double[] DWeight, double[] Magnitude, double[] DBias) ConvolutionBackwardWeight(ConvolutionCase c, double[] x, double[] dy)
    {
        var dw = new double[c.WeightLength];
        var magnitude = new double[c.WeightLength];
        ForEachTerm(c, (yi, xi, wi) =>
        {
            dw[wi] += dy[yi] * x[xi];
            magnitude[wi] += Math.Abs(dy[yi] * x[xi]);
        });
        var db = new double[c.OutputChannels];
        for (int k = 0; k < dy.Length; k++) db[k / c.Volume % c.OutputChannels] += dy[k];
        return (dw, magnitude, db);
    }

    public static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    /// <summary>Σ |a_i|·|b_i|.</summary>
    public static double AbsDot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += Math.Abs(a[i] * b[i]);
        return s;
    }

    /// <summary>y = x wᵀ + b for x [rows, in], w [out, in].</summary>
    public static double[] Linear(double[] x, double[] w, double[]? bias, int rows, int inputs, int outputs)
    {
        var y = new double[rows * outputs];
        for (int m = 0; m < rows; m++)
            for (int o = 0; o < outputs; o++)
            {
                double s = bias?[o] ?? 0;
                for (int i = 0; i < inputs; i++) s += x[m * inputs + i] * w[o * inputs + i];
                y[m * outputs + o] = s;
            }
        return y;
    }

    public static double Activation(LearnedSolvers.Learned.Nn.Activation f, double x) => f switch
    {
        LearnedSolvers.Learned.Nn.Activation.Identity => x,
        LearnedSolvers.Learned.Nn.Activation.Relu => Math.Max(x, 0),
        LearnedSolvers.Learned.Nn.Activation.Gelu => 0.5 * x * (1 + MathNet.Numerics.SpecialFunctions.Erf(x / Math.Sqrt(2))),
        LearnedSolvers.Learned.Nn.Activation.Tanh => Math.Tanh(x),
        _ => throw new ArgumentOutOfRangeException(nameof(f)),
    };

    /// <summary>f′(x) from its closed form (ReLU′(0) = 0, as PyTorch).</summary>
    public static double ActivationDerivative(LearnedSolvers.Learned.Nn.Activation f, double x) => f switch
    {
        LearnedSolvers.Learned.Nn.Activation.Identity => 1,
        LearnedSolvers.Learned.Nn.Activation.Relu => x > 0 ? 1 : 0,
        LearnedSolvers.Learned.Nn.Activation.Gelu => 0.5 * (1 + MathNet.Numerics.SpecialFunctions.Erf(x / Math.Sqrt(2))) + x * Math.Exp(-x * x / 2) / Math.Sqrt(2 * Math.PI),
        LearnedSolvers.Learned.Nn.Activation.Tanh => 1 - Math.Tanh(x) * Math.Tanh(x),
        _ => throw new ArgumentOutOfRangeException(nameof(f)),
    };

    /// <summary>
    /// PyTorch's linear upsampling along one axis, align_corners=False: output i reads source (i + ½)/f − ½, clamped at
    /// 0; its lower neighbour floor(src), the upper one clamped at the last cell, weights 1 − frac and frac.
    /// </summary>
    public static (int Low, int High, double LowWeight, double HighWeight) LinearTaps(int i, int size, int factor)
    {
        double source = Math.Max((i + 0.5) / factor - 0.5, 0);
        int low = (int)Math.Floor(source);
        double frac = source - low;
        return (low, Math.Min(low + 1, size - 1), 1 - frac, frac);
    }

    /// <summary>Upsampling of [planes, D, H, W] (D = 1 and not refined for 2-D) by <paramref name="factor"/>.</summary>
    public static double[] Upsample(bool linear, double[] x, int planes, int depth, int height, int width, int factor, bool threeD)
    {
        int zf = threeD ? factor : 1;
        int fd = depth * zf, fh = height * factor, fw = width * factor;
        var y = new double[planes * fd * fh * fw];
        for (int p = 0; p < planes; p++)
            for (int z = 0; z < fd; z++)
                for (int r = 0; r < fh; r++)
                    for (int c = 0; c < fw; c++)
                    {
                        double v = 0;
                        if (!linear)
                            v = x[((p * depth + z / zf) * height + r / factor) * width + c / factor];
                        else
                        {
                            var tz = threeD ? LinearTaps(z, depth, factor) : (0, 0, 1.0, 0.0);
                            var tr = LinearTaps(r, height, factor);
                            var tc = LinearTaps(c, width, factor);
                            foreach (var (zi, zw) in new[] { (tz.Item1, tz.Item3), (tz.Item2, tz.Item4) })
                                foreach (var (ri, rw) in new[] { (tr.Low, tr.LowWeight), (tr.High, tr.HighWeight) })
                                    foreach (var (ci, cw) in new[] { (tc.Low, tc.LowWeight), (tc.High, tc.HighWeight) })
                                        v += zw * rw * cw * x[((p * depth + zi) * height + ri) * width + ci];
                        }
                        y[((p * fd + z) * fh + r) * fw + c] = v;
                    }
        return y;
    }

    /// <summary>The mean of each factor^d block of [planes, D, H, W] (the depth pooled only for 3-D).</summary>
    public static double[] AveragePool(double[] x, int planes, int depth, int height, int width, int factor, bool threeD)
    {
        int zf = threeD ? factor : 1;
        int cd = depth / zf, ch = height / factor, cw = width / factor;
        var y = new double[planes * cd * ch * cw];
        for (int p = 0; p < planes; p++)
            for (int z = 0; z < depth; z++)
                for (int r = 0; r < height; r++)
                    for (int c = 0; c < width; c++)
                        y[((p * cd + z / zf) * ch + r / factor) * cw + c / factor] += x[((p * depth + z) * height + r) * width + c] / (zf * factor * factor);
        return y;
    }

    /// <summary>Channels-first LayerNorm of [N, C, S] with the biased variance.</summary>
    public static (double[] Y, double[] Mean, double[] InverseStd) LayerNorm(double[] x, double[] gamma, double[] beta, double epsilon, int batch, int channels, int positions)
    {
        var y = new double[x.Length];
        var mean = new double[batch * positions];
        var inverse = new double[batch * positions];
        for (int n = 0; n < batch; n++)
            for (int p = 0; p < positions; p++)
            {
                double mu = 0, variance = 0;
                for (int c = 0; c < channels; c++) mu += x[(n * channels + c) * positions + p];
                mu /= channels;
                for (int c = 0; c < channels; c++) variance += Math.Pow(x[(n * channels + c) * positions + p] - mu, 2);
                variance /= channels;
                double inv = 1 / Math.Sqrt(variance + epsilon);
                mean[n * positions + p] = mu;
                inverse[n * positions + p] = inv;
                for (int c = 0; c < channels; c++)
                {
                    int k = (n * channels + c) * positions + p;
                    y[k] = (x[k] - mu) * inv * gamma[c] + beta[c];
                }
            }
        return (y, mean, inverse);
    }
}
