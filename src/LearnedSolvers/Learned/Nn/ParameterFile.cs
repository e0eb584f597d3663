namespace LearnedSolvers.Learned.Nn;

/// <summary>A network's parameters into and out of a safetensors file, under their state_dict names.</summary>
public static class ParameterFile
{
    /// <summary>Writes the parameters and metadata (whole or not at all).</summary>
    public static void Write(string path, IEnumerable<Parameter> parameters, IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        SafetensorsFile.Write(path, parameters.Select(p => (p.Name, p.Shape.ToArray(), p.Value.ToArray())), metadata);
    }

    /// <summary>
    /// Copies the file's tensors into <paramref name="parameters"/> by name. A tensor the architecture has no place for, a
    /// missing tensor or one of another shape is refused with <see cref="SafetensorsFormatException"/> naming it.
    /// </summary>
    /// <param name="file">The file read.</param>
    /// <param name="path">Its path, for messages.</param>
    /// <param name="parameters">The architecture's parameters.</param>
    /// <param name="architecture">The architecture's name, for messages ("DCDM").</param>
    public static void CopyInto(SafetensorsFile file, string path, IReadOnlyList<Parameter> parameters, string architecture)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(parameters);
        var expected = parameters.Select(p => p.Name).ToHashSet();
        var unexpected = file.Tensors.Select(t => t.Name).Where(n => !expected.Contains(n)).ToList();
        if (unexpected.Count > 0)
            throw new SafetensorsFormatException(path, $"tensors the {architecture} architecture has no place for: {string.Join(", ", unexpected.Take(5))}");
        foreach (var p in parameters)
        {
            if (!file.TryGetTensor(p.Name, out var tensor))
                throw new SafetensorsFormatException(path, $"the tensor '{p.Name}' is missing");
            if (!tensor.Shape.SequenceEqual(p.Shape.ToArray()))
                throw new SafetensorsFormatException(path, $"the tensor '{p.Name}' has shape [{string.Join(", ", tensor.Shape)}]; the architecture needs {p.Shape}");
            if (tensor.Dtype is not (SafetensorsDtype.F32 or SafetensorsDtype.F64 or SafetensorsDtype.F16 or SafetensorsDtype.BF16))
                throw new SafetensorsFormatException(path, $"the tensor '{p.Name}' holds {tensor.Dtype}; parameters are floating point (F16, BF16, F32 or F64)");
            p.Value.CopyFrom(tensor.ToSingles());
        }
    }
}
