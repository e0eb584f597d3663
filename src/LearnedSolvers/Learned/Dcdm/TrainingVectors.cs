using LearnedSolvers.Problems;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Learned.Dcdm;

/// <summary>
/// The right-hand sides DCDM trains its network on, without labels (Kaneda et al., "A Deep Conjugate Direction Method
/// for Iteratively Solving Linear Systems", ICML 2023, Sec. 4): unit vectors whose energy lies at the low end of A's
/// spectrum, where a preconditioner has to do the most work. The paper runs Lanczos on one matrix and takes
/// b = Σ c_i v_i / ‖·‖ over the Ritz vectors v_i in ascending order, c_i ~ N(0, 1), the lowest 55% weighted by 9
/// (<see cref="TrainingVectorSource.Ritz"/>); <see cref="TrainingVectorSource.SmoothedNoise"/> is a cheaper stand-in
/// to measure against it.
/// </summary>
/// <remarks>
/// Vectors are computed in double and stored as float, the network's precision. A seed fixes every bit: draws come
/// from a seeded <see cref="Random"/> by Box–Muller in a fixed order, and each vector is summed by one thread.
/// </remarks>
public static class TrainingVectors
{
    /// <summary>Vectors drawn and summed per parallel round: bounds the coefficient or noise buffer at this many vectors.</summary>
    private const int Batch = 64;

    /// <summary>
    /// <paramref name="count"/> unit-norm right-hand sides for the SPD matrix <paramref name="a"/>, one after another in
    /// one array of count × n floats (vector j at [j·n, (j+1)·n), the [count, n] layout of a device batch).
    /// </summary>
    /// <param name="a">Symmetric positive definite, n x n.</param>
    /// <param name="count">How many vectors, ≥ 1.</param>
    /// <param name="options">Source and its parameters.</param>
    /// <param name="seed">The same seed gives the same bits.</param>
    /// <exception cref="ArgumentException">
    /// count &lt; 1 or count·n too large for one array, A not square, not symmetric, with a diagonal entry ≤ 0 or (Ritz)
    /// a Ritz value ≤ 0, or an option out of range; the message says which.
    /// </exception>
    public static float[] Generate(CsrMatrix a, int count, TrainingVectorOptions options, int seed)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(options);
        var diagonal = CheckSpdShape(a);
        CheckCount(count, a.Rows);
        switch (options.Source)
        {
            case TrainingVectorSource.Ritz:
                CheckWeights(options);
                if (options.LanczosSteps < 1 || options.LanczosSteps > a.Rows)
                    throw new ArgumentException($"LanczosSteps must be between 1 and n = {a.Rows}; it is {options.LanczosSteps}.", nameof(options));
                var ritz = LanczosRitz.Compute(a, options.LanczosSteps, seed);
                if (ritz.Values[0] <= 0)
                    throw new ArgumentException($"A is not positive definite: Lanczos found the Ritz value {ritz.Values[0]:G6} ≤ 0.", nameof(a));
                return CombineRitzVectors(ritz, count, options, seed);
            case TrainingVectorSource.SmoothedNoise:
                return SmoothedNoise(a, diagonal, count, options, seed);
            default:
                throw new ArgumentException($"Unknown training vector source {options.Source}.", nameof(options));
        }
    }

    /// <summary>
    /// <paramref name="count"/> unit vectors b = Σ c_i v_i / ‖·‖ over the Ritz vectors of <paramref name="ritz"/> (ascending),
    /// c_i ~ N(0, 1) times <see cref="TrainingVectorOptions.LowWeight"/> for the lowest
    /// <see cref="TrainingVectorOptions.LowFraction"/> of them (rounded to the nearest count); layout as
    /// <see cref="Generate"/>. Lets one Lanczos run serve several draws. The coefficients come from Random(~seed), so with
    /// the seed that drew the Lanczos start vector they do not repeat its draws.
    /// </summary>
    /// <exception cref="ArgumentException">count &lt; 1 or count·n too large for one array, or a weight option out of range.</exception>
    public static float[] CombineRitzVectors(LanczosRitz ritz, int count, TrainingVectorOptions options, int seed)
    {
        ArgumentNullException.ThrowIfNull(ritz);
        ArgumentNullException.ThrowIfNull(options);
        CheckWeights(options);
        int m = ritz.Steps, n = ritz.Vectors[0].Length;
        CheckCount(count, n);
        int low = (int)Math.Round(options.LowFraction * m, MidpointRounding.AwayFromZero);
        double lowWeight = options.LowWeight;
        var random = new Random(~seed);
        var result = new float[count * n];
        var coefficients = new double[Batch * m];
        for (int start = 0; start < count; start += Batch)
        {
            int size = Math.Min(Batch, count - start);
            StandardNormal.Fill(random, coefficients.AsSpan(0, size * m));
            Parallel.For(0, size, () => new double[n], (j, _, b) =>
            {
                Array.Clear(b);
                for (int i = 0; i < m; i++)
                {
                    double c = coefficients[j * m + i] * (i < low ? lowWeight : 1);
                    var v = ritz.Vectors[i];
                    for (int e = 0; e < n; e++) b[e] += c * v[e];
                }
                StoreNormalized(b, result.AsSpan((start + j) * n, n));
                return b;
            }, _ => { });
        }
        return result;
    }

    /// <summary>White noise after damped Jacobi sweeps on A x = 0 (see <see cref="TrainingVectorOptions.JacobiWeight"/>).</summary>
    private static float[] SmoothedNoise(CsrMatrix a, double[] diagonal, int count, TrainingVectorOptions options, int seed)
    {
        if (options.SmoothingSweeps < 0)
            throw new ArgumentException($"SmoothingSweeps must be ≥ 0; it is {options.SmoothingSweeps}.", nameof(options));
        if (!(options.JacobiWeight > 0 && options.JacobiWeight <= 1))
            throw new ArgumentException($"JacobiWeight must be in (0, 1] so that no sweep amplifies; it is {options.JacobiWeight}.", nameof(options));
        int n = a.Rows;
        double step = 2 * options.JacobiWeight / GershgorinBoundOfJacobi(a, diagonal);
        var random = new Random(seed);
        var result = new float[count * n];
        var noise = new double[Batch * n];
        for (int start = 0; start < count; start += Batch)
        {
            int size = Math.Min(Batch, count - start);
            StandardNormal.Fill(random, noise.AsSpan(0, size * n));
            Parallel.For(0, size, () => new double[n], (j, _, ax) =>
            {
                var x = noise.AsSpan(j * n, n);
                for (int sweep = 0; sweep < options.SmoothingSweeps; sweep++)
                {
                    a.Multiply(x, ax);
                    for (int i = 0; i < n; i++) x[i] -= step * ax[i] / diagonal[i];
                }
                StoreNormalized(x, result.AsSpan((start + j) * n, n));
                return ax;
            }, _ => { });
        }
        return result;
    }

    /// <summary>max_i Σ_j |a_ij| / a_ii ≥ the largest eigenvalue of D⁻¹A (Gershgorin).</summary>
    private static double GershgorinBoundOfJacobi(CsrMatrix a, double[] diagonal)
    {
        double bound = 0;
        for (int r = 0; r < a.Rows; r++)
        {
            double s = 0;
            for (int k = a.RowPointers[r]; k < a.RowPointers[r + 1]; k++) s += Math.Abs(a.Values[k]);
            bound = Math.Max(bound, s / diagonal[r]);
        }
        return bound;
    }

    private static void StoreNormalized(ReadOnlySpan<double> x, Span<float> destination)
    {
        double squares = 0;
        foreach (double v in x) squares += v * v;
        double scale = 1 / Math.Sqrt(squares);
        for (int i = 0; i < x.Length; i++) destination[i] = (float)(x[i] * scale);
    }

    /// <summary>Square, not empty, symmetric, positive diagonal: what an SPD matrix must be and is cheap to check. Returns the diagonal.</summary>
    private static double[] CheckSpdShape(CsrMatrix a)
    {
        if (!a.IsSquare) throw new ArgumentException($"A must be square; it is {a.Rows} x {a.Columns}.", nameof(a));
        if (a.Rows == 0) throw new ArgumentException("A is empty (0 x 0).", nameof(a));
        var diagonal = a.Diagonal();
        for (int i = 0; i < diagonal.Length; i++)
            if (!(diagonal[i] > 0))
                throw new ArgumentException($"A must be symmetric positive definite, but A[{i}, {i}] = {diagonal[i]:G6} ≤ 0.", nameof(a));
        if (!a.IsSymmetric(1e-12)) throw new ArgumentException("A must be symmetric positive definite, but it is not symmetric.", nameof(a));
        return diagonal;
    }

    private static void CheckCount(int count, int n)
    {
        if (count < 1) throw new ArgumentException($"count must be at least 1; it is {count}.", nameof(count));
        if ((long)count * n > Array.MaxLength)
            throw new ArgumentException($"{count} vectors of length {n} exceed one array ({Array.MaxLength} elements); generate them in parts.", nameof(count));
    }

    private static void CheckWeights(TrainingVectorOptions options)
    {
        if (!(options.LowFraction >= 0 && options.LowFraction <= 1))
            throw new ArgumentException($"LowFraction must be in [0, 1]; it is {options.LowFraction}.", nameof(options));
        if (!(options.LowWeight > 0 && double.IsFinite(options.LowWeight)))
            throw new ArgumentException($"LowWeight must be positive and finite; it is {options.LowWeight}.", nameof(options));
    }
}
