namespace LearnedSolvers.Sequences;

/// <summary>A data-set file that is not one this library wrote, or is truncated or corrupt; names the file and what is wrong.</summary>
public sealed class DatasetFormatException(string path, string detail, Exception? inner = null)
    : IOException($"{path}: {detail}", inner)
{
    public string Path { get; } = path;
    public string Detail { get; } = detail;
}
