namespace LearnedSolvers.Problems;

/// <summary>
/// In-place radix-2 complex FFT (Cooley and Tukey 1965; iterative form with bit-reversed input, Numerical Recipes
/// 3rd ed., Sec. 12.2) on split real/imaginary arrays, and its d-dimensional version axis by axis. Forward is
/// X_k = Σ_j x_j e^{-2πi jk/N}; inverse uses e^{+2πi jk/N} and is not divided by N. Written here because circulant
/// embedding of a random field needs nothing more, and the library takes no FFT dependency for it.
/// </summary>
internal sealed class Fft
{
    private readonly int _length;
    private readonly double[] _cos;
    private readonly double[] _sin;
    private readonly int[] _bitReverse;

    /// <summary>A plan for length <paramref name="length"/>, a power of two.</summary>
    public Fft(int length)
    {
        if (length < 1 || !int.IsPow2(length))
            throw new ArgumentOutOfRangeException(nameof(length), length, "The FFT length must be a power of two.");
        _length = length;
        int half = Math.Max(length / 2, 1);
        _cos = new double[half];
        _sin = new double[half];
        // Each twiddle from its own Cos/Sin call: the recurrence w_{k+1} = w_k w_1 loses about log2(N) digits.
        for (int k = 0; k < half; k++)
        {
            (_sin[k], _cos[k]) = Math.SinCos(-2.0 * Math.PI * k / length);
        }
        _bitReverse = new int[length];
        int bits = int.Log2(length);
        for (int i = 0; i < length; i++)
        {
            int r = 0;
            for (int b = 0, v = i; b < bits; b++, v >>= 1) r = (r << 1) | (v & 1);
            _bitReverse[i] = r;
        }
    }

    public int Length => _length;

    /// <summary>Forward transform of one sequence in place.</summary>
    public void Forward(Span<double> re, Span<double> im) => Transform(re, im, inverse: false);

    /// <summary>Unnormalized inverse transform of one sequence in place (Inverse(Forward(x)) = N x).</summary>
    public void Inverse(Span<double> re, Span<double> im) => Transform(re, im, inverse: true);

    private void Transform(Span<double> re, Span<double> im, bool inverse)
    {
        int n = _length;
        if (re.Length != n || im.Length != n)
            throw new ArgumentException($"The FFT plan has length {n}; the arrays have {re.Length} and {im.Length}.");
        for (int i = 0; i < n; i++)
        {
            int j = _bitReverse[i];
            if (j > i)
            {
                (re[i], re[j]) = (re[j], re[i]);
                (im[i], im[j]) = (im[j], im[i]);
            }
        }
        double sign = inverse ? -1 : 1;
        for (int len = 2; len <= n; len <<= 1)
        {
            int half = len >> 1, step = n / len;
            for (int start = 0; start < n; start += len)
            {
                for (int k = 0; k < half; k++)
                {
                    double wr = _cos[k * step], wi = sign * _sin[k * step];
                    int a = start + k, b = a + half;
                    double tr = wr * re[b] - wi * im[b];
                    double ti = wr * im[b] + wi * re[b];
                    re[b] = re[a] - tr;
                    im[b] = im[a] - ti;
                    re[a] += tr;
                    im[a] += ti;
                }
            }
        }
    }

    /// <summary>
    /// Forward transform of a d-dimensional array with <see cref="Length"/> points per axis, stored with axis 0 fastest:
    /// 1D transforms along each axis in turn (the d-dimensional DFT is separable).
    /// </summary>
    public void ForwardMultidimensional(double[] re, double[] im, int dimension)
    {
        int n = _length;
        long total = 1;
        for (int a = 0; a < dimension; a++) total *= n;
        if (re.Length != total || im.Length != total)
            throw new ArgumentException($"A {dimension}D array of {n} points per axis has {total} entries; the arrays have {re.Length} and {im.Length}.");
        var lineRe = new double[n];
        var lineIm = new double[n];
        int stride = 1;
        for (int axis = 0; axis < dimension; axis++, stride *= n)
        {
            // Lines along this axis: entries base + t·stride, with base running over all indices whose axis digit is 0.
            int blockSize = stride * n;
            for (int block = 0; block < re.Length; block += blockSize)
            {
                for (int offset = 0; offset < stride; offset++)
                {
                    int b = block + offset;
                    if (stride == 1)
                    {
                        Forward(re.AsSpan(b, n), im.AsSpan(b, n));
                        continue;
                    }
                    for (int t = 0; t < n; t++)
                    {
                        lineRe[t] = re[b + t * stride];
                        lineIm[t] = im[b + t * stride];
                    }
                    Forward(lineRe, lineIm);
                    for (int t = 0; t < n; t++)
                    {
                        re[b + t * stride] = lineRe[t];
                        im[b + t * stride] = lineIm[t];
                    }
                }
            }
        }
    }
}
