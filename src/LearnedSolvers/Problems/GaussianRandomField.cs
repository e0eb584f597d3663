namespace LearnedSolvers.Problems;

/// <summary>
/// Samples a stationary zero-mean Gaussian random field φ on the points of a uniform m^d grid (d = 2 or 3), exactly,
/// by circulant embedding (Dietrich and Newsam 1993, "Fast and exact simulation of stationary Gaussian processes
/// through circulant embedding of the covariance matrix"; the method of dune-randomfield, which ConDiff uses).
/// </summary>
/// <remarks>
/// The covariance matrix of the grid is embedded in a circulant one on a periodic grid of M ≥ 2(m-1) points per
/// axis (M a power of two); its eigenvalues λ are one FFT of its first column. A sample is then one FFT of
/// sqrt(λ/M^d) times complex white noise, whose real and imaginary parts are two independent fields with exactly
/// the requested covariance. The eigenvalues are computed once per instance (setup), so each sample costs one
/// d-dimensional FFT of size M^d plus M^d normal deviates: for m = 129 in 2D (M = 256) a few milliseconds.
/// <para>
/// A covariance whose embedding is not positive semidefinite gets its embedding doubled (up to four times the
/// minimal size, while it stays under 2^25 points); eigenvalues still negative after that are set to zero, which
/// perturbs the covariance by at most <see cref="NegativeEigenvalueFraction"/> of its trace. For correlation lengths
/// well below the domain size (ConDiff's 0.05) the minimal embedding is already nonnegative to rounding.
/// </para>
/// <para>An instance is immutable and thread-safe; the random stream is the caller's, so a seed fixes the samples.</para>
/// </remarks>
public sealed class GaussianRandomField
{
    private const int MaxEmbeddingPoints = 1 << 25;

    private readonly double[] _scale; // sqrt(max(λ, 0) / M^d), on the embedding grid
    private readonly Fft _fft;

    /// <summary>Sets up the field on an m^d grid of points spaced <paramref name="spacing"/> apart.</summary>
    /// <param name="pointsPerSide">m, grid points per axis (≥ 2).</param>
    /// <param name="dimension">2 or 3.</param>
    /// <param name="covariance">Covariance model.</param>
    /// <param name="correlationLength">ℓ in C(d) = σ² ρ(d/ℓ), in the units of <paramref name="spacing"/>; &gt; 0.</param>
    /// <param name="variance">σ², the pointwise variance; &gt; 0.</param>
    /// <param name="spacing">Distance between neighbouring points; default 1/(m-1), i.e. the grid spans the unit square (cube).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size or parameter out of range, NaN or infinite, or an embedding too large for memory.</exception>
    public GaussianRandomField(int pointsPerSide, int dimension = 2, CovarianceKind covariance = CovarianceKind.Exponential,
        double correlationLength = 0.05, double variance = 1.0, double? spacing = null)
    {
        if (dimension is not (2 or 3))
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "The field dimension must be 2 or 3.");
        if (pointsPerSide < 2)
            throw new ArgumentOutOfRangeException(nameof(pointsPerSide), pointsPerSide, "The grid needs at least 2 points per axis.");
        if (!Enum.IsDefined(covariance))
            throw new ArgumentOutOfRangeException(nameof(covariance), covariance, "Unknown covariance model.");
        if (!(correlationLength > 0) || double.IsInfinity(correlationLength))
            throw new ArgumentOutOfRangeException(nameof(correlationLength), correlationLength, "The correlation length must be finite and > 0.");
        if (!(variance > 0) || double.IsInfinity(variance))
            throw new ArgumentOutOfRangeException(nameof(variance), variance, "The variance must be finite and > 0.");
        double h = spacing ?? 1.0 / (pointsPerSide - 1);
        if (!(h > 0) || double.IsInfinity(h))
            throw new ArgumentOutOfRangeException(nameof(spacing), spacing, "The grid spacing must be finite and > 0.");

        PointsPerSide = pointsPerSide;
        Dimension = dimension;
        Kind = covariance;
        CorrelationLength = correlationLength;
        Variance = variance;
        Spacing = h;

        // M ≥ 2(m-1) makes every distance between two grid points also a wrap-around distance of the periodic grid.
        long minimalLong = (long)System.Numerics.BitOperations.RoundUpToPowerOf2((ulong)(2L * (pointsPerSide - 1)));
        if (Math.Pow(minimalLong, dimension) > MaxEmbeddingPoints)
            throw new ArgumentOutOfRangeException(nameof(pointsPerSide), pointsPerSide,
                $"A {dimension}D field with {pointsPerSide} points per axis needs a circulant embedding of {minimalLong}^{dimension} points; at most {MaxEmbeddingPoints} are supported.");
        int minimal = (int)minimalLong;
        Count = dimension == 2 ? pointsPerSide * pointsPerSide : pointsPerSide * pointsPerSide * pointsPerSide;

        int size = minimal;
        double[] eigenvalues;
        while (true)
        {
            eigenvalues = EmbeddingEigenvalues(size);
            double max = 0, min = 0;
            foreach (double l in eigenvalues)
            {
                max = Math.Max(max, l);
                min = Math.Min(min, l);
            }
            bool canGrow = size < 4 * minimal && Math.Pow(2 * size, dimension) <= MaxEmbeddingPoints;
            // Rounding leaves eigenvalues of order -1e-16·max even for a valid embedding; only a real deficit counts.
            if (min >= -1e-10 * max || !canGrow) break;
            size *= 2;
        }

        EmbeddingSize = size;
        _fft = new Fft(size);
        double total = eigenvalues.Length;
        double negative = 0, sum = 0;
        _scale = new double[eigenvalues.Length];
        for (int i = 0; i < eigenvalues.Length; i++)
        {
            double l = eigenvalues[i];
            sum += Math.Abs(l);
            if (l < 0) negative -= l;
            _scale[i] = Math.Sqrt(Math.Max(l, 0) / total);
        }
        NegativeEigenvalueFraction = sum > 0 ? negative / sum : 0;
    }

    public int PointsPerSide { get; }
    public int Dimension { get; }

    /// <summary>Number of grid points, m^d: the length of a sample.</summary>
    public int Count { get; }

    public CovarianceKind Kind { get; }
    public double CorrelationLength { get; }
    public double Variance { get; }
    public double Spacing { get; }

    /// <summary>M, points per axis of the periodic embedding grid; one sample costs a d-dimensional FFT of M^d points.</summary>
    public int EmbeddingSize { get; }

    /// <summary>
    /// Σ|λ⁻| / Σ|λ| over the embedding's negative eigenvalues, which were set to zero: 0 means the samples have
    /// exactly the requested covariance (up to rounding).
    /// </summary>
    public double NegativeEigenvalueFraction { get; }

    /// <summary>C(distance) = σ² ρ(distance/ℓ).</summary>
    public double Covariance(double distance) => Variance * Correlation(Kind, distance / CorrelationLength);

    /// <summary>One field, m^d values with axis 0 fastest: index = i + m·j (+ m²·k), point (i, j(, k))·spacing.</summary>
    public double[] Sample(Random random) => SamplePair(random).First;

    /// <summary>
    /// Advances <paramref name="random"/> past what one <see cref="Sample"/> (or <see cref="SamplePair"/>) draws, without
    /// the transform and the FFT: the n-th sample of a seeded stream at the cost of the uniforms alone. Measured on
    /// darcy at 128² (`dataset --count 1600 --shard 16/16`): reaching the last shard's 1,500 skipped members took about
    /// 4 s this way and 235 s by sampling and discarding them, against about 50 s to solve the shard's own 100.
    /// </summary>
    public void Skip(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        StandardNormal.Skip(random, 2L * _scale.Length);
    }

    /// <summary>
    /// Two independent fields from one FFT (the real and imaginary parts of the circulant sample); half the cost of
    /// two <see cref="Sample"/> calls, which rejection sampling takes advantage of.
    /// </summary>
    public (double[] First, double[] Second) SamplePair(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        int total = _scale.Length;
        var re = new double[total];
        var im = new double[total];
        for (int i = 0; i < total; i++)
        {
            StandardNormal.Pair(random, out double a, out double b);
            re[i] = _scale[i] * a;
            im[i] = _scale[i] * b;
        }
        _fft.ForwardMultidimensional(re, im, Dimension);
        return (Restrict(re), Restrict(im));
    }

    private double[] Restrict(double[] embedded)
    {
        int m = PointsPerSide, size = EmbeddingSize;
        var field = new double[Count];
        int layers = Dimension == 3 ? m : 1;
        int target = 0;
        for (int k = 0; k < layers; k++)
            for (int j = 0; j < m; j++)
            {
                Array.Copy(embedded, ((long)k * size + j) * size, field, target, m);
                target += m;
            }
        return field;
    }

    /// <summary>FFT of the circulant's first column: the covariance at the periodic (wrap-around) distance.</summary>
    private double[] EmbeddingEigenvalues(int size)
    {
        int layers = Dimension == 3 ? size : 1;
        int total = size * size * layers;
        var re = new double[total];
        var im = new double[total];
        int index = 0;
        for (int k = 0; k < layers; k++)
        {
            double dk = Math.Min(k, size - k);
            for (int j = 0; j < size; j++)
            {
                double dj = Math.Min(j, size - j);
                for (int i = 0; i < size; i++)
                {
                    double di = Math.Min(i, size - i);
                    re[index++] = Covariance(Spacing * Math.Sqrt(di * di + dj * dj + dk * dk));
                }
            }
        }
        new Fft(size).ForwardMultidimensional(re, im, Dimension);
        // The first column is real and even, so the eigenvalues are real; im holds rounding only.
        return re;
    }

    private static double Correlation(CovarianceKind kind, double r) => kind switch
    {
        CovarianceKind.Exponential => Math.Exp(-r),
        CovarianceKind.Gaussian => Math.Exp(-r * r),
        CovarianceKind.Cubic => r >= 1 ? 0 : 1 - r * r * (7 - r * (8.75 - r * r * (3.5 - 0.75 * r * r))),
        CovarianceKind.Matern32 => (1 + Math.Sqrt(3) * r) * Math.Exp(-Math.Sqrt(3) * r),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown covariance model."),
    };
}
