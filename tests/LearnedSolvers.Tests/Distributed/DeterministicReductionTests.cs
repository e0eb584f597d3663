using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Distributed;

/// <summary>The deterministic reduction mode: two runs with the same rank count and MPI (Open MPI, MPICH) give the same bits in x and in the residual history.</summary>
public sealed class DeterministicReductionTests
{
    [Theory]
    [InlineData(2, Launcher.OpenMpi)]
    [InlineData(4, Launcher.OpenMpi)]
    [InlineData(2, Launcher.Mpich)]
    public void SameRankCount_GivesIdenticalBits(int ranks, Launcher launcher)
    {
        string[] arguments = ["solve", "--reductions", "deterministic", "--methods", "cg,pcg-jacobi,gmres",
            "--problem", "poisson:40", "--problem", "mtx:" + SharedMatrices.PathOf("ani4")];
        var first = MpiJob.Run(launcher, ranks, "result", arguments);
        var second = MpiJob.Run(launcher, ranks, "result", arguments);
        Assert.Equal(first.Count, second.Count);
        for (int i = 0; i < first.Count; i++)
        {
            string what = $"{first[i]["method"]} on {first[i]["problem"]}, {ranks} ranks ({launcher})";
            Assert.True(first[i]["x"] == second[i]["x"], $"{what}: x differs between runs");
            Assert.True(first[i]["history"] == second[i]["history"], $"{what}: the residual history differs between runs");
            Assert.Equal(first[i]["iterations"], second[i]["iterations"]);
        }
    }
}
