using System.CommandLine;
using LearnedSolvers.Devices;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Cli;

/// <summary>
/// The `learnedsolvers` command line. Every failure the user can cause ends in one line on stderr and a
/// documented exit code, never a stack trace.
/// </summary>
public static class CliApp
{
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = CreateRoot(output, error);
        if (Environment.GetEnvironmentVariable("LEARNEDSOLVERS_REPORT_PEAK_MEMORY") == "1") ReportPeakMemoryAtExit(error);
        try
        {
            var parsed = root.Parse(args);
            if (parsed.Errors.Count > 0)
                return Fail(error, ExitCodes.BadInput, $"{string.Join(" ", parsed.Errors.Select(e => OptionPrefix(e) + OneLine(e.Message)).Distinct())} (see 'learnedsolvers {CommandPath(parsed)}--help')");
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) { return ReportFailure(e, error, args); }
    }

    /// <summary>
    /// One line on <paramref name="error"/> for a failure and its documented exit code: a usage or input error, a
    /// failed setup, or (last) an internal error. Used for a command's own failures and by the MPI solve, whose
    /// failing rank reports and then ends the job with this code.
    /// </summary>
    internal static int ReportFailure(Exception e, TextWriter error, string[] args) => e switch
    {
        UsageException => Fail(error, ExitCodes.BadInput, e.Message),
        MatrixMarketException => Fail(error, ExitCodes.BadInput, e.Message),
        InvalidMatrixException => Fail(error, ExitCodes.BadInput, e.Message),
        DeviceMismatchException => Fail(error, ExitCodes.BadInput, e.Message),
        ZeroPivotException => Fail(error, ExitCodes.SetupFailed, e.Message),
        Direct.FactorMemoryException => Fail(error, ExitCodes.SetupFailed, e.Message),
        Direct.SuiteSparse.SuiteSparseUnavailableException => Fail(error, ExitCodes.SetupFailed, e.Message),
        Learned.Nn.SafetensorsFormatException => Fail(error, ExitCodes.BadInput, e.Message),
        FileNotFoundException missing => Fail(error, ExitCodes.BadInput, $"file not found: {missing.FileName ?? missing.Message}"),
        DirectoryNotFoundException => Fail(error, ExitCodes.BadInput, e.Message),
        UnauthorizedAccessException => Fail(error, ExitCodes.BadInput, e.Message),
        IOException => Fail(error, ExitCodes.BadInput, e.Message),
        ArgumentException argument => Fail(error, ExitCodes.BadInput, WithoutParameterName(argument)),
        _ => Internal(error, e, args),
    };

    /// <summary>The command tree: every command and option the parser accepts (the README's synopsis is checked against it).</summary>
    internal static RootCommand CreateRoot(TextWriter output, TextWriter error)
    {
        var root = new RootCommand(
            "LearnedSolvers: fast sparse linear solvers.\n" +
            "Exit codes: 0 success, 1 solve did not converge, 2 bad arguments or input file, 3 preconditioner setup failed, 4 internal error (rerun with --debug for the trace), 130 interrupted by Ctrl-C (what was complete is kept).")
        {
            SolveCommand.Create(output, error),
            GenerateCommand.Create(output),
            CompareCommand.Create(output, error),
            DemoCommand.Create(output),
            DatasetCommand.Create(output, error),
            SequenceCommand.Create(output, error),
            BenchCommand.Create(output),
            TrainCommand.Create(output, error),
        };
        root.Options.Add(DebugOption);
        return root;
    }

    /// <summary>Shows the trace of an internal error; declared so that the parser accepts it after any command.</summary>
    private static readonly Option<bool> DebugOption = new("--debug") { Recursive = true, Description = "on an internal error, print the stack trace" };

    /// <summary>
    /// The last resort: a bug (or a resource the input did not ask for) must still end in one line and a documented
    /// code; the trace is for a bug report, so only --debug shows it.
    /// </summary>
    private static int Internal(TextWriter error, Exception e, string[] args)
    {
        if (e is OutOfMemoryException)
            error.WriteLine($"error: out of memory ({OneLine(e.Message)}); the input or options ask for more than this machine has");
        else
            error.WriteLine($"error: internal error: {e.GetType().Name}: {OneLine(e.Message)} (rerun with --debug for the trace)");
        if (args.Contains("--debug")) error.WriteLine(e);
        return ExitCodes.InternalError;
    }

    /// <summary>
    /// Hidden, for the tests that bound the memory a hostile file can cost: the peak resident set (VmHWM) as the
    /// process ends, which no API reads back after a child process has exited.
    /// </summary>
    private static void ReportPeakMemoryAtExit(TextWriter error) => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        if (line is not null) error.WriteLine("peak-memory: " + line["VmHWM:".Length..].Trim());
    };

    /// <summary>"--method: " for an error in an option's value, which the parser's message ("Argument 'foo' not recognized") leaves out.</summary>
    private static string OptionPrefix(System.CommandLine.Parsing.ParseError e) =>
        e.SymbolResult switch
        {
            System.CommandLine.Parsing.OptionResult o => $"{o.Option.Name}: ",
            System.CommandLine.Parsing.ArgumentResult { Parent: System.CommandLine.Parsing.OptionResult o } => $"{o.Option.Name}: ",
            _ => "",
        };

    /// <summary>The library's parameter names that the CLI's options set directly.</summary>
    private static readonly Dictionary<string, string> OptionOfParameter = new(StringComparer.OrdinalIgnoreCase)
    {
        ["TargetContrast"] = "--contrast", ["Peclet"] = "--peclet", ["GridSize"] = "--n", ["omega"] = "--omega", ["shift"] = "--shift",
        ["power"] = "--power", ["RelativeTolerance"] = "--rtol", ["MaxIterations"] = "--maxit", ["restart"] = "--restart", ["recycle"] = "--recycle",
    };

    /// <summary>
    /// An argument exception in the user's terms: the option for the parameter where one sets it, the value, and
    /// without the " (Parameter 'x')" the runtime appends, since names in the code mean nothing to a user.
    /// </summary>
    internal static string WithoutParameterName(ArgumentException e)
    {
        string message = FirstLine(e.Message);
        if (e.ParamName is not { } name) return message;
        if (message.EndsWith($" (Parameter '{name}')", StringComparison.Ordinal)) message = message[..^$" (Parameter '{name}')".Length];
        if (!OptionOfParameter.TryGetValue(name, out var option)) return message;
        return e is ArgumentOutOfRangeException { ActualValue: { } value }
            ? $"{option} {Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)}: {message}"
            : $"{option}: {message}";
    }

    private static string CommandPath(ParseResult parsed) =>
        parsed.CommandResult.Command is RootCommand ? "" : parsed.CommandResult.Command.Name + " ";

    private static int Fail(TextWriter error, int code, string message)
    {
        error.WriteLine($"error: {FirstLine(message)}");
        return code;
    }

    /// <summary>The parser lists allowed values on lines of their own ("Must be one of:\n\t'cg'…"): keep them, on one line.</summary>
    private static string OneLine(string message) => string.Join(" ", message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static string FirstLine(string message)
    {
        int newline = message.IndexOfAny(['\r', '\n']);
        return newline < 0 ? message : message[..newline];
    }
}
