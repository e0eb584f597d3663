namespace LearnedSolvers.Tests.Learned.Dcdm;

/// <summary>
/// DCDM's 2-D network written out plainly in double precision, from the architecture's description (the same as
/// benchmarks/gpu/dcdm_torch_equivalence.py's PyTorch module): an independent forward pass to compare ours with, and
/// to take finite differences of without float rounding.
/// </summary>
internal static class DcdmReference
{
    /// <summary>q = f(x) for x [N, 1, H, W] (flattened) with parameters by state_dict name.</summary>
    public static double[] Forward(IReadOnlyDictionary<string, double[]> p, int channels, double[] x, int batch, int h, int w)
    {
        var output = new double[batch * h * w];
        for (int s = 0; s < batch; s++)
        {
            var image = new double[1][];
            image[0] = x.AsSpan(s * h * w, h * w).ToArray();
            var f = Conv(p, "cnn1", image, 1, channels, 3, h, w);
            var a2 = Relu(Conv(p, "cnn2", f, channels, channels, 3, h, w));
            var a3 = Relu(Conv(p, "cnn3", a2, channels, channels, 3, h, w));
            var a4 = Relu(Add(Conv(p, "cnn4", a3, channels, channels, 3, h, w), a2));
            var a5 = Relu(Conv(p, "cnn5", a4, channels, channels, 3, h, w));
            int h2 = h / 2, w2 = w / 2;
            var pooled = a5.Select(c => Pool(c, h, w)).ToArray();
            var a6 = Relu(Conv(p, "cnn6", pooled, channels, channels, 3, h2, w2));
            var a7 = Relu(Add(Conv(p, "cnn7", a6, channels, channels, 3, h2, w2), pooled));
            var a8 = Relu(Conv(p, "cnn8", a7, channels, channels, 3, h2, w2));
            var a9 = Relu(Add(Conv(p, "cnn9", a8, channels, channels, 3, h2, w2), a7));
            var a10 = Relu(Conv(p, "cnn10", a9, channels, channels, 3, h2, w2));
            var a11 = Relu(Add(Conv(p, "cnn11", a10, channels, channels, 3, h2, w2), a9));
            var u = Add(a11.Select(c => Upsample(c, h2, w2)).ToArray(), a5);
            var a12 = Relu(Conv(p, "cnn12", u, channels, channels, 3, h, w));
            var a13 = Relu(Add(Conv(p, "cnn13", a12, channels, channels, 3, h, w), u));
            var a14 = Relu(Conv(p, "cnn14", a13, channels, channels, 3, h, w));
            var a15 = Relu(Add(Conv(p, "cnn15", a14, channels, channels, 3, h, w), a13));
            var q = Conv(p, "dense", a15, channels, 1, 1, h, w);
            q[0].CopyTo(output, s * h * w);
        }
        return output;
    }

    /// <summary>PyTorch's Conv2d, stride 1, zero padding k/2 (cross-correlation).</summary>
    private static double[][] Conv(IReadOnlyDictionary<string, double[]> p, string name, double[][] x, int cin, int cout, int k, int h, int w)
    {
        var weight = p[name + ".weight"];
        var bias = p[name + ".bias"];
        int r = k / 2;
        var y = new double[cout][];
        for (int o = 0; o < cout; o++)
        {
            y[o] = new double[h * w];
            for (int i = 0; i < h; i++)
                for (int j = 0; j < w; j++)
                {
                    double s = bias[o];
                    for (int c = 0; c < cin; c++)
                        for (int di = 0; di < k; di++)
                            for (int dj = 0; dj < k; dj++)
                            {
                                int ii = i + di - r, jj = j + dj - r;
                                if (ii < 0 || ii >= h || jj < 0 || jj >= w) continue;
                                s += weight[((o * cin + c) * k + di) * k + dj] * x[c][ii * w + jj];
                            }
                    y[o][i * w + j] = s;
                }
        }
        return y;
    }

    private static double[][] Relu(double[][] x) => x.Select(c => c.Select(v => Math.Max(v, 0)).ToArray()).ToArray();

    private static double[][] Add(double[][] x, double[][] y) => x.Select((c, i) => c.Select((v, j) => v + y[i][j]).ToArray()).ToArray();

    private static double[] Pool(double[] x, int h, int w)
    {
        var y = new double[h / 2 * (w / 2)];
        for (int i = 0; i < h / 2; i++)
            for (int j = 0; j < w / 2; j++)
                y[i * (w / 2) + j] = (x[2 * i * w + 2 * j] + x[2 * i * w + 2 * j + 1] + x[(2 * i + 1) * w + 2 * j] + x[(2 * i + 1) * w + 2 * j + 1]) / 4;
        return y;
    }

    private static double[] Upsample(double[] x, int h, int w)
    {
        var y = new double[4 * h * w];
        for (int i = 0; i < 2 * h; i++)
            for (int j = 0; j < 2 * w; j++) y[i * 2 * w + j] = x[i / 2 * w + j / 2];
        return y;
    }
}
