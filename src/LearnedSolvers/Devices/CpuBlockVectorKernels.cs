using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LearnedSolvers.Devices;

/// <summary>
/// The CPU's <see cref="IBlockVectorKernels"/>: one pass over the rows in chunks on the worker team, the fused forms
/// doing their second step on a chunk while it is still in cache. Within a chunk,
/// four outputs at a time take four basis vectors per sweep (four loads feed sixteen multiply-adds), and the chunk is
/// short enough that the basis stays in cache while the groups of outputs sweep it. Norms are summed per chunk and the
/// chunks in order, so results do not depend on scheduling.
/// </summary>
internal sealed class CpuBlockVectorKernels(CpuDevice device) : IBlockVectorKernels
{
    private static readonly int W = Vector<double>.Count;
    private readonly BlockJob _job = new();

    public void AddCombinations(IReadOnlyList<DeviceVector> z, IReadOnlyList<DeviceVector> u, int count, ReadOnlySpan<double> c,
        IReadOnlyList<DeviceVector> y, int outputs, Span<double> squaredNorms)
    {
        int n = BlockVectorChecks.Check(device, z, u, count, c, y, outputs, squaredNorms);
        if (outputs == 0) return;
        lock (_job)
        {
            _job.Set(Mode.Combine, u, count, outputs, n, 2 * outputs);
            _job.Z = z;
            _job.Y = y;
            c[..(count * outputs)].CopyTo(_job.First(count * outputs));
            _job.Norms = !squaredNorms.IsEmpty;
            int chunks = Run(n);
            if (!squaredNorms.IsEmpty) _job.Sum(chunks, outputs, squaredNorms);
        }
    }

    public void AddCombinationsAndProject(IReadOnlyList<DeviceVector> y, IReadOnlyList<DeviceVector> u, int count, ReadOnlySpan<double> c, int outputs,
        IReadOnlyList<DeviceVector> v, int vCount, Span<double> products)
    {
        int n = BlockVectorChecks.Check(device, y, u, count, c, y, outputs, default);
        ArgumentNullException.ThrowIfNull(v);
        if ((uint)vCount > (uint)v.Count) throw new ArgumentOutOfRangeException(nameof(vCount), vCount, $"{vCount} vectors are needed; {v.Count} were given.");
        for (int i = 0; i < vCount; i++) device.Check(v[i], n, nameof(v));
        if (products.Length < vCount * outputs) throw new ArgumentException($"{vCount} x {outputs} products are written; the span holds {products.Length}.", nameof(products));
        if (outputs == 0) return;
        lock (_job)
        {
            _job.Set(Mode.CombineAndProject, u, count, outputs, n, vCount + outputs);
            _job.Z = _job.Y = y;
            _job.V = v;
            _job.VCount = vCount;
            c[..(count * outputs)].CopyTo(_job.First(count * outputs));
            int chunks = Run(n);
            _job.Sum(chunks, vCount * outputs, products);
        }
    }

    public void AddTwoCombinations(IReadOnlyList<DeviceVector> u, int count, IReadOnlyList<DeviceVector> x, ReadOnlySpan<double> a, int xOutputs,
        IReadOnlyList<DeviceVector> z, ReadOnlySpan<double> b, IReadOnlyList<DeviceVector> y, int yOutputs)
    {
        int n = BlockVectorChecks.Check(device, x, u, count, a, x, xOutputs, default);
        int m = BlockVectorChecks.Check(device, z, u, count, b, y, yOutputs, default);
        if (xOutputs > 0 && yOutputs > 0 && m != n) throw new ArgumentException($"x and y must have the same length; x has {n}, y {m}.", nameof(y));
        if (xOutputs == 0 && yOutputs == 0) return;
        lock (_job)
        {
            _job.Set(Mode.TwoCombinations, u, count, xOutputs, Math.Max(n, m), xOutputs + 2 * yOutputs);
            _job.SecondOutputs = yOutputs;
            _job.X = x;
            _job.Z = z;
            _job.Y = y;
            a[..(count * xOutputs)].CopyTo(_job.First(count * xOutputs));
            b[..(count * yOutputs)].CopyTo(_job.Second(count * yOutputs));
            Run(Math.Max(n, m));
        }
    }

    /// <summary>Runs the job set up over n rows in chunks; returns the chunk count.</summary>
    private int Run(int n)
    {
        int chunks = CpuDevice.ChunkCount(n, _job.ChunkLength);
        _job.Prepare(chunks);
        if (chunks == 1) _job.RunChunk(0);
        else device.Team.Run(_job, chunks);
        _job.Clear();
        return chunks;
    }

    private enum Mode { Combine, CombineAndProject, TwoCombinations }

    /// <summary>The one reusable job: its fields are the current kernel's arguments (set under the job's lock).</summary>
    private sealed class BlockJob : CpuChunkJob
    {
        public IReadOnlyList<DeviceVector>? U, X, Z, Y, V;
        public int VCount, SecondOutputs;
        public bool Norms;
        public int ChunkLength;
        private Mode _mode;
        private int _count, _outputs, _length, _partialsPerChunk;
        private double[] _first = new double[64], _second = new double[64], _partials = new double[64], _zeros = [];

        public void Set(Mode mode, IReadOnlyList<DeviceVector> u, int count, int outputs, int length, int vectorsPerRow)
        {
            (_mode, U, _count, _outputs, _length) = (mode, u, count, outputs, length);
            Norms = false;
            // Short enough that the chunk's basis and outputs stay in cache while the groups of outputs sweep it.
            ChunkLength = CpuDevice.BasisChunkSize(count + Math.Min(vectorsPerRow, 12));
            if ((count % 4 != 0 || count == 0) && _zeros.Length < ChunkLength) _zeros = new double[ChunkLength];
        }

        public double[] First(int length) => _first.Length >= length ? _first : _first = new double[length];

        public double[] Second(int length) => _second.Length >= length ? _second : _second = new double[length];

        public void Prepare(int chunks)
        {
            _partialsPerChunk = _mode == Mode.CombineAndProject ? VCount * _outputs : Norms ? _outputs : 0;
            if (_partials.Length < chunks * _partialsPerChunk) _partials = new double[chunks * _partialsPerChunk];
        }

        /// <summary>result[i] = Σ over the chunks, in chunk order, of partial i.</summary>
        public void Sum(int chunks, int count, Span<double> result)
        {
            for (int i = 0; i < count; i++)
            {
                double s = 0;
                for (int k = 0; k < chunks; k++) s += _partials[k * _partialsPerChunk + i];
                result[i] = s;
            }
        }

        public void Clear() => U = X = Z = Y = V = null;

        public override void RunChunk(int chunk)
        {
            int start = chunk * ChunkLength;
            int length = Math.Min(ChunkLength, _length - start);
            var partials = _partials.AsSpan(chunk * _partialsPerChunk, _partialsPerChunk);
            switch (_mode)
            {
                case Mode.Combine:
                    Combine(Z!, _first, Y!, _outputs, start, length, Norms ? partials : default);
                    break;
                case Mode.CombineAndProject:
                    Combine(Y!, _first, Y!, _outputs, start, length, default);
                    CpuVectorKernels.MultiDotBlock(V!, VCount, Y!, _outputs, start, length, partials);
                    break;
                case Mode.TwoCombinations:
                    Combine(X!, _first, X!, _outputs, start, length, default);
                    Combine(Z!, _second, Y!, SecondOutputs, start, length, default);
                    break;
            }
        }

        /// <summary>y_j ← z_j + Σ_i c[j·count + i] u_i over one chunk, four outputs at a time; ‖y_j‖² into norms when not empty.</summary>
        private void Combine(IReadOnlyList<DeviceVector> z, double[] c, IReadOnlyList<DeviceVector> y, int outputs, int start, int length, Span<double> norms)
        {
            int j = 0;
            for (; j + 4 <= outputs; j += 4) Outputs(z, c, y, j, 4, start, length, norms);
            for (; j < outputs; j++) Outputs(z, c, y, j, 1, start, length, norms);
        }

        /// <summary>Outputs j0 … j0 + width − 1 (width 4 or 1) over one chunk, basis vectors four at a time.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Outputs(IReadOnlyList<DeviceVector> z, double[] c, IReadOnlyList<DeviceVector> y, int j0, int width, int start, int length, Span<double> norms)
        {
            // A narrow group repeats its one output in all four slots with zero coefficients in three of them.
            int j1 = width == 4 ? j0 + 1 : j0, j2 = width == 4 ? j0 + 2 : j0, j3 = width == 4 ? j0 + 3 : j0;
            ref double y0 = ref At(y[j0], start);
            ref double y1 = ref At(y[j1], start);
            ref double y2 = ref At(y[j2], start);
            ref double y3 = ref At(y[j3], start);
            double n0 = 0, n1 = 0, n2 = 0, n3 = 0;
            int groups = Math.Max(1, (_count + 3) / 4);
            for (int g = 0; g < groups; g++)
            {
                int b = 4 * g;
                bool first = g == 0, last = g == groups - 1;
                // Sources: z on the first sweep (an update in place reads and writes the same element), y after it.
                ref double s0 = ref first ? ref At(z[j0], start) : ref y0;
                ref double s1 = ref first ? ref At(z[j1], start) : ref y1;
                ref double s2 = ref first ? ref At(z[j2], start) : ref y2;
                ref double s3 = ref first ? ref At(z[j3], start) : ref y3;
                ref double u0 = ref Basis(c, b, start, out double c00, out double c01, out double c02, out double c03, j0, width);
                ref double u1 = ref Basis(c, b + 1, start, out double c10, out double c11, out double c12, out double c13, j0, width);
                ref double u2 = ref Basis(c, b + 2, start, out double c20, out double c21, out double c22, out double c23, j0, width);
                ref double u3 = ref Basis(c, b + 3, start, out double c30, out double c31, out double c32, out double c33, j0, width);
                Vector<double> k00 = new(c00), k01 = new(c01), k02 = new(c02), k03 = new(c03);
                Vector<double> k10 = new(c10), k11 = new(c11), k12 = new(c12), k13 = new(c13);
                Vector<double> k20 = new(c20), k21 = new(c21), k22 = new(c22), k23 = new(c23);
                Vector<double> k30 = new(c30), k31 = new(c31), k32 = new(c32), k33 = new(c33);
                var m0 = Vector<double>.Zero;
                var m1 = m0;
                var m2 = m0;
                var m3 = m0;
                int i = 0;
                if (Vector512.IsHardwareAccelerated)
                {
                    // 512-bit lanes with fused multiply-adds: the sweep is bound by its arithmetic, not its loads.
                    var q00 = Vector512.Create(c00); var q01 = Vector512.Create(c01); var q02 = Vector512.Create(c02); var q03 = Vector512.Create(c03);
                    var q10 = Vector512.Create(c10); var q11 = Vector512.Create(c11); var q12 = Vector512.Create(c12); var q13 = Vector512.Create(c13);
                    var q20 = Vector512.Create(c20); var q21 = Vector512.Create(c21); var q22 = Vector512.Create(c22); var q23 = Vector512.Create(c23);
                    var q30 = Vector512.Create(c30); var q31 = Vector512.Create(c31); var q32 = Vector512.Create(c32); var q33 = Vector512.Create(c33);
                    var e0 = Vector512<double>.Zero;
                    var e1 = e0;
                    var e2 = e0;
                    var e3 = e0;
                    int w = Vector512<double>.Count;
                    for (; i <= length - w; i += w)
                    {
                        var v0 = Vector512.LoadUnsafe(ref u0, (nuint)i);
                        var v1 = Vector512.LoadUnsafe(ref u1, (nuint)i);
                        var v2 = Vector512.LoadUnsafe(ref u2, (nuint)i);
                        var v3 = Vector512.LoadUnsafe(ref u3, (nuint)i);
                        var a0 = Vector512.FusedMultiplyAdd(q30, v3, Vector512.FusedMultiplyAdd(q20, v2, Vector512.FusedMultiplyAdd(q10, v1, Vector512.FusedMultiplyAdd(q00, v0, Vector512.LoadUnsafe(ref s0, (nuint)i)))));
                        var a1 = Vector512.FusedMultiplyAdd(q31, v3, Vector512.FusedMultiplyAdd(q21, v2, Vector512.FusedMultiplyAdd(q11, v1, Vector512.FusedMultiplyAdd(q01, v0, Vector512.LoadUnsafe(ref s1, (nuint)i)))));
                        var a2 = Vector512.FusedMultiplyAdd(q32, v3, Vector512.FusedMultiplyAdd(q22, v2, Vector512.FusedMultiplyAdd(q12, v1, Vector512.FusedMultiplyAdd(q02, v0, Vector512.LoadUnsafe(ref s2, (nuint)i)))));
                        var a3 = Vector512.FusedMultiplyAdd(q33, v3, Vector512.FusedMultiplyAdd(q23, v2, Vector512.FusedMultiplyAdd(q13, v1, Vector512.FusedMultiplyAdd(q03, v0, Vector512.LoadUnsafe(ref s3, (nuint)i)))));
                        a3.StoreUnsafe(ref y3, (nuint)i);
                        a2.StoreUnsafe(ref y2, (nuint)i);
                        a1.StoreUnsafe(ref y1, (nuint)i);
                        a0.StoreUnsafe(ref y0, (nuint)i);
                        if (last)
                        {
                            e0 = Vector512.FusedMultiplyAdd(a0, a0, e0);
                            e1 = Vector512.FusedMultiplyAdd(a1, a1, e1);
                            e2 = Vector512.FusedMultiplyAdd(a2, a2, e2);
                            e3 = Vector512.FusedMultiplyAdd(a3, a3, e3);
                        }
                    }
                    n0 += Vector512.Sum(e0);
                    n1 += Vector512.Sum(e1);
                    n2 += Vector512.Sum(e2);
                    n3 += Vector512.Sum(e3);
                }
                for (; i <= length - W; i += W)
                {
                    var v0 = Vector.LoadUnsafe(ref u0, (nuint)i);
                    var v1 = Vector.LoadUnsafe(ref u1, (nuint)i);
                    var v2 = Vector.LoadUnsafe(ref u2, (nuint)i);
                    var v3 = Vector.LoadUnsafe(ref u3, (nuint)i);
                    var a0 = Vector.LoadUnsafe(ref s0, (nuint)i) + k00 * v0 + k10 * v1 + k20 * v2 + k30 * v3;
                    var a1 = Vector.LoadUnsafe(ref s1, (nuint)i) + k01 * v0 + k11 * v1 + k21 * v2 + k31 * v3;
                    var a2 = Vector.LoadUnsafe(ref s2, (nuint)i) + k02 * v0 + k12 * v1 + k22 * v2 + k32 * v3;
                    var a3 = Vector.LoadUnsafe(ref s3, (nuint)i) + k03 * v0 + k13 * v1 + k23 * v2 + k33 * v3;
                    // Stored last to first: a narrow group's four slots are one output, and slot 0 holds its value.
                    a3.StoreUnsafe(ref y3, (nuint)i);
                    a2.StoreUnsafe(ref y2, (nuint)i);
                    a1.StoreUnsafe(ref y1, (nuint)i);
                    a0.StoreUnsafe(ref y0, (nuint)i);
                    if (last)
                    {
                        m0 += a0 * a0;
                        m1 += a1 * a1;
                        m2 += a2 * a2;
                        m3 += a3 * a3;
                    }
                }
                for (; i < length; i++)
                {
                    double v0 = Unsafe.Add(ref u0, i), v1 = Unsafe.Add(ref u1, i), v2 = Unsafe.Add(ref u2, i), v3 = Unsafe.Add(ref u3, i);
                    double a0 = Unsafe.Add(ref s0, i) + c00 * v0 + c10 * v1 + c20 * v2 + c30 * v3;
                    double a1 = Unsafe.Add(ref s1, i) + c01 * v0 + c11 * v1 + c21 * v2 + c31 * v3;
                    double a2 = Unsafe.Add(ref s2, i) + c02 * v0 + c12 * v1 + c22 * v2 + c32 * v3;
                    double a3 = Unsafe.Add(ref s3, i) + c03 * v0 + c13 * v1 + c23 * v2 + c33 * v3;
                    Unsafe.Add(ref y3, i) = a3;
                    Unsafe.Add(ref y2, i) = a2;
                    Unsafe.Add(ref y1, i) = a1;
                    Unsafe.Add(ref y0, i) = a0;
                    if (last)
                    {
                        n0 += a0 * a0;
                        n1 += a1 * a1;
                        n2 += a2 * a2;
                        n3 += a3 * a3;
                    }
                }
                if (last)
                {
                    n0 += Vector.Sum(m0);
                    n1 += Vector.Sum(m1);
                    n2 += Vector.Sum(m2);
                    n3 += Vector.Sum(m3);
                }
            }
            if (norms.IsEmpty) return;
            norms[j0] = n0;
            if (width == 4)
            {
                norms[j0 + 1] = n1;
                norms[j0 + 2] = n2;
                norms[j0 + 3] = n3;
            }
        }

        /// <summary>
        /// Basis vector i's slice and its coefficients for the group's four slots; past the basis (or with no basis) a
        /// slice of zeros with zero coefficients, so the sweep adds exactly nothing (a real vector's infinity times 0
        /// would be NaN).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private ref double Basis(double[] c, int i, int start, out double c0, out double c1, out double c2, out double c3, int j0, int width)
        {
            if (i >= _count)
            {
                c0 = c1 = c2 = c3 = 0;
                return ref _zeros[0];
            }
            int count = _count;
            c0 = c[j0 * count + i];
            c1 = width == 4 ? c[(j0 + 1) * count + i] : 0;
            c2 = width == 4 ? c[(j0 + 2) * count + i] : 0;
            c3 = width == 4 ? c[(j0 + 3) * count + i] : 0;
            return ref At(U![i], start);
        }

        private static ref double At(DeviceVector v, int start) => ref ((CpuVector)v).Memory.At(start);
    }
}
