return LearnedSolvers.Cli.CliApp.Run(args, Console.Out, Console.Error);
