using LearnedSolvers.Devices;

namespace LearnedSolvers.Preconditioners.Factories;

/// <summary>The check every triangular-factor preconditioner's options make of their <see cref="Precision"/>.</summary>
internal static class PrecisionOption
{
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is not one of <see cref="Precision"/>'s values.</exception>
    public static Precision Check(Precision value, string name) =>
        Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(name, value, "The precision is Double or Single.");
}
