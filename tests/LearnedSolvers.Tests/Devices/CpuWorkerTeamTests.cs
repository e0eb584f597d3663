using LearnedSolvers.Devices;

namespace LearnedSolvers.Tests.Devices;

public class CpuWorkerTeamTests
{
    /// <summary>Counts how often each chunk ran, with uneven chunk costs so helpers wake late and runs overlap them.</summary>
    private sealed class CountingJob(int maxChunks) : CpuChunkJob
    {
        public readonly int[] Runs = new int[maxChunks];
        public int Spin;

        public override void RunChunk(int chunk)
        {
            Interlocked.Increment(ref Runs[chunk]);
            if ((chunk & 3) == 0) Thread.SpinWait(Spin);
        }
    }

    [Fact]
    public void EveryChunkRunsExactlyOnce_AcrossManyShortRuns_WithLateHelpers()
    {
        var team = new CpuWorkerTeam(threads: 3);
        var rng = new Random(1);
        var jobs = new[] { new CountingJob(64), new CountingJob(64) };
        for (int run = 0; run < 20_000; run++)
        {
            var job = jobs[run & 1]; // alternate jobs: a late helper holding the other job must never run it now
            Array.Clear(job.Runs);
            int chunks = rng.Next(2, 64);
            job.Spin = rng.Next(0, 200);
            team.Run(job, chunks);
            for (int c = 0; c < chunks; c++) Assert.Equal(1, job.Runs[c]);
            for (int c = chunks; c < 64; c++) Assert.Equal(0, job.Runs[c]);
        }
    }

    [Fact]
    public void ConcurrentCallers_EachGetAllTheirChunks()
    {
        var team = new CpuWorkerTeam(threads: 2);
        var failures = 0;
        Parallel.For(0, 4, caller =>
        {
            var job = new CountingJob(32);
            for (int run = 0; run < 2_000; run++)
            {
                Array.Clear(job.Runs);
                team.Run(job, 32);
                if (job.Runs.Any(r => r != 1)) Interlocked.Increment(ref failures);
            }
        });
        Assert.Equal(0, failures);
    }

    [Fact]
    public void AFailingChunk_Surfaces_AndTheTeamKeepsWorking()
    {
        var team = new CpuWorkerTeam(threads: 2);
        var failing = new FailingJob();
        var e = Assert.Throws<AggregateException>(() => team.Run(failing, 8));
        Assert.IsType<InvalidOperationException>(e.InnerException);
        var job = new CountingJob(8);
        team.Run(job, 8);
        Assert.All(job.Runs, r => Assert.Equal(1, r));
    }

    private sealed class FailingJob : CpuChunkJob
    {
        public override void RunChunk(int chunk)
        {
            if (chunk == 5) throw new InvalidOperationException("chunk 5");
        }
    }
}
