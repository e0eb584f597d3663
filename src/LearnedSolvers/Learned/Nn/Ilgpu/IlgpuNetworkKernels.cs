using System.Diagnostics;
using ILGPU;
using ILGPU.Runtime;
using LearnedSolvers.Devices;
using LearnedSolvers.Devices.Ilgpu;

namespace LearnedSolvers.Learned.Nn.Ilgpu;

/// <summary>
/// <see cref="INetworkKernels"/> on an ILGPU device: the kernels of <see cref="ConvolutionKernels"/>,
/// <see cref="LinearKernels"/>, <see cref="PointwiseKernels"/>, <see cref="ResampleKernels"/>,
/// <see cref="LayerNormKernels"/> and <see cref="RowKernels"/>, loaded once here and launched under the device's lock.
/// Arguments are checked on the host (<see cref="NetworkChecks"/>) before any launch, including that an output does not
/// overlap an input the kernel reads elsewhere (an output may be its input where the contract allows it). Reductions
/// (weight and bias gradients, layer-norm parameter gradients, row dots) give each result to one group, which folds its
/// threads in a fixed order: no floating-point atomics, the same bits on every run. Index buffers are read on the
/// device only: an index outside its range in GatherRows or SegmentSum gives NaN rather than a read outside the buffer.
/// </summary>
internal sealed class IlgpuNetworkKernels : INetworkKernels, IDisposable
{
    /// <summary>
    /// RowDots over at most this many rows spreads each row over the whole grid and folds in the device's partials
    /// buffer, which always has room for this many results per group; more rows get one group each.
    /// </summary>
    private const int FewRows = 32;

    private readonly IlgpuDevice _device;
    private MemoryBuffer1D<double, Stride1D.Dense>? _rowDots;

    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, ArrayView<float>, ConvolutionGeometry> _convolution;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, ConvolutionGeometry> _convolutionBackwardInput;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, ConvolutionGeometry> _convolutionBackwardWeight;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, ArrayView<float>, int, int> _linear;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int> _linearBackwardInput;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, int> _linearBackwardWeight;
    private readonly Action<Index1D, int, ArrayView<float>, ArrayView<float>> _activate;
    private readonly Action<Index1D, int, ArrayView<float>, ArrayView<float>, ArrayView<float>> _activateBackward;
    private readonly Action<Index1D, float, ArrayView<float>, float, ArrayView<float>> _axpby;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, double, double, double, double, double> _adamStep;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, double, int, ResampleGeometry> _blockSum;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, double, int, ResampleGeometry> _spread;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ResampleGeometry> _interpolate;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int, ResampleGeometry> _interpolateAdjoint;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, double, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> _layerNorm;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int> _layerNormBackwardInput;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, int> _layerNormBackwardParameters;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, int, int, ArrayView<double>, ArrayView<int>, ArrayView<double>> _fewRowDots;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, int, ArrayView<double>> _manyRowDots;
    private readonly Action<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int> _sparseMultiply;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int> _gatherRows;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<float>, int, int, int> _segmentSum;

    public IlgpuNetworkKernels(IlgpuDevice device)
    {
        _device = device ?? throw new ArgumentNullException(nameof(device));
        using (device.Lock())
        {
            var a = device.Accelerator;
            _convolution = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, ArrayView<float>, ConvolutionGeometry>(
                ConvolutionKernels.Forward);
            _convolutionBackwardInput = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, ConvolutionGeometry>(
                ConvolutionKernels.BackwardInput);
            _convolutionBackwardWeight = a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, ConvolutionGeometry>(
                ConvolutionKernels.BackwardWeight);
            _linear = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, ArrayView<float>, int, int>(LinearKernels.Forward);
            _linearBackwardInput = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int>(LinearKernels.BackwardInput);
            _linearBackwardWeight = a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, int>(LinearKernels.BackwardWeight);
            _activate = a.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<float>, ArrayView<float>>(PointwiseKernels.Activate);
            _activateBackward = a.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<float>, ArrayView<float>, ArrayView<float>>(PointwiseKernels.ActivateBackward);
            _axpby = a.LoadAutoGroupedStreamKernel<Index1D, float, ArrayView<float>, float, ArrayView<float>>(PointwiseKernels.Axpby);
            _adamStep = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, double, double, double, double, double>(
                PointwiseKernels.AdamStep);
            _blockSum = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, double, int, ResampleGeometry>(ResampleKernels.BlockSum);
            _spread = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, double, int, ResampleGeometry>(ResampleKernels.Spread);
            _interpolate = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ResampleGeometry>(ResampleKernels.Interpolate);
            _interpolateAdjoint = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, ResampleGeometry>(ResampleKernels.InterpolateAdjoint);
            _layerNorm = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, double, ArrayView<float>, ArrayView<float>,
                ArrayView<float>, int, int>(LayerNormKernels.Forward);
            _layerNormBackwardInput = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
                ArrayView<float>, int, int, int>(LayerNormKernels.BackwardInput);
            _layerNormBackwardParameters = a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
                int, int, int, int>(LayerNormKernels.BackwardParameters);
            _fewRowDots = a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, int, int, ArrayView<double>, ArrayView<int>, ArrayView<double>>(RowKernels.FewRowDots);
            _manyRowDots = a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, int, ArrayView<double>>(RowKernels.ManyRowDots);
            _sparseMultiply = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(
                RowKernels.SparseMultiply);
            _gatherRows = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int>(RowKernels.GatherRows);
            _segmentSum = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<float>, int, int, int>(RowKernels.SegmentSum);
        }
    }

    // ---- convolution ----

    public void Convolution(DeviceBuffer<float> x, DeviceBuffer<float> weight, DeviceBuffer<float>? bias, DeviceBuffer<float> y, int dilation = 1)
    {
        NetworkChecks.Convolution(_device, x, weight, bias, y, dilation);
        var xs = View(x);
        var ys = View(y);
        Disjoint(ys, nameof(y), xs, nameof(x));
        if (y.Length == 0) return;
        var ws = View(weight);
        var geometry = ConvolutionGeometry.Of(x.Shape, weight.Shape, dilation);
        using (_device.Lock()) _convolution(y.Length, xs, ws, bias is null ? ws : View(bias), bias is null ? 0 : 1, ys, geometry);
    }

    public void ConvolutionBackwardInput(DeviceBuffer<float> dy, DeviceBuffer<float> weight, DeviceBuffer<float> dx, int dilation = 1, bool accumulate = false)
    {
        NetworkChecks.ConvolutionBackwardInput(_device, dy, weight, dx, dilation);
        var dys = View(dy);
        var ws = View(weight);
        var dxs = View(dx);
        Disjoint(dxs, nameof(dx), dys, nameof(dy));
        Disjoint(dxs, nameof(dx), ws, nameof(weight));
        if (dx.Length == 0) return;
        var geometry = ConvolutionGeometry.Of(dx.Shape, weight.Shape, dilation);
        using (_device.Lock()) _convolutionBackwardInput(dx.Length, dys, ws, dxs, accumulate ? 1 : 0, geometry);
    }

    public void ConvolutionBackwardWeight(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dWeight, DeviceBuffer<float>? dBias,
        int dilation = 1, bool accumulate = false)
    {
        NetworkChecks.ConvolutionBackwardWeight(_device, x, dy, dWeight, dBias, dilation);
        var xs = View(x);
        var dys = View(dy);
        var dws = View(dWeight);
        var dbs = dBias is null ? dws : View(dBias);
        Disjoint(dws, nameof(dWeight), xs, nameof(x));
        Disjoint(dws, nameof(dWeight), dys, nameof(dy));
        if (dBias is not null)
        {
            Disjoint(dbs, nameof(dBias), xs, nameof(x));
            Disjoint(dbs, nameof(dBias), dys, nameof(dy));
            Disjoint(dbs, nameof(dBias), dws, nameof(dWeight));
        }
        var geometry = ConvolutionGeometry.Of(x.Shape, dWeight.Shape, dilation);
        int groups = dWeight.Length + (dBias?.Length ?? 0);
        if (groups == 0) return;
        using (_device.Lock())
            _convolutionBackwardWeight(new KernelConfig(groups, _device.GroupSize), xs, dys, dws, dbs, accumulate ? 1 : 0, geometry);
    }

    // ---- linear ----

    public void Linear(DeviceBuffer<float> x, DeviceBuffer<float> weight, DeviceBuffer<float>? bias, DeviceBuffer<float> y)
    {
        NetworkChecks.Linear(_device, x, weight, bias, y);
        var xs = View(x);
        var ys = View(y);
        Disjoint(ys, nameof(y), xs, nameof(x));
        if (y.Length == 0) return;
        var ws = View(weight);
        using (_device.Lock()) _linear(y.Length, xs, ws, bias is null ? ws : View(bias), bias is null ? 0 : 1, ys, weight.Shape[1], weight.Shape[0]);
    }

    public void LinearBackwardInput(DeviceBuffer<float> dy, DeviceBuffer<float> weight, DeviceBuffer<float> dx, bool accumulate = false)
    {
        NetworkChecks.LinearBackwardInput(_device, dy, weight, dx);
        var dys = View(dy);
        var ws = View(weight);
        var dxs = View(dx);
        Disjoint(dxs, nameof(dx), dys, nameof(dy));
        Disjoint(dxs, nameof(dx), ws, nameof(weight));
        if (dx.Length == 0) return;
        using (_device.Lock()) _linearBackwardInput(dx.Length, dys, ws, dxs, accumulate ? 1 : 0, weight.Shape[1], weight.Shape[0]);
    }

    public void LinearBackwardWeight(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dWeight, DeviceBuffer<float>? dBias, bool accumulate = false)
    {
        int rows = NetworkChecks.LinearBackwardWeight(_device, x, dy, dWeight, dBias);
        var xs = View(x);
        var dys = View(dy);
        var dws = View(dWeight);
        var dbs = dBias is null ? dws : View(dBias);
        Disjoint(dws, nameof(dWeight), xs, nameof(x));
        Disjoint(dws, nameof(dWeight), dys, nameof(dy));
        if (dBias is not null)
        {
            Disjoint(dbs, nameof(dBias), xs, nameof(x));
            Disjoint(dbs, nameof(dBias), dys, nameof(dy));
            Disjoint(dbs, nameof(dBias), dws, nameof(dWeight));
        }
        int groups = dWeight.Length + (dBias?.Length ?? 0);
        if (groups == 0) return;
        using (_device.Lock())
            _linearBackwardWeight(new KernelConfig(groups, _device.GroupSize), xs, dys, dws, dbs, accumulate ? 1 : 0, rows, dWeight.Shape[1], dWeight.Shape[0]);
    }

    // ---- element-wise ----

    public void Activate(Activation function, DeviceBuffer<float> x, DeviceBuffer<float> y)
    {
        NetworkChecks.Defined(function);
        NetworkChecks.SameShape(_device, x, nameof(x), y, nameof(y));
        var xs = View(x);
        var ys = View(y);
        SameOrDisjoint(ys, nameof(y), xs, nameof(x));
        if (x.Length == 0) return;
        using (_device.Lock()) _activate(x.Length, (int)function, xs, ys);
    }

    public void ActivateBackward(Activation function, DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dx)
    {
        NetworkChecks.Defined(function);
        NetworkChecks.SameShape(_device, x, nameof(x), dy, nameof(dy));
        NetworkChecks.SameShape(_device, x, nameof(x), dx, nameof(dx));
        var xs = View(x);
        var dys = View(dy);
        var dxs = View(dx);
        SameOrDisjoint(dxs, nameof(dx), dys, nameof(dy));
        SameOrDisjoint(dxs, nameof(dx), xs, nameof(x));
        if (x.Length == 0) return;
        using (_device.Lock()) _activateBackward(x.Length, (int)function, xs, dys, dxs);
    }

    public void Axpby(float a, DeviceBuffer<float> x, float b, DeviceBuffer<float> y)
    {
        NetworkChecks.SameLength(_device, x, nameof(x), y, nameof(y));
        var xs = View(x);
        var ys = View(y);
        SameOrDisjoint(ys, nameof(y), xs, nameof(x));
        if (x.Length == 0) return;
        using (_device.Lock()) _axpby(x.Length, a, xs, b, ys);
    }

    public void AdamStep(DeviceBuffer<float> parameter, DeviceBuffer<float> gradient, DeviceBuffer<float> m, DeviceBuffer<float> v,
        float learningRate, float beta1, float beta2, float epsilon, int step)
    {
        NetworkChecks.AdamStep(_device, parameter, gradient, m, v, step);
        var ps = View(parameter);
        var gs = View(gradient);
        var ms = View(m);
        var vs = View(v);
        Disjoint(ps, nameof(parameter), gs, nameof(gradient));
        Disjoint(ms, nameof(m), gs, nameof(gradient));
        Disjoint(vs, nameof(v), gs, nameof(gradient));
        Disjoint(ms, nameof(m), ps, nameof(parameter));
        Disjoint(vs, nameof(v), ps, nameof(parameter));
        Disjoint(vs, nameof(v), ms, nameof(m));
        if (parameter.Length == 0) return;
        // The bias corrections as PyTorch forms them: in double on the host.
        double stepSize = learningRate / (1 - Math.Pow(beta1, step));
        double secondCorrectionRoot = Math.Sqrt(1 - Math.Pow(beta2, step));
        using (_device.Lock())
            _adamStep(parameter.Length, ps, gs, ms, vs, beta1, beta2, epsilon, stepSize, secondCorrectionRoot);
    }

    // ---- pooling and upsampling ----

    public void AveragePool(DeviceBuffer<float> x, DeviceBuffer<float> y, int factor)
    {
        NetworkChecks.Resample(_device, x, nameof(x), y, nameof(y), factor);
        var xs = View(x);
        var ys = View(y);
        Disjoint(ys, nameof(y), xs, nameof(x));
        if (y.Length == 0) return;
        var geometry = ResampleGeometry.Of(y.Shape, factor);
        using (_device.Lock()) _blockSum(y.Length, xs, ys, 1.0 / geometry.BlockVolume, 0, geometry);
    }

    public void AveragePoolBackward(DeviceBuffer<float> dy, DeviceBuffer<float> dx, int factor, bool accumulate = false)
    {
        NetworkChecks.Resample(_device, dx, nameof(dx), dy, nameof(dy), factor);
        var dys = View(dy);
        var dxs = View(dx);
        Disjoint(dxs, nameof(dx), dys, nameof(dy));
        if (dx.Length == 0) return;
        var geometry = ResampleGeometry.Of(dy.Shape, factor);
        using (_device.Lock()) _spread(dx.Length, dys, dxs, 1.0 / geometry.BlockVolume, accumulate ? 1 : 0, geometry);
    }

    public void Upsample(UpsampleMode mode, DeviceBuffer<float> x, DeviceBuffer<float> y, int factor)
    {
        NetworkChecks.Defined(mode);
        NetworkChecks.Resample(_device, y, nameof(y), x, nameof(x), factor);
        var xs = View(x);
        var ys = View(y);
        Disjoint(ys, nameof(y), xs, nameof(x));
        if (y.Length == 0) return;
        var geometry = ResampleGeometry.Of(x.Shape, factor);
        using (_device.Lock())
        {
            if (mode == UpsampleMode.Nearest) _spread(y.Length, xs, ys, 1.0, 0, geometry);
            else _interpolate(y.Length, xs, ys, geometry);
        }
    }

    public void UpsampleBackward(UpsampleMode mode, DeviceBuffer<float> dy, DeviceBuffer<float> dx, int factor, bool accumulate = false)
    {
        NetworkChecks.Defined(mode);
        NetworkChecks.Resample(_device, dy, nameof(dy), dx, nameof(dx), factor);
        var dys = View(dy);
        var dxs = View(dx);
        Disjoint(dxs, nameof(dx), dys, nameof(dy));
        if (dx.Length == 0) return;
        var geometry = ResampleGeometry.Of(dx.Shape, factor);
        using (_device.Lock())
        {
            if (mode == UpsampleMode.Nearest) _blockSum(dx.Length, dys, dxs, 1.0, accumulate ? 1 : 0, geometry);
            else _interpolateAdjoint(dx.Length, dys, dxs, accumulate ? 1 : 0, geometry);
        }
    }

    // ---- layer normalization ----

    public void LayerNorm(DeviceBuffer<float> x, DeviceBuffer<float> gamma, DeviceBuffer<float> beta, float epsilon,
        DeviceBuffer<float> y, DeviceBuffer<float> mean, DeviceBuffer<float> inverseStd)
    {
        NetworkChecks.LayerNorm(_device, x, gamma, beta, epsilon, y, mean, inverseStd);
        var xs = View(x);
        var ys = View(y);
        var means = View(mean);
        var inverses = View(inverseStd);
        SameOrDisjoint(ys, nameof(y), xs, nameof(x));
        Disjoint(means, nameof(mean), xs, nameof(x));
        Disjoint(means, nameof(mean), ys, nameof(y));
        Disjoint(inverses, nameof(inverseStd), xs, nameof(x));
        Disjoint(inverses, nameof(inverseStd), ys, nameof(y));
        Disjoint(inverses, nameof(inverseStd), means, nameof(mean));
        if (x.Length == 0) return;
        int channels = x.Shape[1];
        using (_device.Lock()) _layerNorm(mean.Length, xs, View(gamma), View(beta), epsilon, ys, means, inverses, channels, mean.Length / x.Shape[0]);
    }

    public void LayerNormBackward(DeviceBuffer<float> x, DeviceBuffer<float> gamma, DeviceBuffer<float> mean, DeviceBuffer<float> inverseStd,
        DeviceBuffer<float> dy, DeviceBuffer<float> dx, DeviceBuffer<float> dGamma, DeviceBuffer<float> dBeta, bool accumulate = false)
    {
        NetworkChecks.LayerNormBackward(_device, x, gamma, mean, inverseStd, dy, dx, dGamma, dBeta);
        var xs = View(x);
        var dys = View(dy);
        var dxs = View(dx);
        var dgs = View(dGamma);
        var dbs = View(dBeta);
        var means = View(mean);
        var inverses = View(inverseStd);
        // dx may be dy (each thread reads its dy before writing dx there), and the parameter gradients go first, while dy is intact.
        Disjoint(dxs, nameof(dx), xs, nameof(x));
        Disjoint(dxs, nameof(dx), means, nameof(mean));
        Disjoint(dxs, nameof(dx), inverses, nameof(inverseStd));
        Disjoint(dgs, nameof(dGamma), dbs, nameof(dBeta));
        Disjoint(dgs, nameof(dGamma), dys, nameof(dy));
        Disjoint(dbs, nameof(dBeta), dys, nameof(dy));
        Disjoint(dgs, nameof(dGamma), xs, nameof(x));
        Disjoint(dbs, nameof(dBeta), xs, nameof(x));
        Disjoint(dxs, nameof(dx), dgs, nameof(dGamma));
        Disjoint(dxs, nameof(dx), dbs, nameof(dBeta));
        SameOrDisjoint(dxs, nameof(dx), dys, nameof(dy));
        int batch = x.Shape[0], channels = x.Shape[1];
        int positions = batch == 0 || channels == 0 ? 0 : x.Length / (batch * channels);
        int a = accumulate ? 1 : 0;
        using (_device.Lock())
        {
            if (channels > 0)
                _layerNormBackwardParameters(new KernelConfig(channels, _device.GroupSize), xs, means, inverses, dys, dgs, dbs, a, batch, channels, positions);
            if (x.Length > 0) _layerNormBackwardInput(mean.Length, xs, View(gamma), means, inverses, dys, dxs, a, channels, positions);
        }
    }

    // ---- rows, sparse products and graphs ----

    public void RowDots(DeviceBuffer<float> x, DeviceBuffer<float> y, Span<double> result)
    {
        int rows = result.Length;
        int rowLength = NetworkChecks.RowDots(_device, x, y, rows);
        if (rows == 0) return;
        if (rowLength == 0)
        {
            result.Clear();
            return;
        }
        var xs = View(x);
        var ys = View(y);
        using (_device.Lock())
        {
            var output = RowDotResults(rows);
            if (rows <= FewRows)
            {
                int groups = _device.ReductionGroups(rowLength);
                Debug.Assert((long)rows * groups <= _device.PartialsView.Length);
                _fewRowDots(new KernelConfig(groups, _device.GroupSize), xs, ys, rows, rowLength, _device.PartialsView, _device.ArrivalsView, output);
            }
            else
            {
                _manyRowDots(new KernelConfig(rows, _device.GroupSize), xs, ys, rowLength, output);
            }
            _device.ReadToHost(output, result);
        }
    }

    public void SparseMultiply(DeviceBuffer<int> rowPointers, DeviceBuffer<int> columns, DeviceBuffer<float> values,
        DeviceBuffer<float> x, DeviceBuffer<float> y)
    {
        var (n, _) = NetworkChecks.SparseMultiply(_device, rowPointers, columns, values, x, y);
        var xs = View(x);
        var ys = View(y);
        var vs = View(values);
        Disjoint(ys, nameof(y), xs, nameof(x));
        Disjoint(ys, nameof(y), vs, nameof(values));
        if (y.Length == 0) return;
        using (_device.Lock()) _sparseMultiply(y.Length, View(rowPointers), View(columns), vs, xs, ys, n);
    }

    public void GatherRows(DeviceBuffer<float> x, DeviceBuffer<int> index, DeviceBuffer<float> y)
    {
        NetworkChecks.GatherRows(_device, x, index, y);
        var xs = View(x);
        var ys = View(y);
        Disjoint(ys, nameof(y), xs, nameof(x));
        if (y.Length == 0) return;
        using (_device.Lock()) _gatherRows(y.Length, xs, View(index), ys, x.Shape[0], x.Shape[1]);
    }

    public void SegmentSum(DeviceBuffer<float> x, DeviceBuffer<int> offsets, DeviceBuffer<int> order, DeviceBuffer<float> y, bool accumulate = false)
    {
        NetworkChecks.SegmentSum(_device, x, offsets, order, y);
        var xs = View(x);
        var ys = View(y);
        Disjoint(ys, nameof(y), xs, nameof(x));
        if (y.Length == 0) return;
        using (_device.Lock()) _segmentSum(y.Length, xs, View(offsets), View(order), ys, accumulate ? 1 : 0, x.Shape[0], x.Shape[1]);
    }

    // ---- helpers ----

    /// <summary>The row-dot results buffer with room for <paramref name="rows"/>, grown only past the largest count so far. Call under the lock.</summary>
    private ArrayView<double> RowDotResults(int rows)
    {
        if (_rowDots is null || _rowDots.Length < rows)
        {
            _rowDots?.Dispose();
            _rowDots = null;
            _rowDots = _device.AllocateBuffer<double>(Math.Max(rows, FewRows));
        }
        return _rowDots.View.SubView(0, rows);
    }

    private static ArrayView<T> View<T>(DeviceBuffer<T> buffer) where T : unmanaged => IlgpuBufferKernels.View(buffer);

    /// <summary>Throws unless the output's memory and the input's do not overlap (the kernel reads the input while other threads write the output).</summary>
    private static void Disjoint<TOutput, TInput>(TOutput output, string outputName, TInput input, string inputName)
        where TOutput : struct, IContiguousArrayView where TInput : struct, IContiguousArrayView
    {
        if (output.LengthInBytes == 0 || input.LengthInBytes == 0 || !ReferenceEquals(output.Buffer, input.Buffer)) return;
        long outputStart = output.IndexInBytes, inputStart = input.IndexInBytes;
        if (outputStart < inputStart + input.LengthInBytes && inputStart < outputStart + output.LengthInBytes)
            throw new ArgumentException($"{outputName} shares memory with {inputName}; the kernel needs them apart.", outputName);
    }

    /// <summary>
    /// Throws unless the output is exactly the input (kernels where each thread reads its own elements before writing them)
    /// or does not overlap it: a shifted overlap would let one thread overwrite what another still reads.
    /// </summary>
    private static void SameOrDisjoint(ArrayView<float> output, string outputName, ArrayView<float> input, string inputName)
    {
        bool same = ReferenceEquals(Buffer(output), Buffer(input)) && Start(output) == Start(input) && output.Length == input.Length;
        if (!same) Disjoint(output, outputName, input, inputName);
    }

    // Through the interfaces, constrained to structs (no boxing): the buffer and offset are not public on the views themselves.
    private static MemoryBuffer Buffer<TView>(TView view) where TView : struct, IContiguousArrayView => view.Buffer;

    private static long Start<TView>(TView view) where TView : struct, IContiguousArrayView => view.IndexInBytes;

    public void Dispose()
    {
        using (_device.Lock())
        {
            _rowDots?.Dispose();
            _rowDots = null;
        }
    }
}
