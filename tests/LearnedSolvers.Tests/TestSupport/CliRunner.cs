using LearnedSolvers.Cli;

namespace LearnedSolvers.Tests.TestSupport;

/// <summary>Runs the `learnedsolvers` command line in-process with its output and errors captured.</summary>
public static class CliRunner
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
