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
        var root = new RootCommand(
            "LearnedSolvers: fast sparse linear solvers.\n" +
            "Exit codes: 0 success, 1 solve did not converge, 2 bad arguments or input file, 3 preconditioner setup failed.")
        {
            SolveCommand.Create(output),
            GenerateCommand.Create(output),
            CompareCommand.Create(output),
            DemoCommand.Create(output),
            DatasetCommand.Create(output, error),
            BenchCommand.Create(output),
            TrainCommand.Create(output),
        };
        try
        {
            var parsed = root.Parse(args);
            if (parsed.Errors.Count > 0)
                return Fail(error, ExitCodes.BadInput, $"{string.Join(" ", parsed.Errors.Select(e => OneLine(e.Message)).Distinct())} (see 'learnedsolvers {CommandPath(parsed)}--help')");
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (UsageException e) { return Fail(error, ExitCodes.BadInput, e.Message); }
        catch (MatrixMarketException e) { return Fail(error, ExitCodes.BadInput, e.Message); }
        catch (InvalidMatrixException e) { return Fail(error, ExitCodes.BadInput, e.Message); }
        catch (DeviceMismatchException e) { return Fail(error, ExitCodes.BadInput, e.Message); }
        catch (ZeroPivotException e) { return Fail(error, ExitCodes.SetupFailed, e.Message); }
        catch (Learned.Nn.SafetensorsFormatException e) { return Fail(error, ExitCodes.BadInput, e.Message); }
        catch (FileNotFoundException e) { return Fail(error, ExitCodes.BadInput, $"file not found: {e.FileName ?? e.Message}"); }
        catch (DirectoryNotFoundException e) { return Fail(error, ExitCodes.BadInput, e.Message); }
        catch (UnauthorizedAccessException e) { return Fail(error, ExitCodes.BadInput, e.Message); }
        catch (IOException e) { return Fail(error, ExitCodes.BadInput, e.Message); }
        catch (ArgumentException e) { return Fail(error, ExitCodes.BadInput, FirstLine(e.Message)); }
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
