using LearnedSolvers.Devices;
using LearnedSolvers.Learned.Dcdm;
using LearnedSolvers.Learned.Factors;
using LearnedSolvers.Learned.Nn;
using LearnedSolvers.Sequences;
using LearnedSolvers.Sparse;
using SharpFuzz;

namespace LearnedSolvers.Fuzz;

/// <summary>
/// Fuzzing harnesses for the three file readers. Each target feeds one input to a reader; the reader's own typed
/// exception is the expected answer to a bad file, and anything else escaping is a finding.
/// <list type="bullet">
/// <item><c>LearnedSolvers.Fuzz TARGET</c>: run under afl-fuzz (SharpFuzz's out-of-process mode, input on stdin).</item>
/// <item><c>LearnedSolvers.Fuzz TARGET --replay FILE...</c>: run inputs once each in this process and report.</item>
/// </list>
/// Targets: <c>matrixmarket</c>, <c>dataset</c>, <c>model</c>.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length == 0 || !Targets.TryGetValue(args[0], out var target))
        {
            Console.Error.WriteLine($"usage: LearnedSolvers.Fuzz {{{string.Join('|', Targets.Keys)}}} [--replay FILE...]");
            return 2;
        }
        if (args.Length > 1 && args[1] == "--replay") return Replay(target, args[2..]);
        Fuzzer.OutOfProcess.Run(target);
        return 0;
    }

    private static readonly Dictionary<string, Action<Stream>> Targets = new()
    {
        ["matrixmarket"] = MatrixMarket,
        ["dataset"] = Dataset,
        ["model"] = Model,
    };

    private static int Replay(Action<Stream> target, string[] files)
    {
        int findings = 0;
        foreach (string file in files)
        {
            try
            {
                using var stream = File.OpenRead(file);
                target(stream);
                Console.WriteLine($"ok       {file}");
            }
            catch (Exception e)
            {
                findings++;
                Console.WriteLine($"FINDING  {file}: {e}");
            }
        }
        return findings == 0 ? 0 : 1;
    }

    private static void MatrixMarket(Stream input)
    {
        byte[] bytes = ReadAll(input);
        Expect<MatrixMarketException, InvalidMatrixException>(() => MatrixMarketReader.ReadHeader(new MemoryStream(bytes)));
        Expect<MatrixMarketException, InvalidMatrixException>(() => MatrixMarketReader.ReadMatrix(new MemoryStream(bytes)));
        Expect<MatrixMarketException, InvalidMatrixException>(() => MatrixMarketReader.ReadMatrix(new MemoryStream(bytes), acceptBothTriangles: true));
        Expect<MatrixMarketException, InvalidMatrixException>(() => MatrixMarketReader.ReadColumns(new MemoryStream(bytes)));
        Expect<MatrixMarketException, InvalidMatrixException>(() => MatrixMarketReader.ReadVector(new MemoryStream(bytes)));
    }

    private static void Dataset(Stream input)
    {
        // SequenceDataset reads from a path (HDF5 needs random access to a file).
        string path = TempFile(input, ".h5");
        try
        {
            Expect<DatasetFormatException, DatasetFormatException>(() => SequenceDataset.Read(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void Model(Stream input)
    {
        byte[] bytes = ReadAll(input);
        Expect<SafetensorsFormatException, SafetensorsFormatException>(() => SafetensorsFile.Read(new MemoryStream(bytes)));
        string path = TempFile(new MemoryStream(bytes), ".safetensors");
        try
        {
            Expect<SafetensorsFormatException, SafetensorsFormatException>(() => LearnedFactorModelFile.Load(path, Device.Cpu).Model.Dispose());
            Expect<SafetensorsFormatException, SafetensorsFormatException>(() => DcdmModelFile.Load(path, Device.Cpu).Network.Dispose());
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Runs <paramref name="read"/>; the two typed exceptions are a proper answer to a bad file, anything else escapes.</summary>
    private static void Expect<T1, T2>(Action read) where T1 : Exception where T2 : Exception
    {
        try
        {
            read();
        }
        catch (T1)
        {
        }
        catch (T2)
        {
        }
    }

    private static byte[] ReadAll(Stream input)
    {
        using var buffer = new MemoryStream();
        input.CopyTo(buffer);
        return buffer.ToArray();
    }

    private static string TempFile(Stream input, string extension)
    {
        string path = Path.Combine(Path.GetTempPath(), $"ls-fuzz-{Environment.ProcessId}{extension}");
        using (var file = File.Create(path)) input.CopyTo(file);
        return path;
    }
}
