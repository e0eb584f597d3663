// Under an MPI launcher each rank writes into the launcher's pseudo-terminal, which mpirun copies to wherever its own
// output goes; .NET would open that "terminal" with its keypad-mode escape (ESC[?1h ESC=), which then sat in front of
// `mpirun ... --json | jq`'s input. A dumb terminal has none. Set before anything touches the console.
if (LearnedSolvers.Cli.MpiSolveRunner.IsUnderMpirun) Environment.SetEnvironmentVariable("TERM", "dumb");
return LearnedSolvers.Cli.CliApp.Run(args, Console.Out, Console.Error);
