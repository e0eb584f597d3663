using System.Globalization;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners.Factories;

namespace LearnedSolvers.Native;

/// <summary>
/// The options text of <c>ls_solver_create</c>: "key=value" entries separated by ';', ',' or line breaks, spaces
/// around keys and values ignored, keys in any case. Solver keys are read here; every other key must be one some
/// preconditioner reads (<see cref="PreconditionerRegistry.SettingKeys"/>) and goes to the registry, so a misspelt key
/// is refused instead of silently ignored. Defaults are the command line's.
/// </summary>
internal sealed record SolverSettings(SolverOptions Options, int Restart, int Recycle, IReadOnlyDictionary<string, string> Preconditioner)
{
    public static IReadOnlyList<string> SolverKeys { get; } = ["rtol", "atol", "maxit", "divtol", "restart", "recycle"];

    public static SolverSettings Parse(string? text)
    {
        var defaults = new SolverOptions(RelativeTolerance: 1e-8, MaxIterations: 10_000);
        double rtol = defaults.RelativeTolerance, atol = defaults.AbsoluteTolerance, divtol = defaults.DivergenceTolerance;
        int maxit = defaults.MaxIterations, restart = 30, recycle = 10;
        var preconditioner = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        foreach (var entry in (text ?? "").Split([';', ',', '\n', '\r'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = entry.IndexOf('=');
            if (eq <= 0) throw Bad($"option '{entry}' is not key=value");
            string key = entry[..eq].Trim().ToLowerInvariant(), value = entry[(eq + 1)..].Trim();
            switch (key)
            {
                case "rtol": rtol = Number(key, value); break;
                case "atol": atol = Number(key, value); break;
                case "divtol": divtol = Number(key, value); break;
                case "maxit": maxit = Integer(key, value); break;
                case "restart": restart = Integer(key, value); break;
                case "recycle": recycle = Integer(key, value); break;
                default:
                    if (!PreconditionerRegistry.SettingKeys.Contains(key))
                        throw Bad($"unknown option '{key}'; solver options are {string.Join(", ", SolverKeys)}; "
                            + $"preconditioner options are {string.Join(", ", PreconditionerRegistry.SettingKeys)}");
                    preconditioner[key] = value;
                    break;
            }
        }
        if (restart < 1) throw Bad($"restart must be at least 1 (got {restart})");
        if (recycle < 0) throw Bad($"recycle must be at least 0 (got {recycle})");
        var options = defaults with { RelativeTolerance = rtol, AbsoluteTolerance = atol, MaxIterations = maxit, DivergenceTolerance = divtol };
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw Bad(NativeErrors.Describe(e));
        }
        return new SolverSettings(options, restart, recycle, preconditioner);
    }

    private static double Number(string key, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : throw Bad($"option {key} is '{value}'; expected a number");

    private static int Integer(string key, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : throw Bad($"option {key} is '{value}'; expected an integer");

    private static NativeException Bad(string message) => new(NativeStatus.InvalidOption, message);
}
