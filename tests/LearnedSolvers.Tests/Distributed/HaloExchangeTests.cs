namespace LearnedSolvers.Tests.Distributed;

/// <summary>
/// The halo exchange of the distributed product talks to neighbours only: on 2D Poisson split into blocks of whole grid
/// rows, each interior rank sends one grid row (N values) to each of its two neighbours, the end ranks to one; and the
/// product equals the serial one. Warm products, dots and CG iterations (unpreconditioned, with block Jacobi and with
/// Chebyshev) allocate nothing in either reduction mode, under Open MPI and MPICH.
/// </summary>
public sealed class HaloExchangeTests
{
    [Theory]
    [InlineData(2, "fast", Launcher.OpenMpi)]
    [InlineData(4, "fast", Launcher.OpenMpi)]
    [InlineData(4, "deterministic", Launcher.OpenMpi)]
    // MPICH at two ranks only: its ch4:ucx ranks spin without yielding, so four on a two-core CI machine take 5 ms
    // per allreduce (10 s for this test) where Open MPI's, oversubscribed, yield and take 5 µs.
    [InlineData(2, "fast", Launcher.Mpich)]
    [InlineData(2, "deterministic", Launcher.Mpich)]
    public void Poisson_SendsOneGridRowPerNeighbour_AndAllocatesNothingWarm(int ranks, string reductions, Launcher launcher)
    {
        const int n = 32; // 32 grid rows split evenly over 2 or 4 ranks
        var halo = Assert.Single(MpiJob.Run(launcher, ranks, "halo", "halo", "--problem", $"poisson:{n}", "--reductions", reductions));
        int messages = 2 * (ranks - 1);
        Assert.Equal(messages, halo.Number("messages"));
        Assert.Equal(messages * n * 8.0, halo.Number("bytes"));
        Assert.Equal(messages, halo.Number("declared-messages"));
        Assert.Equal(messages, halo.Number("receive-neighbours"));
        Assert.Equal(messages * n, halo.Number("ghosts"));
        Assert.True(halo.Number("product-error") <= 1e-12, $"the distributed product differs from the serial one by {halo["product-error"]}");
        Assert.Equal(0, halo.Number("operation-bytes"));
        Assert.Equal(0, halo.Number("cg-bytes-per-iteration"));
        Assert.Equal(0, halo.Number("block-jacobi-bytes-per-iteration"));
        Assert.Equal(0, halo.Number("chebyshev-bytes-per-iteration"));
    }
}
