namespace LearnedSolvers.Problems;

/// <summary>
/// Standard normal deviates from a seeded <see cref="Random"/> by the Box–Muller transform (Box and Muller 1958).
/// Written out rather than taken from a library so that a seed fixes the data: a seeded System.Random keeps its legacy
/// algorithm across .NET releases, and this transform adds nothing version-dependent beyond Math.Log and Math.SinCos.
/// </summary>
internal static class StandardNormal
{
    /// <summary>Fills <paramref name="destination"/> with independent N(0, 1) values; both outputs of each transform are used.</summary>
    public static void Fill(Random random, Span<double> destination)
    {
        int i = 0;
        for (; i + 1 < destination.Length; i += 2) Pair(random, out destination[i], out destination[i + 1]);
        if (i < destination.Length) Pair(random, out destination[i], out _);
    }

    /// <summary>
    /// Advances <paramref name="random"/> past the draws <see cref="Fill"/> makes for <paramref name="count"/> values
    /// (two uniforms a pair, the last pair's second value discarded), without the transform: how a generator reaches
    /// the n-th member of a seeded sequence at the cost of the uniforms alone.
    /// </summary>
    public static void Skip(Random random, long count)
    {
        for (long u = 2 * ((count + 1) / 2); u > 0; u--) random.NextDouble();
    }

    /// <summary>Two independent N(0, 1) values.</summary>
    public static void Pair(Random random, out double first, out double second)
    {
        // 1 - U lies in (0, 1], so the logarithm is finite.
        double radius = Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble()));
        double angle = 2.0 * Math.PI * random.NextDouble();
        (double sin, double cos) = Math.SinCos(angle);
        first = radius * cos;
        second = radius * sin;
    }
}
