namespace LearnedSolvers.Cli;

/// <summary>One point of a solve's convergence: the relative residual after an iteration, and when it was reached.</summary>
internal sealed record ConvergencePoint(string Method, string Preconditioner, int Iteration, double RelativeResidual, double Seconds);
