using LearnedSolvers.Learned.Dcdm;
using LearnedSolvers.Problems;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Tests.Learned.Dcdm;

public class TrainingVectorsTests
{
    /// <summary>The eigenvalues 4 − 2cos(iπh) − 2cos(jπh), h = 1/(n+1), of the unscaled 5-point Laplacian, ascending, with multiplicity.</summary>
    private static double[] PoissonEigenvalues(int n)
    {
        double h = 1.0 / (n + 1);
        var values = new List<double>();
        for (int i = 1; i <= n; i++)
            for (int j = 1; j <= n; j++)
                values.Add(4 - 2 * Math.Cos(i * Math.PI * h) - 2 * Math.Cos(j * Math.PI * h));
        values.Sort();
        return [.. values];
    }

    /// <summary>The distinct values of an ascending list (ties within 1e-9 merged).</summary>
    private static double[] Distinct(double[] ascending)
    {
        var distinct = new List<double> { ascending[0] };
        foreach (double v in ascending)
            if (v - distinct[^1] > 1e-9) distinct.Add(v);
        return [.. distinct];
    }

    private static double ResidualNorm(CsrMatrix a, double[] v, double theta)
    {
        var av = new double[v.Length];
        a.Multiply(v, av);
        double s = 0;
        for (int i = 0; i < v.Length; i++) s += (av[i] - theta * v[i]) * (av[i] - theta * v[i]);
        return Math.Sqrt(s);
    }

    /// <summary>bᵀAb / bᵀb, in double.</summary>
    private static double RayleighQuotient(CsrMatrix a, ReadOnlySpan<float> b)
    {
        var x = new double[b.Length];
        for (int i = 0; i < x.Length; i++) x[i] = b[i];
        var ax = new double[x.Length];
        a.Multiply(x, ax);
        double num = 0, den = 0;
        for (int i = 0; i < x.Length; i++)
        {
            num += x[i] * ax[i];
            den += x[i] * x[i];
        }
        return num / den;
    }

    private static double MeanRayleighQuotient(CsrMatrix a, float[] vectors, int n) =>
        Enumerable.Range(0, vectors.Length / n).Average(j => RayleighQuotient(a, vectors.AsSpan(j * n, n)));

    // ---------------------------------------------------------------- Lanczos

    /// <summary>
    /// On the 12 x 12 grid (144 unknowns, 78 distinct eigenvalues) 50 steps resolve the low end: by the Kaniel–Paige
    /// bound the error of the k-th distinct eigenvalue falls like T_{50−k}(1 + 2γ_k)⁻², γ_k the relative gap to the rest
    /// of the spectrum; for the lowest six that is below 1e-9 of ‖A‖ ≈ 8, so 1e-8 is the tolerance. A single start vector
    /// reaches one direction of each eigenspace, so Ritz values converge to the distinct eigenvalues (λ(i, j) = λ(j, i)
    /// appears once). Interlacing holds for every Ritz value, converged or not: λ_k ≤ θ_k and θ_{m−k+1} ≤ λ_{n−k+1}.
    /// </summary>
    [Fact]
    public void RitzValues_Poisson2D_ConvergeToTheKnownEigenvalues_AtTheLowEnd()
    {
        const int n = 12, m = 50;
        var a = Poisson.TwoD(n).Matrix;
        var exact = PoissonEigenvalues(n);
        var distinct = Distinct(exact);
        var ritz = LanczosRitz.Compute(a, m, seed: 1);

        Assert.Equal(m, ritz.Steps);
        Assert.Equal(0, ritz.Restarts);
        for (int k = 0; k < 6; k++) Assert.True(Math.Abs(ritz.Values[k] - distinct[k]) < 1e-8, $"θ_{k + 1} = {ritz.Values[k]:R}, λ = {distinct[k]:R}");
        Assert.True(Math.Abs(ritz.Values[^1] - distinct[^1]) < 1e-8); // the top end converges as fast
        for (int k = 0; k < m; k++)
        {
            Assert.True(ritz.Values[k] >= exact[k] - 1e-12, $"θ_{k + 1} = {ritz.Values[k]} below λ_{k + 1} = {exact[k]}");
            Assert.True(ritz.Values[m - 1 - k] <= exact[^(k + 1)] + 1e-12);
            if (k > 0) Assert.True(ritz.Values[k] >= ritz.Values[k - 1]);
        }
    }

    /// <summary>
    /// With m = n the Krylov space from one vector of the 4 x 4 grid becomes invariant early (repeated eigenvalues):
    /// restarting from fresh vectors orthogonal to V fills all of ℝⁿ, so T is similar to A and the Ritz values are all
    /// eigenvalues with their multiplicities, to rounding.
    /// </summary>
    [Fact]
    public void RitzValues_WithAsManyStepsAsUnknowns_AreEveryEigenvalueWithMultiplicity()
    {
        const int n = 4;
        var ritz = LanczosRitz.Compute(Poisson.TwoD(n).Matrix, n * n, seed: 3);
        Assert.True(ritz.Restarts > 0);
        var exact = PoissonEigenvalues(n);
        for (int k = 0; k < exact.Length; k++) Assert.True(Math.Abs(ritz.Values[k] - exact[k]) < 1e-10, $"θ_{k + 1} = {ritz.Values[k]:R}, λ = {exact[k]:R}");
    }

    [Fact]
    public void RitzVectors_AreOrthonormal_AndConvergedOnesSatisfyTheEigenEquation()
    {
        var a = Poisson.TwoD(12).Matrix;
        var ritz = LanczosRitz.Compute(a, 50, seed: 2);
        double worst = 0;
        for (int i = 0; i < ritz.Steps; i++)
            for (int j = 0; j <= i; j++)
            {
                double dot = 0;
                for (int e = 0; e < a.Rows; e++) dot += ritz.Vectors[i][e] * ritz.Vectors[j][e];
                worst = Math.Max(worst, Math.Abs(dot - (i == j ? 1 : 0)));
            }
        Assert.True(worst < 1e-10, $"max |VᵀV − I| = {worst:E2}");

        for (int i = 0; i < ritz.Steps; i++)
        {
            double actual = ResidualNorm(a, ritz.Vectors[i], ritz.Values[i]);
            // The estimate β_m |y_mi| is exact up to rounding because V stays orthonormal.
            Assert.True(Math.Abs(actual - ritz.ResidualNorms[i]) < 1e-10, $"pair {i}: ‖Av − θv‖ = {actual:E3}, estimate {ritz.ResidualNorms[i]:E3}");
            if (i < 4) Assert.True(actual < 1e-7, $"low pair {i}: ‖Av − θv‖ = {actual:E3}");
        }
    }

    [Fact]
    public void Lanczos_IsDeterministicPerSeed()
    {
        var a = Poisson.TwoD(9).Matrix;
        var first = LanczosRitz.Compute(a, 30, seed: 5);
        var again = LanczosRitz.Compute(a, 30, seed: 5);
        var other = LanczosRitz.Compute(a, 30, seed: 6);
        Assert.Equal(first.Values, again.Values);
        for (int i = 0; i < first.Steps; i++) Assert.Equal(first.Vectors[i], again.Vectors[i]);
        Assert.NotEqual(first.Vectors[10], other.Vectors[10]);
    }

    // ---------------------------------------------------------------- training vectors

    private static TrainingVectorOptions Options(TrainingVectorSource source) => new() { Source = source, LanczosSteps = 60 };

    [Theory]
    [InlineData(TrainingVectorSource.Ritz)]
    [InlineData(TrainingVectorSource.SmoothedNoise)]
    public void Generate_UnitVectors_DeterministicPerSeed_DifferentAcrossSeeds(TrainingVectorSource source)
    {
        var a = Poisson.TwoD(16).Matrix;
        int n = a.Rows;
        const int count = 70; // more than one internal batch
        var vectors = TrainingVectors.Generate(a, count, Options(source), seed: 11);

        Assert.Equal(count * n, vectors.Length);
        for (int j = 0; j < count; j++)
        {
            double squares = 0;
            foreach (float v in vectors.AsSpan(j * n, n)) squares += (double)v * v;
            Assert.True(Math.Abs(Math.Sqrt(squares) - 1) < 1e-6, $"vector {j}: ‖b‖ = {Math.Sqrt(squares):R}");
        }
        Assert.Equal(vectors, TrainingVectors.Generate(a, count, Options(source), seed: 11));
        var other = TrainingVectors.Generate(a, count, Options(source), seed: 12);
        Assert.NotEqual(vectors, other);
        Assert.NotEqual(vectors.AsSpan(0, n).ToArray(), vectors.AsSpan(n, n).ToArray()); // vectors within a set differ too
    }

    /// <summary>
    /// White noise has E[bᵀAb] = trace(A)/n = 4 on the Laplacian; both sources move their energy to the low end. The Ritz
    /// source weights the lower 55% of the Ritz values by 81 (9²) against 1 for the rest, so its mean is about the mean
    /// of the lower 55% of the Ritz values, which Lanczos spreads over the spectrum: about 2 here. The smoothed source
    /// damps the upper half of the spectrum by 3 per sweep: about 0.36 after 10 sweeps. Both are asserted below 0.6 of
    /// white noise.
    /// </summary>
    [Theory]
    [InlineData(TrainingVectorSource.Ritz)]
    [InlineData(TrainingVectorSource.SmoothedNoise)]
    public void Generate_ConcentratesOnTheLowEnd_RayleighQuotientWellBelowWhiteNoise(TrainingVectorSource source)
    {
        var a = Poisson.TwoD(16).Matrix;
        int n = a.Rows;
        var noise = TrainingVectors.Generate(a, 40, new TrainingVectorOptions { Source = TrainingVectorSource.SmoothedNoise, SmoothingSweeps = 0 }, seed: 1);
        double whiteNoise = MeanRayleighQuotient(a, noise, n);
        Assert.InRange(whiteNoise, 3.8, 4.2);

        double generated = MeanRayleighQuotient(a, TrainingVectors.Generate(a, 40, Options(source), seed: 1), n);
        Assert.True(generated < 0.6 * whiteNoise, $"{source}: mean bᵀAb = {generated:F3}, white noise {whiteNoise:F3}");
    }

    [Fact]
    public void Generate_Ritz_LowWeightIsWhatConcentratesTheEnergy()
    {
        var a = Poisson.TwoD(16).Matrix;
        var ritz = LanczosRitz.Compute(a, 60, seed: 4);
        double weighted = MeanRayleighQuotient(a, TrainingVectors.CombineRitzVectors(ritz, 40, new TrainingVectorOptions(), seed: 4), a.Rows);
        double even = MeanRayleighQuotient(a, TrainingVectors.CombineRitzVectors(ritz, 40, new TrainingVectorOptions { LowWeight = 1 }, seed: 4), a.Rows);
        Assert.True(weighted < 0.6 * even, $"weighted {weighted:F3}, unweighted {even:F3}");

        // (VY)ᵀA(VY) = Θ, so bᵀAb / bᵀb = Σ c_i² θ_i / Σ c_i²: its mean is close to Σ w_i² θ_i / Σ w_i².
        int low = (int)Math.Round(0.55 * ritz.Steps);
        double expected = Enumerable.Range(0, ritz.Steps).Sum(i => (i < low ? 81 : 1) * ritz.Values[i]) / (81.0 * low + ritz.Steps - low);
        Assert.True(Math.Abs(weighted - expected) < 0.15 * expected, $"weighted {weighted:F3}, expected about {expected:F3}");
        // Generate is Lanczos with the seed, then this combination.
        Assert.Equal(TrainingVectors.Generate(a, 5, new TrainingVectorOptions { LanczosSteps = 60 }, seed: 4),
            TrainingVectors.CombineRitzVectors(ritz, 5, new TrainingVectorOptions(), seed: 4));
    }

    // ---------------------------------------------------------------- arguments

    private static readonly CsrMatrix Laplacian = Poisson.TwoD(4).Matrix;

    public static TheoryData<string, Func<object>, string> BadArguments() => new()
    {
        { "count 0", () => TrainingVectors.Generate(Laplacian, 0, new TrainingVectorOptions { LanczosSteps = 8 }, 1), "count must be at least 1; it is 0" },
        { "not square", () => TrainingVectors.Generate(CsrMatrix.FromTriplets(3, 4, [0], [0], [1.0]), 1, new TrainingVectorOptions(), 1), "A must be square; it is 3 x 4" },
        { "too many steps", () => TrainingVectors.Generate(Laplacian, 1, new TrainingVectorOptions(), 1), "LanczosSteps must be between 1 and n = 16; it is 200" },
        { "no steps", () => TrainingVectors.Generate(Laplacian, 1, new TrainingVectorOptions { LanczosSteps = 0 }, 1), "LanczosSteps must be between 1 and n = 16; it is 0" },
        { "fraction", () => TrainingVectors.Generate(Laplacian, 1, new TrainingVectorOptions { LanczosSteps = 8, LowFraction = 1.5 }, 1), "LowFraction must be in [0, 1]; it is 1.5" },
        { "weight", () => TrainingVectors.Generate(Laplacian, 1, new TrainingVectorOptions { LanczosSteps = 8, LowWeight = double.NaN }, 1), "LowWeight must be positive and finite; it is NaN" },
        { "sweeps", () => TrainingVectors.Generate(Laplacian, 1, new TrainingVectorOptions { Source = TrainingVectorSource.SmoothedNoise, SmoothingSweeps = -1 }, 1), "SmoothingSweeps must be ≥ 0; it is -1" },
        { "damping", () => TrainingVectors.Generate(Laplacian, 1, new TrainingVectorOptions { Source = TrainingVectorSource.SmoothedNoise, JacobiWeight = 1.5 }, 1), "JacobiWeight must be in (0, 1]" },
        { "source", () => TrainingVectors.Generate(Laplacian, 1, new TrainingVectorOptions { Source = (TrainingVectorSource)7 }, 1), "Unknown training vector source 7" },
        { "huge", () => TrainingVectors.Generate(Laplacian, int.MaxValue / 4, new TrainingVectorOptions { LanczosSteps = 8 }, 1), "exceed one array" },
        { "negative diagonal", () => TrainingVectors.Generate(CsrMatrix.FromTriplets(2, 2, [0, 1], [0, 1], [1.0, -1.0]), 1, new TrainingVectorOptions { LanczosSteps = 2 }, 1), "A[1, 1] = -1 ≤ 0" },
        { "nonsymmetric", () => TrainingVectors.Generate(CsrMatrix.FromTriplets(2, 2, [0, 0, 1], [0, 1, 1], [2.0, 1.0, 2.0]), 1, new TrainingVectorOptions { LanczosSteps = 2 }, 1), "it is not symmetric" },
        { "indefinite", () => TrainingVectors.Generate(CsrMatrix.FromTriplets(2, 2, [0, 0, 1, 1], [0, 1, 0, 1], [1.0, 2.0, 2.0, 1.0]), 1, new TrainingVectorOptions { LanczosSteps = 2 }, 1), "not positive definite: Lanczos found the Ritz value -1" },
        { "lanczos steps", () => LanczosRitz.Compute(Laplacian, 17, 1), "Lanczos steps must be between 1 and n = 16 (the Krylov space has at most n dimensions); 17 were asked" },
        { "lanczos no steps", () => LanczosRitz.Compute(Laplacian, 0, 1), "n dimensions); 0 were asked" },
        { "lanczos not square", () => LanczosRitz.Compute(CsrMatrix.FromTriplets(2, 3, [0], [0], [1.0]), 1, 1), "Lanczos needs a square matrix; A is 2 x 3" },
        { "lanczos nonsymmetric", () => LanczosRitz.Compute(CsrMatrix.FromTriplets(2, 2, [0, 1], [1, 1], [1.0, 2.0]), 1, 1), "Lanczos needs a symmetric matrix" },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void BadArguments_GiveArgumentException_SayingWhat(string label, Func<object> call, string expected)
    {
        var e = Assert.Throws<ArgumentException>(call);
        Assert.Contains(expected, e.Message);
        Assert.False(string.IsNullOrEmpty(e.ParamName), label);
    }
}
