namespace LearnedSolvers.Sparse;

/// <summary>A matrix whose structure or values break the CSR contract; the message names the index and value.</summary>
public sealed class InvalidMatrixException(string message) : ArgumentException(message);
