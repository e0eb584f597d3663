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
/// <para>
/// The caller never waits for a helper to wake up: it claims chunks itself and waits only for chunks a helper has
/// actually claimed. Waking a blocked thread costs tens of microseconds on a VM, more than a whole kernel on a
/// vector of 10⁴ doubles, so a Krylov loop with serial work between kernels would otherwise pay it on every call.
/// A helper that wakes late finds the chunks taken, or joins the run in progress. Claims are made on one 64-bit word
/// holding the run's generation, chunk count and next chunk, so a late helper can never claim a chunk of a newer run
/// with an older run's job.
/// </para>
/// </summary>
internal sealed class CpuWorkerTeam
{
    public static readonly CpuWorkerTeam Shared = new(Environment.ProcessorCount);

    private const int FieldBits = 20;                       // chunk count and next chunk: < 2²⁰ each
    private const long FieldMask = (1L << FieldBits) - 1;
    private const int GenerationMask = (1 << 24) - 1;       // the remaining 24 bits
    private const int SpinMicroseconds = 200;

    private readonly SemaphoreSlim[] _wake;
    private readonly object _gate = new();
    private bool _running;
    private CpuChunkJob? _job;
    private long _claim;
    private int _generation;
    private int _done;
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
        if (_wake.Length == 0 || chunkCount < 2 || chunkCount > FieldMask || !Monitor.TryEnter(_gate))
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
            _error = null;
            Volatile.Write(ref _done, 0);
            Volatile.Write(ref _job, job);
            int generation = _generation = (_generation + 1) & GenerationMask;
            Volatile.Write(ref _claim, Pack(generation, chunkCount, 0)); // published after the job: see Help
            int helpers = Math.Min(_wake.Length, chunkCount - 1);
            for (int i = 0; i < helpers; i++)
                if (_wake[i].CurrentCount == 0) _wake[i].Release(); // a helper still holding a wake-up needs no second
            ClaimChunks(generation, job);
            var spin = new SpinWait();
            while (Volatile.Read(ref _done) < chunkCount) spin.SpinOnce(sleep1Threshold: -1);
            Volatile.Write(ref _job, null);
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
            Help();
            StayAwake();
        }
    }

    /// <summary>
    /// Polls for the next run for <see cref="SpinMicroseconds"/> after the last one before blocking again (as OpenMP
    /// runtimes spin before sleeping): a Krylov loop issues its kernels a few microseconds apart, and a helper that
    /// sleeps in between never gets to share a kernel on a vector of 10⁴ doubles. The poll backs off to yielding the
    /// core (SpinWait), so when more threads than cores are runnable (another process, tests in parallel) the polling
    /// helper gives way instead of holding a core the caller's thread needs.
    /// </summary>
    private void StayAwake()
    {
        long idleSince = System.Diagnostics.Stopwatch.GetTimestamp();
        var spinner = new SpinWait();
        while (System.Diagnostics.Stopwatch.GetElapsedTime(idleSince).Ticks < SpinMicroseconds * TimeSpan.TicksPerMicrosecond)
        {
            long claim = Volatile.Read(ref _claim);
            if ((claim & FieldMask) < ((claim >> FieldBits) & FieldMask))
            {
                Help();
                idleSince = System.Diagnostics.Stopwatch.GetTimestamp();
                spinner.Reset();
            }
            else
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }
        }
    }

    /// <summary>Joins the run in progress, if any: the job is read between two reads of the same generation.</summary>
    private void Help()
    {
        long before = Volatile.Read(ref _claim);
        var job = Volatile.Read(ref _job);
        long after = Volatile.Read(ref _claim);
        if (job is null || Generation(before) != Generation(after)) return;
        ClaimChunks(Generation(before), job);
    }

    /// <summary>
    /// Claims and runs chunks of run <paramref name="generation"/> until none is left. A chunk is claimed only by a
    /// compare-exchange on the word that still carries that generation, so it belongs to the run whose job we hold
    /// (a newer run's job is published only after every chunk of this one has been claimed and run).
    /// </summary>
    private void ClaimChunks(int generation, CpuChunkJob job)
    {
        while (true)
        {
            long claim = Volatile.Read(ref _claim);
            int next = (int)(claim & FieldMask), count = (int)((claim >> FieldBits) & FieldMask);
            if (Generation(claim) != generation || next >= count) return;
            if (Interlocked.CompareExchange(ref _claim, claim + 1, claim) != claim) continue;
            try
            {
                job.RunChunk(next);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _error, e, null);
            }
            Interlocked.Increment(ref _done);
        }
    }

    private static long Pack(int generation, int count, int next) =>
        ((long)generation << (2 * FieldBits)) | ((long)count << FieldBits) | (uint)next;

    private static int Generation(long claim) => (int)(claim >> (2 * FieldBits)) & GenerationMask;
}
