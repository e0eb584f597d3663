namespace LearnedSolvers.Learned.Nn.Cpu;

/// <summary>
/// Per-thread working memory for the chunks of a job: a chunk takes a free slot for as long as it runs, so at most as
/// many slots are ever in use as threads run chunks. Each slot's arrays grow when a larger shape arrives and are kept,
/// so a warm kernel allocates nothing. Contents are not cleared between uses: kernels write what they read.
/// </summary>
internal sealed class ScratchSlots
{
    private readonly float[][] _floats;
    private readonly double[][] _doubles;
    private readonly int[] _busy;

    /// <param name="count">Slots: at least the number of threads that run chunks at once.</param>
    public ScratchSlots(int count)
    {
        _floats = new float[count][];
        _doubles = new double[count][];
        _busy = new int[count];
        for (int i = 0; i < count; i++)
        {
            _floats[i] = [];
            _doubles[i] = [];
        }
    }

    /// <summary>Takes a free slot (spins in the unexpected case that all are taken).</summary>
    public int Acquire()
    {
        var spin = new SpinWait();
        while (true)
        {
            for (int i = 0; i < _busy.Length; i++)
                if (Volatile.Read(ref _busy[i]) == 0 && Interlocked.CompareExchange(ref _busy[i], 1, 0) == 0) return i;
            spin.SpinOnce();
        }
    }

    public void Release(int slot) => Volatile.Write(ref _busy[slot], 0);

    /// <summary>The slot's float array, at least <paramref name="length"/> long.</summary>
    public float[] Floats(int slot, int length)
    {
        if (_floats[slot].Length < length) _floats[slot] = new float[length];
        return _floats[slot];
    }

    /// <summary>The slot's double array, at least <paramref name="length"/> long.</summary>
    public double[] Doubles(int slot, int length)
    {
        if (_doubles[slot].Length < length) _doubles[slot] = new double[length];
        return _doubles[slot];
    }
}
