using System.Runtime.InteropServices;

namespace LearnedSolvers.Direct.SuiteSparse;

/// <summary>
/// The exported functions of one loaded native library, looked up by name; a name that is not there is remembered
/// (and resolves to null) so that a whole API table can be bound first and the missing names reported together.
/// </summary>
internal sealed class NativeExports(nint library, string libraryName)
{
    private readonly List<string> _missing = [];

    /// <summary>The file name that was loaded.</summary>
    public string LibraryName { get; } = libraryName;

    /// <summary>Names asked for that the library does not export.</summary>
    public IReadOnlyList<string> Missing => _missing;

    /// <summary>The address of <paramref name="name"/>, or 0 (remembered in <see cref="Missing"/>).</summary>
    public nint Get(string name)
    {
        if (NativeLibrary.TryGetExport(library, name, out nint address)) return address;
        _missing.Add(name);
        return 0;
    }

    /// <summary>The address of <paramref name="name"/>, or 0 without counting it as missing.</summary>
    public nint GetOptional(string name) => NativeLibrary.TryGetExport(library, name, out nint address) ? address : 0;

    /// <summary>Null when every name was found, else why the library cannot be used.</summary>
    public string? MissingReason() =>
        _missing.Count == 0 ? null : $"{LibraryName} lacks {string.Join(", ", _missing)}";
}
