using System.Globalization;

namespace LearnedSolvers;

/// <summary>
/// What a size asked for by a file or an option would cost, checked before anything is allocated: an allocation the
/// machine cannot back otherwise ends in minutes of paging or an out-of-memory crash instead of a message.
/// </summary>
public static class MemoryBudget
{
    /// <summary>
    /// Bytes the process may use: physical memory, or the container's or GC heap's hard limit where one is set
    /// (<see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>).
    /// </summary>
    public static long AvailableBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>Whether <paramref name="bytes"/> (saturated, never negative on overflow) fits in what the process may use.</summary>
    public static bool Fits(double bytes) => bytes <= AvailableBytes;

    /// <summary>"8.6 GB", "120 MB": a size for a message.</summary>
    public static string Format(double bytes) => bytes switch
    {
        >= 1e12 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e12:G3} TB"),
        >= 1e9 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e9:G3} GB"),
        >= 1e6 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:G3} MB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e3:G3} kB"),
    };

    /// <summary>"needs 8.6 GB, more than the 4.2 GB this process may use": the tail of a message about <paramref name="bytes"/>.</summary>
    public static string Shortfall(double bytes) => $"needs {Format(bytes)}, more than the {Format(AvailableBytes)} this process may use";
}
