using LearnedSolvers.Devices;
using LearnedSolvers.Distributed.Mpi;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Distributed;

/// <summary>
/// A device spread over the ranks of an MPI job: its vectors have the global length but each rank stores only the rows
/// it owns (<see cref="RowPartition"/>) on its own <see cref="Local"/> device. Element-wise kernels run on the local
/// rows alone; every reduction (dots, norms, Gram–Schmidt projections, the fused reductions of kernel families) runs
/// the local kernel and then sums the partials across ranks. The Krylov solvers therefore run on it unchanged, with a
/// row-distributed operator (<see cref="DistributedCsrMatrix"/>).
/// <para>
/// Every rank must make the same calls in the same order (each reduction is a collective), from the thread that started
/// MPI. With <see cref="ReductionMode.Deterministic"/> the partials are added in rank order, so the same number of ranks
/// gives the same bits every run. Vectors of this device are not host-addressable as a whole, so algorithms that
/// sweep a vector sequentially (Gauss–Seidel, triangular solves) refuse it; use them per rank on <see cref="Local"/>.
/// </para>
/// </summary>
public sealed class DistributedDevice : Device
{
    private readonly LocalVectorList _basis, _vectors;
    private readonly object _gate = new();
    private readonly int[] _counts, _displacements;
    private double[] _gathered = new double[64];
    private double[] _block = new double[64];
    private readonly double[] _one = new double[1];

    /// <param name="communicator">The ranks that share the vectors.</param>
    /// <param name="partition">Which rows each rank owns; one block per rank of <paramref name="communicator"/>.</param>
    /// <param name="local">This rank's device for its rows; <see cref="Device.Cpu"/> when null.</param>
    /// <param name="reductions">How partial sums are added across ranks.</param>
    public DistributedDevice(MpiCommunicator communicator, RowPartition partition, Device? local = null, ReductionMode reductions = ReductionMode.Fast)
    {
        ArgumentNullException.ThrowIfNull(communicator);
        ArgumentNullException.ThrowIfNull(partition);
        if (partition.Ranks != communicator.Size)
            throw new ArgumentException($"The partition has {partition.Ranks} blocks; the communicator has {communicator.Size} ranks.", nameof(partition));
        if (!Enum.IsDefined(reductions)) throw new ArgumentOutOfRangeException(nameof(reductions), reductions, "Unknown reduction mode.");
        Communicator = communicator;
        Partition = partition;
        Local = local ?? Cpu;
        Reductions = reductions;
        FirstRow = partition.Start(communicator.Rank);
        LocalRows = partition.Count(communicator.Rank);
        _basis = new LocalVectorList(this);
        _vectors = new LocalVectorList(this);
        _counts = new int[partition.Ranks];
        _displacements = new int[partition.Ranks];
        for (int r = 0; r < partition.Ranks; r++)
        {
            _counts[r] = partition.Count(r);
            _displacements[r] = partition.Start(r);
        }
    }

    /// <summary>
    /// Distributed devices only: what an algorithm that works on each rank's rows of a <see cref="DistributedCsrMatrix"/>
    /// (block Jacobi) declares.
    /// </summary>
    public static DeviceSupport Only { get; } = DeviceSupport.Declared("distributed devices only (a DistributedCsrMatrix under mpirun)", ["mpi"], d => d is DistributedDevice);

    /// <summary>The ranks that share this device's vectors.</summary>
    public MpiCommunicator Communicator { get; }

    /// <summary>The rows each rank owns.</summary>
    public RowPartition Partition { get; }

    /// <summary>This rank's device, holding its rows of every vector.</summary>
    public Device Local { get; }

    /// <summary>How partial sums are added across ranks.</summary>
    public ReductionMode Reductions { get; }

    /// <summary>The first global row this rank owns.</summary>
    public int FirstRow { get; }

    /// <summary>The rows this rank owns.</summary>
    public int LocalRows { get; }

    /// <summary>"mpi4:cpu": the rank count and the local device.</summary>
    public override string Name => $"mpi{Communicator.Size}:{Local.Name}";

    /// <summary>As the local device: a reduction reads its local partial to the host for MPI anyway, so this only chooses where the solver's loop keeps α and β.</summary>
    public override bool PrefersDeviceScalars => Local.PrefersDeviceScalars;

    /// <summary>False: each rank holds only its own rows.</summary>
    public override bool HasHostAddressableVectors => false;

    protected override T CreateKernels<T>(KernelFamily<T> family) => family.CreateFor(this);

    /// <summary>A zero vector of the global length <paramref name="length"/>, of which this rank stores its <see cref="LocalRows"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="length"/> is not the partition's global row count.</exception>
    public override DeviceVector Allocate(int length)
    {
        if (length != Partition.GlobalRows)
            throw new ArgumentException($"A vector of this distributed device has the partition's {Partition.GlobalRows} rows; {length} were asked for.", nameof(length));
        return new DistributedVector(this, Local.Allocate(LocalRows));
    }

    /// <summary>Rank-1 double buffers of the global length only (vectors); blocks of several columns are not distributed yet.</summary>
    /// <exception cref="NotSupportedException">Another shape or element type.</exception>
    public override DeviceBuffer<T> Allocate<T>(Shape shape)
    {
        if (typeof(T) == typeof(double) && shape.Rank == 1) return (DeviceBuffer<T>)(object)Allocate(shape[0]);
        throw new NotSupportedException($"A distributed device holds double vectors only; a {typeof(T).Name} buffer of shape {shape} was asked for.");
    }

    /// <summary>
    /// Refused: a <see cref="DeviceCsrMatrix"/> is one process's whole matrix. Build the rows of this rank with
    /// <see cref="DistributedCsrMatrix.FromGlobal"/> or <see cref="DistributedCsrMatrix.FromLocalRows"/>.
    /// </summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override DeviceCsrMatrix Upload(CsrMatrix matrix) =>
        throw new NotSupportedException($"'{Name}' does not hold whole matrices; use DistributedCsrMatrix.FromGlobal or FromLocalRows.");

    public override DeviceScalars AllocateScalars(int count) => new DistributedScalars(this, Local.AllocateScalars(count));

    public override double Dot(DeviceVector x, DeviceVector y) => SumAcrossRanks(Local.Dot(LocalOf(x, nameof(x)), LocalOf(y, nameof(y))));

    public override void Axpy(double alpha, DeviceVector x, DeviceVector y) => Local.Axpy(alpha, LocalOf(x, nameof(x)), LocalOf(y, nameof(y)));

    public override void Axpby(double alpha, DeviceVector x, double beta, DeviceVector y) =>
        Local.Axpby(alpha, LocalOf(x, nameof(x)), beta, LocalOf(y, nameof(y)));

    public override void Waxpby(double alpha, DeviceVector x, double beta, DeviceVector y, DeviceVector z) =>
        Local.Waxpby(alpha, LocalOf(x, nameof(x)), beta, LocalOf(y, nameof(y)), LocalOf(z, nameof(z)));

    public override void Scale(double alpha, DeviceVector x) => Local.Scale(alpha, LocalOf(x, nameof(x)));

    public override void Copy(DeviceVector source, DeviceVector destination) =>
        Local.Copy(LocalOf(source, nameof(source)), LocalOf(destination, nameof(destination)));

    public override void Fill(DeviceVector x, double value) => Local.Fill(LocalOf(x, nameof(x)), value);

    public override void PointwiseMultiply(DeviceVector a, DeviceVector x, DeviceVector y) =>
        Local.PointwiseMultiply(LocalOf(a, nameof(a)), LocalOf(x, nameof(x)), LocalOf(y, nameof(y)));

    public override void MultiDot(IReadOnlyList<DeviceVector> basis, int count, DeviceVector w, Span<double> result)
    {
        lock (_gate)
        {
            Local.MultiDot(_basis.Over(basis), count, LocalOf(w, nameof(w)), result);
            _basis.Release();
        }
        SumAcrossRanks(result[..count]);
    }

    public override void MultiAxpy(IReadOnlyList<DeviceVector> basis, int count, ReadOnlySpan<double> coefficients, DeviceVector w)
    {
        lock (_gate)
        {
            Local.MultiAxpy(_basis.Over(basis), count, coefficients, LocalOf(w, nameof(w)));
            _basis.Release();
        }
    }

    public override void MultiDotBlock(IReadOnlyList<DeviceVector> basis, int count, IReadOnlyList<DeviceVector> vectors, int vectorCount,
        Span<double> result, int ld)
    {
        CheckBlock(count, vectorCount, result.Length, ld);
        lock (_gate)
        {
            Local.MultiDotBlock(_basis.Over(basis), count, _vectors.Over(vectors), vectorCount, result, ld);
            _basis.Release();
            _vectors.Release();
            // Only the count entries of each column are results; the rest of the leading dimension is the caller's.
            int block = count * vectorCount;
            if (_block.Length < block) _block = new double[block];
            for (int j = 0; j < vectorCount; j++) result.Slice(j * ld, count).CopyTo(_block.AsSpan(j * count, count));
            SumAcrossRanks(_block.AsSpan(0, block));
            for (int j = 0; j < vectorCount; j++) _block.AsSpan(j * count, count).CopyTo(result.Slice(j * ld, count));
        }
    }

    public override void LinearCombinations(IReadOnlyList<DeviceVector> basis, int count, ReadOnlySpan<double> coefficients, int ld,
        IReadOnlyList<DeviceVector> outputs, int outputCount)
    {
        lock (_gate)
        {
            Local.LinearCombinations(_basis.Over(basis), count, coefficients, ld, _vectors.Over(outputs), outputCount);
            _basis.Release();
            _vectors.Release();
        }
    }

    public override void DotTo(DeviceVector x, DeviceVector y, DeviceScalars s, int slot)
    {
        var scalars = ScalarsOf(s);
        Local.DotTo(LocalOf(x, nameof(x)), LocalOf(y, nameof(y)), scalars.Local, slot);
        scalars.SumAcrossRanks(slot, 1);
    }

    public override void MultiDotTo(IReadOnlyList<DeviceVector> basis, int count, DeviceVector w, DeviceScalars s, int slot)
    {
        var scalars = ScalarsOf(s);
        lock (_gate)
        {
            Local.MultiDotTo(_basis.Over(basis), count, LocalOf(w, nameof(w)), scalars.Local, slot);
            _basis.Release();
        }
        scalars.SumAcrossRanks(slot, count);
    }

    public override void Synchronize() => Local.Synchronize();

    /// <summary>Every rank's <paramref name="value"/> added (in rank order when <see cref="Reductions"/> is deterministic).</summary>
    public double SumAcrossRanks(double value)
    {
        lock (_gate)
        {
            _one[0] = value;
            SumAcrossRanks(_one);
            return _one[0];
        }
    }

    /// <summary>values ← the element-wise sum of every rank's values (in rank order when <see cref="Reductions"/> is deterministic).</summary>
    public void SumAcrossRanks(Span<double> values)
    {
        if (values.IsEmpty || Communicator.Size == 1) return;
        if (Reductions == ReductionMode.Fast)
        {
            Communicator.Sum(values);
            return;
        }
        lock (_gate)
        {
            int n = values.Length, ranks = Communicator.Size;
            if (_gathered.Length < n * ranks) _gathered = new double[n * ranks];
            var all = _gathered.AsSpan(0, n * ranks);
            Communicator.Allgather(values, all);
            for (int i = 0; i < n; i++)
            {
                double s = 0;
                for (int r = 0; r < ranks; r++) s += all[r * n + i];
                values[i] = s;
            }
        }
    }

    /// <summary>The largest of every rank's <paramref name="value"/> (gathered, so the same on every rank in either mode; collective).</summary>
    public double MaxAcrossRanks(double value)
    {
        if (Communicator.Size == 1) return value;
        lock (_gate)
        {
            int ranks = Communicator.Size;
            if (_gathered.Length < ranks) _gathered = new double[ranks];
            _one[0] = value;
            var all = _gathered.AsSpan(0, ranks);
            Communicator.Allgather(_one, all);
            double max = all[0];
            for (int r = 1; r < ranks; r++) max = Math.Max(max, all[r]);
            return max;
        }
    }

    /// <summary>This rank's part of <paramref name="v"/>, after checking that it is a vector of this device.</summary>
    /// <exception cref="DeviceMismatchException"><paramref name="v"/> is not a vector of this device.</exception>
    public DeviceVector LocalOf(DeviceVector v, string argument)
    {
        ArgumentNullException.ThrowIfNull(v, argument);
        if (v is DistributedVector d && ReferenceEquals(d.Device, this)) return d.Local;
        throw new DeviceMismatchException($"{argument} lives on device '{v.Device.Name}', but the operation runs on '{Name}'.");
    }

    /// <summary>The distributed scalars behind <paramref name="s"/>, after checking that they belong to this device.</summary>
    internal DistributedScalars ScalarsOf(DeviceScalars s)
    {
        ArgumentNullException.ThrowIfNull(s);
        if (s is DistributedScalars d && ReferenceEquals(d.Device, this)) return d;
        throw new DeviceMismatchException($"The scalars live on device '{s.Device.Name}', but the operation runs on '{Name}'.");
    }

    /// <summary>The whole vector on every rank from each rank's rows (MPI_Allgatherv; collective).</summary>
    internal void Gather(ReadOnlySpan<double> mine, Span<double> all) => Communicator.Allgather(mine, all, _counts, _displacements);

    /// <summary>Disposes the kernel families built for this device; the local device and the communicator are the caller's.</summary>
    public override void Dispose()
    {
        DisposeKernelFamilies();
        base.Dispose();
    }
}
