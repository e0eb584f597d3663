namespace LearnedSolvers.Sequences;

/// <summary>
/// A read-only file stream that refuses to read more than a budget in all: corrupt HDF5 object headers (a message
/// whose size or continuation points back into itself) make PureHDF 2.2 read the same bytes over and over without
/// returning; a reader that has read the file many times over is in such a loop, and stops with
/// <see cref="DatasetFormatException"/> instead of hanging. A whole data set is read about once.
/// </summary>
internal sealed class BoundedReadStream : Stream
{
    private readonly FileStream _inner;
    private readonly string _path;
    private readonly long _budget;
    private long _read;

    /// <param name="path">The file, opened for reading; it may be read eight times over, and 64 MiB more for its metadata.</param>
    public BoundedReadStream(string path)
    {
        _inner = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.RandomAccess);
        _path = path;
        _budget = 8 * _inner.Length + (64L << 20);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = _inner.Read(buffer);
        Charge(n);
        return n;
    }

    public override int ReadByte()
    {
        int b = _inner.ReadByte();
        if (b >= 0) Charge(1);
        return b;
    }

    private void Charge(int bytes)
    {
        _read += bytes;
        if (_read > _budget)
            throw new DatasetFormatException(_path, $"the HDF5 structure loops: its reader read {_read:N0} bytes of a {_inner.Length:N0}-byte file (corrupt object headers)");
    }

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => _inner.Length;

    public override long Position
    {
        get => _inner.Position;
        set => Seek(value, SeekOrigin.Begin);
    }

    /// <summary>Moves within the file; an address before its start (a corrupt offset) is the file's fault, said so.</summary>
    public override long Seek(long offset, SeekOrigin origin)
    {
        long from = origin switch
        {
            SeekOrigin.Begin => 0,
            SeekOrigin.Current => _inner.Position,
            _ => _inner.Length,
        };
        if (offset < -from || (offset > 0 && from > long.MaxValue - offset))
            throw new DatasetFormatException(_path, $"corrupt HDF5 structure: an address outside the file ({offset:N0} from byte {from:N0} of {_inner.Length:N0})");
        return _inner.Seek(offset, origin);
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException("The data set is opened for reading.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("The data set is opened for reading.");

    protected override void Dispose(bool disposing)
    {
        if (disposing) _inner.Dispose();
        base.Dispose(disposing);
    }
}
