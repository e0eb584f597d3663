namespace LearnedSolvers.Devices;

/// <summary>
/// An operator and a vector (or two vectors) that live on different devices. Vectors of the wrong length raise a plain
/// <see cref="ArgumentException"/> naming the argument: a dimension error, whatever device they are on.
/// </summary>
public sealed class DeviceMismatchException(string message) : ArgumentException(message);
