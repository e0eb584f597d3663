using System.Numerics;
using System.Runtime.CompilerServices;

namespace LearnedSolvers.Devices;

/// <summary>The CPU's <see cref="IBufferKernels"/>: SIMD over chunks on the worker team (one reusable job, no allocation).</summary>
internal sealed class CpuBufferKernels(CpuDevice device) : IBufferKernels
{
    private readonly ConversionJob _job = new();

    public void Convert(DeviceBuffer<float> source, DeviceBuffer<double> destination)
    {
        int n = BufferChecks.SameLength(device, source, destination);
        Run(Operation.ToDouble, n, Memory(source), Memory(destination));
    }

    public void Convert(DeviceBuffer<double> source, DeviceBuffer<float> destination)
    {
        int n = BufferChecks.SameLength(device, source, destination);
        Run(Operation.ToSingle, n, Memory(destination), Memory(source));
    }

    public void Copy(DeviceBuffer<float> source, DeviceBuffer<float> destination)
    {
        BufferChecks.SameLength(device, source, destination);
        Memory(source).Span.CopyTo(Memory(destination).Span);
    }

    public void Fill(DeviceBuffer<float> x, float value)
    {
        BufferChecks.On(device, x, nameof(x));
        Memory(x).Span.Fill(value);
    }

    private void Run(Operation operation, int n, CpuMemory<float> single, CpuMemory<double> @double)
    {
        lock (_job)
        {
            _job.Set(operation, single, @double, n);
            if (n <= CpuDevice.ChunkSize) _job.RunChunk(0);
            else device.Team.Run(_job, CpuDevice.ChunkCount(n));
            _job.Set(operation, default, default, 0);
        }
    }

    private static CpuMemory<T> Memory<T>(DeviceBuffer<T> buffer) where T : unmanaged => CpuBuffer<T>.MemoryOf(buffer);

    private enum Operation { ToDouble, ToSingle }

    private sealed class ConversionJob : CpuChunkJob
    {
        private Operation _operation;
        private CpuMemory<float> _single;
        private CpuMemory<double> _double;
        private int _length;

        public void Set(Operation operation, CpuMemory<float> single, CpuMemory<double> @double, int length)
        {
            _operation = operation;
            _single = single;
            _double = @double;
            _length = length;
        }

        public override void RunChunk(int chunk)
        {
            int start = chunk * CpuDevice.ChunkSize;
            int length = Math.Min(CpuDevice.ChunkSize, _length - start);
            if (_operation == Operation.ToDouble) ToDouble(ref _single.At(start), ref _double.At(start), length);
            else ToSingle(ref _double.At(start), ref _single.At(start), length);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void ToDouble(ref float source, ref double destination, int length)
        {
            int w = Vector<float>.Count, i = 0;
            for (; i <= length - w; i += w)
            {
                Vector.Widen(Vector.LoadUnsafe(ref source, (nuint)i), out var low, out var high);
                low.StoreUnsafe(ref destination, (nuint)i);
                high.StoreUnsafe(ref destination, (nuint)(i + w / 2));
            }
            for (; i < length; i++) Unsafe.Add(ref destination, i) = Unsafe.Add(ref source, i);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void ToSingle(ref double source, ref float destination, int length)
        {
            int w = Vector<float>.Count, i = 0;
            for (; i <= length - w; i += w)
                Vector.Narrow(Vector.LoadUnsafe(ref source, (nuint)i), Vector.LoadUnsafe(ref source, (nuint)(i + w / 2))).StoreUnsafe(ref destination, (nuint)i);
            for (; i < length; i++) Unsafe.Add(ref destination, i) = (float)Unsafe.Add(ref source, i);
        }
    }
}
