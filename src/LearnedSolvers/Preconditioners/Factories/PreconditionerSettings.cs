using System.Globalization;

namespace LearnedSolvers.Preconditioners.Factories;

/// <summary>
/// Reads typed option values from the text settings a <see cref="PreconditionerRegistry"/> entry is given (keys are
/// case-insensitive). A key that is absent keeps the option's default; a value that does not parse is an
/// <see cref="ArgumentException"/> naming the key, the value and what was expected.
/// </summary>
internal sealed class PreconditionerSettings
{
    private readonly Dictionary<string, string> _values;
    private readonly HashSet<string> _asked = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The keys an entry has looked up so far, present or not: how the registry learns which keys it reads.</summary>
    public IReadOnlyCollection<string> Asked => _asked;

    public PreconditionerSettings(IReadOnlyDictionary<string, string>? values)
    {
        _values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in values ?? new Dictionary<string, string>()) _values[key.Trim()] = value;
    }

    public double Double(string key, double fallback) =>
        !TryGet(key, out var text) ? fallback
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value
        : throw Bad(key, text, "a number");

    /// <summary>True when <paramref name="key"/> is set to <paramref name="word"/> (any case).</summary>
    public bool Is(string key, string word) => TryGet(key, out var text) && string.Equals(text.Trim(), word, StringComparison.OrdinalIgnoreCase);

    public double? DoubleOrNull(string key, double? fallback) => TryGet(key, out _) ? Double(key, 0.0) : fallback;

    public int Int(string key, int fallback) =>
        !TryGet(key, out var text) ? fallback
        : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value
        : throw Bad(key, text, "an integer");

    /// <summary>The text of a setting, trimmed, or <paramref name="fallback"/> when it is absent or blank.</summary>
    public string Text(string key, string fallback) =>
        TryGet(key, out var text) && !string.IsNullOrWhiteSpace(text) ? text.Trim() : fallback;

    /// <summary>The text of a setting that has no default.</summary>
    /// <param name="key">The setting.</param>
    /// <param name="meaning">What it is, for the message when it is missing.</param>
    public string Required(string key, string meaning) =>
        TryGet(key, out var text) && !string.IsNullOrWhiteSpace(text) ? text.Trim()
        : throw new ArgumentException($"Preconditioner setting '{key}' is required: {meaning}.", key);

    /// <summary>An enum value by its name in any case, hyphens ignored ("gauss-seidel" is GaussSeidel).</summary>
    public T Enum<T>(string key, T fallback) where T : struct, System.Enum
    {
        if (!TryGet(key, out var text)) return fallback;
        foreach (var value in System.Enum.GetValues<T>())
            if (string.Equals(value.ToString(), text.Replace("-", ""), StringComparison.OrdinalIgnoreCase)) return value;
        throw Bad(key, text, "one of " + string.Join(", ", System.Enum.GetNames<T>().Select(n => n.ToLowerInvariant())));
    }

    private bool TryGet(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? text)
    {
        _asked.Add(key);
        return _values.TryGetValue(key, out text);
    }

    private static ArgumentException Bad(string key, string text, string expected) =>
        new($"Preconditioner setting '{key}' is '{text}'; expected {expected}.", key);
}
