using LearnedSolvers.Distributed.Mpi;

namespace LearnedSolvers.Tests.Distributed;

/// <summary>
/// The loader tells the two MPI ABIs apart by the library's exports, not its file name, and turns down a library that
/// is no MPI with a reason instead of an exception. Each case skips when its library is not installed.
/// </summary>
public sealed class MpiLibraryTests
{
    [Theory]
    [InlineData("libmpi.so.40", "OpenMpi")]
    [InlineData(MpiLibrary.MpichSoname, "Mpich")]
    public void Probe_ReadsTheAbiFromTheExports(string library, string abi)
    {
        var found = MpiLibrary.Probe(library, out string reason);
        Assert.SkipWhen(reason.EndsWith(": not found", StringComparison.Ordinal), $"{library} is not installed.");
        Assert.Equal(abi, found?.ToString());
    }

    [Fact]
    public void Probe_TurnsDownALibraryWithoutMpi_WithTheReason()
    {
        Assert.Null(MpiLibrary.Probe("libc.so.6", out string reason));
        Assert.Contains("exports no MPI_Init", reason);
    }
}
