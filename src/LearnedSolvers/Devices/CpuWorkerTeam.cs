namespace LearnedSolvers.Devices;

/// <summary>One chunk-indexed piece of parallel work; instances are reused so dispatch allocates nothing.</summary>
internal abstract class CpuChunkJob
{
    public abstract void RunChunk(int chunk);
}

/// <summary>
/// A fixed team of worker threads (OpenMP-style) that runs chunked kernels without allocating:
/// Parallel.For allocates closures and tasks on every call, which a solver loop must not do.
/// Results that need reducing are written per chunk and summed by the caller in chunk order, so reductions do not
/// depend on scheduling.
/// <para>
/// Each thread owns a home range of the chunks, the same contiguous share in every run (the caller the first), and
/// claims from it first; a thread done with its own range takes chunks left in the others'. Kernels over the same
/// vectors then give a row to the same core each time, so what one kernel wrote is still in that core's cache for the
/// next: claiming every chunk from one shared counter scattered rows between the cores on every call, and a CG
/// iteration (SpMV, update, direction) took 4.0 ms on two threads where its three kernels alone took 2.95 ms.
/// </para>
/// <para>
/// The caller never waits for a helper to wake up: it claims chunks itself, its own range and then the others', and
/// waits only for chunks a helper has actually claimed. Waking a blocked thread costs tens of microseconds on a VM,
/// more than a whole kernel on a vector of 10⁴ doubles, so a Krylov loop with serial work between kernels would
/// otherwise pay it on every call. A helper that wakes late finds the chunks taken, or joins the run in progress.
/// Claims are made on 64-bit words, one per range, each holding the run's generation, the range's end and its next
/// chunk, so a late helper can never claim a chunk of a newer run with an older run's job.
/// </para>
/// </summary>
internal sealed class CpuWorkerTeam
{
    public static readonly CpuWorkerTeam Shared = new(Environment.ProcessorCount);

    private const int FieldBits = 20;                       // a range's end and next chunk: < 2²⁰ each
    private const long FieldMask = (1L << FieldBits) - 1;
    private const int GenerationMask = (1 << 24) - 1;       // the remaining 24 bits
    private const int SpinMicroseconds = 200;
    private const int ClaimStride = 16;                     // one claim word per 128 bytes: no false sharing

    private readonly SemaphoreSlim[] _wake;
    private readonly object _gate = new();
    private bool _running;
    private CpuChunkJob? _job;
    private readonly long[] _claims;
    private int _generation;
    private int _done;
    private Exception? _error;

    public CpuWorkerTeam(int threads)
    {
        int helpers = Math.Max(0, threads - 1);
        _wake = new SemaphoreSlim[helpers];
        _claims = new long[(helpers + 1) * ClaimStride];
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
            int parties = Parallelism;
            for (int p = 0; p < parties; p++) // published after the job: see Help
                Volatile.Write(ref _claims[p * ClaimStride], Pack(generation, RangeStart(p + 1, chunkCount, parties), RangeStart(p, chunkCount, parties)));
            int helpers = Math.Min(_wake.Length, chunkCount - 1);
            for (int i = 0; i < helpers; i++)
                if (_wake[i].CurrentCount == 0) _wake[i].Release(); // a helper still holding a wake-up needs no second
            ClaimChunks(generation, job, home: 0);
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
            Help(index + 1);
            StayAwake(index + 1);
        }
    }

    /// <summary>
    /// Polls for the next run for <see cref="SpinMicroseconds"/> after the last one before blocking again (as OpenMP
    /// runtimes spin before sleeping): a Krylov loop issues its kernels a few microseconds apart, and a helper that
    /// sleeps in between never gets to share a kernel on a vector of 10⁴ doubles. The poll backs off to yielding the
    /// core (SpinWait), so when more threads than cores are runnable (another process, tests in parallel) the polling
    /// helper gives way instead of holding a core the caller's thread needs.
    /// </summary>
    private void StayAwake(int home)
    {
        long idleSince = System.Diagnostics.Stopwatch.GetTimestamp();
        var spinner = new SpinWait();
        while (System.Diagnostics.Stopwatch.GetElapsedTime(idleSince).Ticks < SpinMicroseconds * TimeSpan.TicksPerMicrosecond)
        {
            if (AnyUnclaimed())
            {
                Help(home);
                idleSince = System.Diagnostics.Stopwatch.GetTimestamp();
                spinner.Reset();
            }
            else
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }
        }
    }

    private bool AnyUnclaimed()
    {
        for (int p = 0; p < Parallelism; p++)
        {
            long claim = Volatile.Read(ref _claims[p * ClaimStride]);
            if ((claim & FieldMask) < ((claim >> FieldBits) & FieldMask)) return true;
        }
        return false;
    }

    /// <summary>Joins the run in progress, if any: the job is read between two reads of the same generation in the home range's word.</summary>
    private void Help(int home)
    {
        long before = Volatile.Read(ref _claims[home * ClaimStride]);
        var job = Volatile.Read(ref _job);
        long after = Volatile.Read(ref _claims[home * ClaimStride]);
        if (job is null || Generation(before) != Generation(after)) return;
        ClaimChunks(Generation(before), job, home);
    }

    /// <summary>
    /// Claims and runs chunks of run <paramref name="generation"/>, from the home range and then from the others, until
    /// none is left. A chunk is claimed only by a compare-exchange on a word that still carries that generation, so it
    /// belongs to the run whose job we hold (a newer run's job is published only after every chunk of this one has been
    /// claimed and run).
    /// </summary>
    private void ClaimChunks(int generation, CpuChunkJob job, int home)
    {
        int parties = Parallelism;
        for (int k = 0; k < parties; k++)
        {
            ref long word = ref _claims[(home + k) % parties * ClaimStride];
            while (true)
            {
                long claim = Volatile.Read(ref word);
                int next = (int)(claim & FieldMask), end = (int)((claim >> FieldBits) & FieldMask);
                if (Generation(claim) != generation || next >= end) break;
                if (Interlocked.CompareExchange(ref word, claim + 1, claim) != claim) continue;
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
    }

    /// <summary>The first chunk of party <paramref name="party"/>'s home range (party = parties gives the end).</summary>
    private static int RangeStart(int party, int chunkCount, int parties) => (int)((long)chunkCount * party / parties);

    private static long Pack(int generation, int end, int next) =>
        ((long)generation << (2 * FieldBits)) | ((long)end << FieldBits) | (uint)next;

    private static int Generation(long claim) => (int)(claim >> (2 * FieldBits)) & GenerationMask;
}
