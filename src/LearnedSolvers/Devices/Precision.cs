namespace LearnedSolvers.Devices;

/// <summary>
/// The floating-point format a preconditioner stores its values in and computes with. A single-precision
/// preconditioner inside a double iteration reads and writes half the bytes; the iteration, its residual and its stop
/// test stay in double.
/// </summary>
public enum Precision
{
    Double,
    Single,
}
