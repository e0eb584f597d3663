using System.Globalization;

namespace LearnedSolvers.Cli;

/// <summary>
/// Checks of numeric options made before any work starts, so that an absurd value ends in a message naming the
/// option and the value, not in an overflow, a crash deep in a solver, or gigabytes allocated first.
/// </summary>
internal static class OptionChecks
{
    /// <summary>
    /// Contrasts beyond this make k span more orders of magnitude than double precision resolves in one system
    /// (its condition number grows with the contrast), and squared coefficients overflow past 1e154.
    /// </summary>
    public const double MaxContrast = 1e12;

    /// <summary>A relative tolerance lies in (0, 1): at 1 or more the zero vector already meets it.</summary>
    public static void RelativeTolerance(string option, double value)
    {
        if (!(value > 0 && value < 1))
            throw new UsageException($"{option} (the relative tolerance) must be a number in (0, 1) (got {Show(value)}): it is the target for ||b - Ax|| / ||b||, which x = 0 already meets at 1");
    }

    /// <summary>A coefficient contrast max k / min k: finite, from 1 to <see cref="MaxContrast"/>.</summary>
    public static void Contrast(string option, double? value)
    {
        if (value is double c && !(c >= 1 && c <= MaxContrast))
            throw new UsageException($"{option} must lie between 1 and {MaxContrast:G3} (got {Show(c)}): it is max k / min k, and larger contrasts are beyond double precision");
    }

    /// <summary>A finite number at least <paramref name="min"/>.</summary>
    public static void FiniteAtLeast(string option, double value, double min)
    {
        if (!(value >= min) || double.IsInfinity(value))
            throw new UsageException($"{option} must be a finite number ≥ {Show(min)} (got {Show(value)})");
    }

    /// <summary>The GCRO-DR recycle dimension k: 0 ≤ k &lt; m, since each cycle needs at least one new Krylov vector.</summary>
    public static void Recycle(int recycle, int restart)
    {
        if (recycle < 0) throw new UsageException($"--recycle must be at least 0 (got {recycle})");
        if (recycle >= restart)
            throw new UsageException($"--recycle must be less than --restart (got recycle {recycle}, restart {restart}): each cycle needs at least one new Krylov vector");
    }

    /// <summary>
    /// A grid of <paramref name="n"/> points per side in <paramref name="dimensions"/> dimensions, with a
    /// (2d + 1)-point stencil: the unknowns and stored entries must fit 32-bit indices, and one matrix with a few
    /// vectors must fit in memory.
    /// </summary>
    public static void Grid(string option, int n, int dimensions, int min = 1, int systems = 1)
    {
        if (n < min) throw new UsageException($"{option} must be at least {min} (got {n})");
        double unknowns = Math.Pow(n, dimensions);
        double entries = (2 * dimensions + 1) * unknowns;
        if (entries > Array.MaxLength)
            throw new UsageException($"{option} {n} gives {unknowns:G4} unknowns and {entries:G4} matrix entries, more than the {Array.MaxLength} 32-bit indices address");
        // CSR (12 bytes an entry, 4 a row) and about eight vectors of doubles per system.
        Fits(systems * (12 * entries + 68 * unknowns), systems == 1 ? $"{option} {n}" : $"{systems} systems of {option} {n}");
    }

    /// <summary>Refuses <paramref name="bytes"/> beyond what the process may use, naming what asks for them.</summary>
    public static void Fits(double bytes, string what)
    {
        if (!MemoryBudget.Fits(bytes)) throw new UsageException($"{what} {MemoryBudget.Shortfall(bytes)}");
    }

    /// <summary>
    /// "i/N", shard i of N with 1 ≤ i ≤ N (1-based, as Slurm numbers array tasks from `--array=1-N`), and no more shards
    /// than the <paramref name="members"/> to split, since every shard must be a data set of at least one member.
    /// </summary>
    public static Sequences.DatasetShard Shard(string option, string text, string countOption, int members)
    {
        var parts = text.Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count)
            || count < 1 || index < 1 || index > count)
            throw new UsageException($"{option} must be i/N with 1 <= i <= N, 1-based (the first of N shards is 1/N, the last N/N) (got '{text}')");
        if (count > members)
            throw new UsageException($"{option} {text} splits {countOption} {members} into {count} shards; at most {members} (every shard holds at least one member)");
        return new Sequences.DatasetShard(index, count);
    }

    private static string Show(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
