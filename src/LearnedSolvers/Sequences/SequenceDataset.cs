using LearnedSolvers.IO;
using PureHDF;
using PureHDF.Selections;
using PureHDF.VOL.Native;

namespace LearnedSolvers.Sequences;

/// <summary>
/// A solved sequence as stored in HDF5, for neural-operator training sets. Layout (h5py: <c>f["solutions"][i]</c>):
/// <list type="bullet">
/// <item><c>/right_hand_sides</c>, <c>/solutions</c>: float64 [count, unknowns]; row i belongs to system i of the input order.</item>
/// <item><c>/coefficients</c>: float64 [count, coefficient length], when the systems have a coefficient field.</item>
/// <item><c>/solve_order</c>: int32 [count], the order the systems were solved in (SKR or natural).</item>
/// <item><c>/iterations</c>: int32 [count]; <c>/relative_residuals</c>: float64 [count], the true ‖b − Ax‖/‖b‖.</item>
/// <item><c>/checksums</c>: int64 [count], a hash of each solution row, so a truncated file is detected, not read as zeros.</item>
/// <item>Root attributes: <c>format</c> ("learnedsolvers-sequence/1"), <c>problem</c>, <c>method</c>, <c>order</c>,
/// <c>grid_size</c>, <c>dimension</c>, <c>relative_tolerance</c>.</item>
/// <item>Which members of the family the file holds (<see cref="DatasetProvenance"/>): root attributes
/// <c>shard_index</c>, <c>shard_count</c>, <c>global_count</c>, <c>solve_chains</c>, <c>parameters</c> and the table
/// <c>/global_indices</c>: int32 [count]. A file without them (written before they existed) reads as a whole data set.</item>
/// </list>
/// </summary>
public sealed record SequenceDataset(
    string Problem,
    string Method,
    string Order,
    int GridSize,
    int Dimension,
    double RelativeTolerance,
    double[,]? Coefficients,
    double[,] RightHandSides,
    double[,] Solutions,
    int[] SolveOrder,
    int[] Iterations,
    double[] RelativeResiduals)
{
    public const string FormatName = "learnedsolvers-sequence/1";

    /// <summary>Which members of the family the rows are, and the settings that made them.</summary>
    public DatasetProvenance Provenance { get; init; } = DatasetProvenance.Whole(Solutions.GetLength(0));

    public int Count => Solutions.GetLength(0);
    public int Unknowns => Solutions.GetLength(1);

    /// <summary>Reads and checks a file written by <see cref="SequenceDatasetWriter"/>.</summary>
    /// <exception cref="DatasetFormatException">Not an HDF5 file, not our format, inconsistent shapes, or a checksum mismatch (truncated or corrupt data).</exception>
    public static SequenceDataset Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"No data set at {path}.", path);
        Hdf5Superblock.Check(path);
        NativeFile file;
        var stream = new BoundedReadStream(path);
        try
        {
            file = H5File.Open(stream, leaveOpen: false);
        }
        catch (Exception e)
        {
            stream.Dispose();
            if (e is DatasetFormatException) throw;
            // Reading through a stream, structure that points past the end ends here (read at an offset, PureHDF looped).
            if (e is EndOfStreamException) throw new DatasetFormatException(path, "corrupt HDF5 structure: it points past the end of the file", e);
            if (e is IOException) throw;
            throw new DatasetFormatException(path, "not an HDF5 file", e);
        }
        using (file)
        {
            try
            {
                string format = Attribute<string>(file, path, "format");
                if (format != FormatName) throw new DatasetFormatException(path, $"format '{format}', expected '{FormatName}'");
                long bytes = stream.Length;
                var solutions = Table(file, path, "solutions", sizeof(double), bytes).Read<double[,]>();
                var rhs = Table(file, path, "right_hand_sides", sizeof(double), bytes).Read<double[,]>();
                double[,]? coefficients = file.LinkExists("coefficients") ? Table(file, path, "coefficients", sizeof(double), bytes).Read<double[,]>() : null;
                var order = Table(file, path, "solve_order", sizeof(int), bytes).Read<int[]>();
                var iterations = Table(file, path, "iterations", sizeof(int), bytes).Read<int[]>();
                var residuals = Table(file, path, "relative_residuals", sizeof(double), bytes).Read<double[]>();
                var checksums = Table(file, path, "checksums", sizeof(long), bytes).Read<long[]>();
                int count = solutions.GetLength(0);
                if (rhs.GetLength(0) != count || rhs.GetLength(1) != solutions.GetLength(1) || order.Length != count
                    || iterations.Length != count || residuals.Length != count || checksums.Length != count
                    || (coefficients is not null && coefficients.GetLength(0) != count))
                    throw new DatasetFormatException(path, "the data sets disagree on the number of systems or unknowns");
                for (int i = 0; i < count; i++)
                    if (Checksum(solutions, i) != checksums[i])
                        throw new DatasetFormatException(path, $"solution {i} does not match its checksum: the file is truncated or corrupt");
                return new SequenceDataset(
                    Attribute<string>(file, path, "problem"), Attribute<string>(file, path, "method"), Attribute<string>(file, path, "order"),
                    Attribute<int>(file, path, "grid_size"), Attribute<int>(file, path, "dimension"), Attribute<double>(file, path, "relative_tolerance"),
                    coefficients, rhs, solutions, order, iterations, residuals)
                {
                    Provenance = ReadProvenance(file, path, count, bytes),
                };
            }
            catch (DatasetFormatException)
            {
                throw;
            }
            catch (Exception e)
            {
                throw new DatasetFormatException(path, $"unreadable: {e.Message}", e);
            }
        }
    }

    /// <summary>
    /// The data set <paramref name="name"/>, refused when it declares more values than the file's bytes could hold: the
    /// writer stores every row uncompressed, so a larger declaration is corruption, and reading it would allocate (or
    /// walk) what the file cannot back.
    /// </summary>
    private static IH5Dataset Table(NativeFile file, string path, string name, int elementSize, long fileBytes)
    {
        var dataset = file.Dataset(name);
        double values = 1;
        foreach (ulong d in dataset.Space.Dimensions) values *= d;
        if (values * elementSize > fileBytes)
            throw new DatasetFormatException(path, $"'{name}' declares {values:G4} values, more than the file's {fileBytes} bytes can hold");
        return dataset;
    }

    private static DatasetProvenance ReadProvenance(NativeFile file, string path, int count, long bytes)
    {
        if (!file.AttributeExists("shard_count")) return DatasetProvenance.Whole(count);
        var indices = Table(file, path, "global_indices", sizeof(int), bytes).Read<int[]>();
        IReadOnlyDictionary<string, string> parameters;
        DatasetShard shard;
        try
        {
            parameters = DatasetProvenance.ParseParameters(Attribute<string>(file, path, "parameters"));
            shard = new DatasetShard(Attribute<int>(file, path, "shard_index"), Attribute<int>(file, path, "shard_count"));
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new DatasetFormatException(path, $"bad shard attributes: {e.Message}", e);
        }
        var provenance = new DatasetProvenance(shard, Attribute<int>(file, path, "global_count"), indices, parameters, Attribute<int>(file, path, "solve_chains"));
        try
        {
            provenance.Validate(count);
        }
        catch (ArgumentException e)
        {
            throw new DatasetFormatException(path, $"bad shard attributes: {e.Message}", e);
        }
        return provenance;
    }

    private static T Attribute<T>(NativeFile file, string path, string name) =>
        file.AttributeExists(name) ? file.Attribute(name).Read<T>() : throw new DatasetFormatException(path, $"missing attribute '{name}'");

    /// <summary>FNV-1a over the bits of row <paramref name="row"/>.</summary>
    internal static long Checksum(double[,] values, int row)
    {
        ulong h = 14695981039346656037;
        for (int j = 0; j < values.GetLength(1); j++)
        {
            h ^= (ulong)BitConverter.DoubleToInt64Bits(values[row, j]);
            h *= 1099511628211;
        }
        return (long)h;
    }

    internal static long Checksum(ReadOnlySpan<double> values)
    {
        ulong h = 14695981039346656037;
        foreach (double v in values)
        {
            h ^= (ulong)BitConverter.DoubleToInt64Bits(v);
            h *= 1099511628211;
        }
        return (long)h;
    }
}

/// <summary>
/// Streams a solved sequence into an HDF5 file in <see cref="SequenceDataset"/>'s layout: each system's rows are
/// written as it is solved (chunked by row), so the whole set never needs to sit in memory; the small per-system
/// tables and the attributes are written on <see cref="Dispose"/>.
/// <para>
/// The file is whole or absent: the rows go to a hidden temporary file beside the target, which replaces the target
/// only when every system was written (<see cref="AtomicFile"/>). PureHDF writes the file's metadata (the B-trees that
/// locate the chunks) only when its writer is disposed and has no flush, so a file cut off mid-run could not be read
/// anyway: an interrupted or killed run leaves the old file, or none, and no readable part of the new one.
/// </para>
/// </summary>
public sealed class SequenceDatasetWriter : IDisposable
{
    private readonly H5Dataset<double[]> _rhs, _solutions;
    private readonly H5Dataset<double[]>? _coefficients;
    private readonly H5Dataset<int[]> _order, _iterations;
    private readonly H5Dataset<double[]> _residuals;
    private readonly H5Dataset<long[]> _checksums;
    private readonly H5Dataset<int[]>? _globalIndices;
    private readonly DatasetProvenance? _provenance;
    private readonly H5NativeWriter _writer;
    private readonly int[] _solveOrder, _iterationCounts;
    private readonly double[] _relativeResiduals;
    private readonly long[] _sums;
    private readonly bool[] _written;
    private readonly string _path, _temporary;
    private int _next;
    private bool _disposed;

    /// <param name="path">File to create, or to replace once every system is written.</param>
    /// <param name="count">Systems in the sequence.</param>
    /// <param name="unknowns">Unknowns per system.</param>
    /// <param name="coefficientLength">Length of each coefficient field, or 0 for none.</param>
    /// <param name="problem">Generator name, e.g. "diffusion".</param>
    /// <param name="method">Solver, e.g. "gcrodr".</param>
    /// <param name="order">"skr" or "natural".</param>
    /// <param name="gridSize">Grid cells per side (0 if none).</param>
    /// <param name="dimension">2 or 3 (0 if none).</param>
    /// <param name="relativeTolerance">The solves' tolerance.</param>
    /// <param name="provenance">Which members of a family the rows are and the settings that made them; null for systems that belong to no family (no shard attributes are written, and the file reads as a whole data set).</param>
    public SequenceDatasetWriter(string path, int count, int unknowns, int coefficientLength, string problem, string method, string order,
        int gridSize, int dimension, double relativeTolerance, DatasetProvenance? provenance = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(unknowns, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(coefficientLength);
        provenance?.Validate(count);
        Count = count;
        Unknowns = unknowns;
        CoefficientLength = coefficientLength;
        _rhs = Rows(count, unknowns);
        _solutions = Rows(count, unknowns);
        _coefficients = coefficientLength > 0 ? Rows(count, coefficientLength) : null;
        _order = new H5Dataset<int[]>(fileDims: [(ulong)count]);
        _iterations = new H5Dataset<int[]>(fileDims: [(ulong)count]);
        _residuals = new H5Dataset<double[]>(fileDims: [(ulong)count]);
        _checksums = new H5Dataset<long[]>(fileDims: [(ulong)count]);
        var file = new H5File
        {
            ["right_hand_sides"] = _rhs,
            ["solutions"] = _solutions,
            ["solve_order"] = _order,
            ["iterations"] = _iterations,
            ["relative_residuals"] = _residuals,
            ["checksums"] = _checksums,
        };
        if (_coefficients is not null) file["coefficients"] = _coefficients;
        file.Attributes["format"] = SequenceDataset.FormatName;
        file.Attributes["problem"] = problem;
        file.Attributes["method"] = method;
        file.Attributes["order"] = order;
        file.Attributes["grid_size"] = gridSize;
        file.Attributes["dimension"] = dimension;
        file.Attributes["relative_tolerance"] = relativeTolerance;
        if (provenance is not null)
        {
            _provenance = provenance;
            _globalIndices = new H5Dataset<int[]>(fileDims: [(ulong)count]);
            file["global_indices"] = _globalIndices;
            file.Attributes["shard_index"] = provenance.Shard.Index;
            file.Attributes["shard_count"] = provenance.Shard.Count;
            file.Attributes["global_count"] = provenance.GlobalCount;
            file.Attributes["solve_chains"] = provenance.SolveChains;
            file.Attributes["parameters"] = provenance.FormatParameters();
        }
        _path = path;
        _temporary = AtomicFile.TemporaryPath(path);
        try
        {
            _writer = file.BeginWrite(_temporary);
        }
        catch
        {
            AtomicFile.Discard(_temporary);
            throw;
        }
        _solveOrder = new int[count];
        _iterationCounts = new int[count];
        _relativeResiduals = new double[count];
        _sums = new long[count];
        _written = new bool[count];
    }

    public int Count { get; }
    public int Unknowns { get; }
    public int CoefficientLength { get; }

    /// <summary>Stores system <paramref name="index"/> (its place in the input order), the next one solved.</summary>
    public void Write(int index, double[] rightHandSide, double[] solution, double[]? coefficients, int iterations, double relativeResidual)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        if (_written[index]) throw new InvalidOperationException($"System {index} was already written.");
        if (rightHandSide.Length != Unknowns || solution.Length != Unknowns)
            throw new ArgumentException($"System {index}: b has {rightHandSide.Length} and x {solution.Length} entries; the data set holds {Unknowns}.");
        if (_coefficients is not null && coefficients?.Length != CoefficientLength)
            throw new ArgumentException($"System {index}: the coefficient field has {coefficients?.Length ?? 0} entries; the data set holds {CoefficientLength}.", nameof(coefficients));
        _writer.Write(_rhs, rightHandSide, fileSelection: Row(index, Unknowns));
        _writer.Write(_solutions, solution, fileSelection: Row(index, Unknowns));
        if (_coefficients is not null) _writer.Write(_coefficients, coefficients!, fileSelection: Row(index, CoefficientLength));
        _solveOrder[_next++] = index;
        _iterationCounts[index] = iterations;
        _relativeResiduals[index] = relativeResidual;
        _sums[index] = SequenceDataset.Checksum(solution);
        _written[index] = true;
    }

    /// <summary>Systems written so far.</summary>
    public int Written => _next;

    /// <summary>
    /// With every system written: writes the tables, closes the file and moves it over the target. With fewer (an
    /// interrupted run): closes and deletes the temporary file, leaving the target as it was.
    /// </summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        bool complete = _next == Count;
        try
        {
            try
            {
                if (complete)
                {
                    _writer.Write(_order, _solveOrder);
                    _writer.Write(_iterations, _iterationCounts);
                    _writer.Write(_residuals, _relativeResiduals);
                    _writer.Write(_checksums, _sums);
                    if (_globalIndices is not null) _writer.Write(_globalIndices, _provenance!.GlobalIndices);
                }
            }
            finally
            {
                _writer.Dispose();
            }
            if (complete) AtomicFile.Commit(_temporary, _path);
        }
        finally
        {
            AtomicFile.Discard(_temporary); // gone already after a commit
        }
    }

    private static H5Dataset<double[]> Rows(int count, int length) =>
        new(fileDims: [(ulong)count, (ulong)length], chunks: [1, (uint)length]);

    private static HyperslabSelection Row(int index, int length) =>
        new(rank: 2, starts: [(ulong)index, 0], blocks: [1, (ulong)length]);
}
