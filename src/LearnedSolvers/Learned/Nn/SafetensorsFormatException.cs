namespace LearnedSolvers.Learned.Nn;

/// <summary>
/// A safetensors file that cannot be read: the message names the file and what is wrong, e.g.
/// "model.safetensors: tensor 'conv.weight': data_offsets [0, 100] hold 100 bytes, but F32 of shape [4, 5] needs 80".
/// </summary>
public sealed class SafetensorsFormatException : FormatException
{
    public SafetensorsFormatException(string fileName, string detail, Exception? innerException = null)
        : base($"{fileName}: {detail}", innerException)
    {
        FileName = fileName;
        Detail = detail;
    }

    /// <summary>The path (or the name given for a stream) of the file being read.</summary>
    public string FileName { get; }

    /// <summary>What is wrong, without the file prefix.</summary>
    public string Detail { get; }
}
