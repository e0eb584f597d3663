namespace LearnedSolvers.Devices;

/// <summary>An operator and a vector (or two vectors) that live on different devices or have incompatible sizes.</summary>
public sealed class DeviceMismatchException(string message) : ArgumentException(message);
