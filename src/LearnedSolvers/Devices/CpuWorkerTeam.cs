namespace LearnedSolvers.Devices;

/// <summary>One chunk-indexed piece of parallel work; instances are reused so dispatch allocates nothing.</summary>
internal abstract class CpuChunkJob
{
    public abstract void RunChunk(int chunk);
}

/// <summary>
/// A fixed team of worker threads (OpenMP-style) that runs chunked kernels without allocating:
/// Parallel.For allocates closures and tasks on every call, which a solver loop must not do.
/// Chunks are claimed dynamically; results that need reducing are written per chunk and summed
/// by the caller in chunk order, so reductions do not depend on scheduling.
/// </summary>
internal sealed class CpuWorkerTeam
{
    public static readonly CpuWorkerTeam Shared = new(Environment.ProcessorCount);

    private readonly SemaphoreSlim[] _wake;
    private readonly object _gate = new();
    private bool _running;
    private CpuChunkJob? _job;
    private int _chunkCount;
    private int _nextChunk;
    private int _busyHelpers;
    private Exception? _error;

    public CpuWorkerTeam(int threads)
    {
        int helpers = Math.Max(0, threads - 1);
        _wake = new SemaphoreSlim[helpers];
        for (int i = 0; i < helpers; i++)
        {
            _wake[i] = new SemaphoreSlim(0);
            int index = i;
            var thread = new Thread(() => HelperLoop(index))
            {
                IsBackground = true,
                Name = $"LearnedSolvers CPU worker {i + 1}",
            };
            thread.Start();
        }
    }

    /// <summary>Threads that run a job, the calling thread included.</summary>
    public int Parallelism => _wake.Length + 1;

    /// <summary>
    /// Runs job.RunChunk(c) for every c in [0, chunkCount). Runs on the calling thread alone when the team is
    /// busy with another caller (or a nested call), so concurrent solves stay correct, only slower.
    /// </summary>
    public void Run(CpuChunkJob job, int chunkCount)
    {
        if (_wake.Length == 0 || chunkCount < 2 || !Monitor.TryEnter(_gate))
        {
            RunInline(job, chunkCount);
            return;
        }
        try
        {
            if (_running)
            {
                RunInline(job, chunkCount);
                return;
            }
            _running = true;
            _job = job;
            _chunkCount = chunkCount;
            _nextChunk = 0;
            _error = null;
            int helpers = Math.Min(_wake.Length, chunkCount - 1);
            Volatile.Write(ref _busyHelpers, helpers);
            for (int i = 0; i < helpers; i++) _wake[i].Release();
            ClaimChunks();
            var spin = new SpinWait();
            while (Volatile.Read(ref _busyHelpers) != 0) spin.SpinOnce(sleep1Threshold: -1);
            _job = null;
            if (_error is { } error) throw new AggregateException("A CPU kernel failed.", error);
        }
        finally
        {
            _running = false;
            Monitor.Exit(_gate);
        }
    }

    private static void RunInline(CpuChunkJob job, int chunkCount)
    {
        for (int c = 0; c < chunkCount; c++) job.RunChunk(c);
    }

    private void HelperLoop(int index)
    {
        while (true)
        {
            _wake[index].Wait();
            ClaimChunks();
            Interlocked.Decrement(ref _busyHelpers);
        }
    }

    private void ClaimChunks()
    {
        var job = _job!;
        int count = _chunkCount;
        int c;
        while ((c = Interlocked.Increment(ref _nextChunk) - 1) < count)
        {
            try
            {
                job.RunChunk(c);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _error, e, null);
            }
        }
    }
}
