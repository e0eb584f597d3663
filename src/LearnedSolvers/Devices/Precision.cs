namespace LearnedSolvers.Devices;

/// <summary>
/// The floating-point format a preconditioner stores its values in and computes with. A single-precision
/// preconditioner inside a double iteration reads and writes half the bytes; the iteration, its residual and its stop
/// test stay in double.
/// </summary>
public enum Precision
{
    Double,
    Single,
}

/// <summary>The check every holder of a <see cref="Precision"/> makes (devices, preconditioner options).</summary>
internal static class PrecisionCheck
{
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is not one of <see cref="Precision"/>'s values.</exception>
    public static Precision Valid(Precision value, string name) =>
        Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(name, value, "The precision is Double or Single.");
}
