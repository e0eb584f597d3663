namespace LearnedSolvers.Direct.Managed;

/// <summary>What the managed factors cost in memory, checked against the limit before they are allocated.</summary>
internal static class FactorMemory
{
    /// <summary>Bytes of one stored factor entry: an 8-byte value and a 4-byte row index.</summary>
    public const double BytesPerEntry = 12;

    /// <summary>
    /// Throws <see cref="FactorMemoryException"/> when <paramref name="bytes"/> exceed the limit of
    /// <paramref name="options"/>, or when <paramref name="entries"/> exceed what one .NET array holds (the managed
    /// factors keep one array per factor; that bound is then reported as the limit).
    /// </summary>
    public static void Require(DirectBackend backend, double bytes, long entries, DirectSolverOptions options)
    {
        double limit = options.EffectiveMemoryLimit;
        if (bytes > limit) throw new FactorMemoryException(backend, bytes, limit);
        if (entries > Array.MaxLength) throw new FactorMemoryException(backend, bytes, Array.MaxLength * BytesPerEntry);
    }
}
