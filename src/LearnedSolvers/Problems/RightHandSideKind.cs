namespace LearnedSolvers.Problems;

/// <summary>How a generator fills the source term f.</summary>
public enum RightHandSideKind
{
    /// <summary>f = 1 everywhere: smooth, the usual benchmark right-hand side.</summary>
    Constant,

    /// <summary>f i.i.d. N(0, 1) per unknown, as in ConDiff: every eigencomponent is excited, so no solver gets a lucky start.</summary>
    WhiteNoise,
}

/// <summary>Fills b = scale · f for a <see cref="RightHandSideKind"/>.</summary>
internal static class SourceTerm
{
    public static double[] Create(RightHandSideKind kind, int size, double scale, Random random)
    {
        var b = new double[size];
        switch (kind)
        {
            case RightHandSideKind.Constant:
                Array.Fill(b, scale);
                break;
            case RightHandSideKind.WhiteNoise:
                StandardNormal.Fill(random, b);
                if (scale != 1)
                    for (int i = 0; i < b.Length; i++) b[i] *= scale;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown right-hand side kind.");
        }
        return b;
    }

    /// <summary>Advances <paramref name="random"/> past what <see cref="Create"/> draws for the same kind and size.</summary>
    public static void Skip(RightHandSideKind kind, int size, Random random)
    {
        if (kind == RightHandSideKind.WhiteNoise) StandardNormal.Skip(random, size);
    }
}
