using LearnedSolvers.Devices;
using LearnedSolvers.Learned.Nn.Cpu;

namespace LearnedSolvers.Learned.Nn;

/// <summary>
/// The CPU's <see cref="INetworkKernels"/>: each kernel checks its arguments, then runs one reusable job (Cpu/…) on the
/// device's worker team. Jobs keep their working memory (packed weights, per-thread slabs, partial sums) and grow it
/// only for a larger shape, so a warm kernel allocates nothing. One call runs at a time per device: the jobs' fields
/// hold the current call's arguments.
/// </summary>
internal sealed class CpuNetworkKernels : INetworkKernels
{
    private readonly CpuDevice _device;
    private readonly object _gate = new();
    private readonly ConvolutionJob _convolution;
    private readonly ConvolutionWeightGradientJob _convolutionWeight;
    private readonly LinearJob _linear;
    private readonly ElementwiseJob _elementwise;
    private readonly ResamplingJob _resampling;
    private readonly LayerNormJob _layerNorm;
    private readonly RowDotsJob _rowDots;
    private readonly GraphJob _graph;

    public CpuNetworkKernels(CpuDevice device)
    {
        _device = device;
        var team = device.Team;
        var scratch = new ScratchSlots(team.Parallelism + 1);
        _convolution = new ConvolutionJob(team, scratch);
        _convolutionWeight = new ConvolutionWeightGradientJob(team, scratch);
        _linear = new LinearJob(team, scratch);
        _elementwise = new ElementwiseJob(team);
        _resampling = new ResamplingJob(team, scratch);
        _layerNorm = new LayerNormJob(team, scratch);
        _rowDots = new RowDotsJob(team);
        _graph = new GraphJob(team, scratch);
    }

    private static CpuMemory<T> Memory<T>(DeviceBuffer<T> buffer) where T : unmanaged => CpuBuffer<T>.MemoryOf(buffer);

    private static CpuMemory<float>? Optional(DeviceBuffer<float>? buffer) => buffer is null ? null : CpuBuffer<float>.MemoryOf(buffer);

    public void Convolution(DeviceBuffer<float> x, DeviceBuffer<float> weight, DeviceBuffer<float>? bias, DeviceBuffer<float> y, int dilation = 1)
    {
        var shape = ConvolutionShape.Check(_device, x, nameof(x), weight, nameof(weight), y, nameof(y), dilation);
        if (bias is not null)
        {
            CpuNetworkChecks.On(_device, bias, nameof(bias));
            shape.CheckBias(bias, nameof(bias));
        }
        CpuNetworkChecks.Disjoint(x, nameof(x), y, nameof(y));
        lock (_gate) _convolution.Forward(shape, Memory(x), Memory(weight), Optional(bias), Memory(y));
    }

    public void ConvolutionBackwardInput(DeviceBuffer<float> dy, DeviceBuffer<float> weight, DeviceBuffer<float> dx, int dilation = 1, bool accumulate = false)
    {
        var shape = ConvolutionShape.Check(_device, dx, nameof(dx), weight, nameof(weight), dy, nameof(dy), dilation);
        CpuNetworkChecks.Disjoint(dy, nameof(dy), dx, nameof(dx));
        lock (_gate) _convolution.BackwardInput(shape, Memory(dy), Memory(weight), Memory(dx), accumulate);
    }

    public void ConvolutionBackwardWeight(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dWeight, DeviceBuffer<float>? dBias,
        int dilation = 1, bool accumulate = false)
    {
        var shape = ConvolutionShape.Check(_device, x, nameof(x), dWeight, nameof(dWeight), dy, nameof(dy), dilation);
        if (dBias is not null)
        {
            CpuNetworkChecks.On(_device, dBias, nameof(dBias));
            shape.CheckBias(dBias, nameof(dBias));
        }
        lock (_gate) _convolutionWeight.Run(shape, Memory(x), Memory(dy), Memory(dWeight), Optional(dBias), accumulate);
    }

    public void Linear(DeviceBuffer<float> x, DeviceBuffer<float> weight, DeviceBuffer<float>? bias, DeviceBuffer<float> y)
    {
        var (rows, inputs, outputs) = LinearShape(x, nameof(x), weight, nameof(weight), y, nameof(y));
        if (bias is not null)
        {
            CpuNetworkChecks.On(_device, bias, nameof(bias));
            CpuNetworkChecks.Shape(bias.Shape, nameof(bias), new Shape(outputs), $"[out] for weight {weight.Shape}");
        }
        CpuNetworkChecks.Disjoint(x, nameof(x), y, nameof(y));
        lock (_gate) _linear.Forward(rows, inputs, outputs, Memory(x), Memory(weight), Optional(bias), Memory(y));
    }

    public void LinearBackwardInput(DeviceBuffer<float> dy, DeviceBuffer<float> weight, DeviceBuffer<float> dx, bool accumulate = false)
    {
        var (rows, inputs, outputs) = LinearShape(dx, nameof(dx), weight, nameof(weight), dy, nameof(dy));
        CpuNetworkChecks.Disjoint(dy, nameof(dy), dx, nameof(dx));
        lock (_gate) _linear.BackwardInput(rows, inputs, outputs, Memory(dy), Memory(weight), Memory(dx), accumulate);
    }

    public void LinearBackwardWeight(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dWeight, DeviceBuffer<float>? dBias, bool accumulate = false)
    {
        var (rows, inputs, outputs) = LinearShape(x, nameof(x), dWeight, nameof(dWeight), dy, nameof(dy));
        if (dBias is not null)
        {
            CpuNetworkChecks.On(_device, dBias, nameof(dBias));
            CpuNetworkChecks.Shape(dBias.Shape, nameof(dBias), new Shape(outputs), $"[out] for dWeight {dWeight.Shape}");
        }
        lock (_gate) _linear.BackwardWeight(rows, inputs, outputs, Memory(x), Memory(dy), Memory(dWeight), Optional(dBias), accumulate);
    }

    /// <summary>Checks input [M…, in], weight [out, in], output [M…, out]; returns (rows M, in, out).</summary>
    private (int Rows, int Inputs, int Outputs) LinearShape(DeviceBuffer<float> input, string inputName, DeviceBuffer<float> weight, string weightName,
        DeviceBuffer<float> output, string outputName)
    {
        CpuNetworkChecks.On(_device, input, inputName);
        CpuNetworkChecks.On(_device, weight, weightName);
        CpuNetworkChecks.On(_device, output, outputName);
        if (weight.Shape.Rank != 2)
            throw new ArgumentException($"{weightName} has shape {weight.Shape}; expected [out, in].", weightName);
        int outputs = weight.Shape[0], inputs = weight.Shape[1];
        var x = input.Shape;
        if (x[x.Rank - 1] != inputs)
            throw new ArgumentException($"{inputName} has shape {x}: its last dimension must be {weightName}'s {inputs} inputs ({weightName} has shape {weight.Shape}).", inputName);
        Span<int> expected = stackalloc int[x.Rank];
        for (int axis = 0; axis < x.Rank; axis++) expected[axis] = axis == x.Rank - 1 ? outputs : x[axis];
        CpuNetworkChecks.Shape(output.Shape, outputName, new Shape(expected), $"{inputName} {x} with its last dimension replaced by {weightName}'s {outputs} outputs");
        int rows = 1;
        for (int axis = 0; axis < x.Rank - 1; axis++) rows *= x[axis];
        return (rows, inputs, outputs);
    }

    public void Activate(Activation function, DeviceBuffer<float> x, DeviceBuffer<float> y)
    {
        CheckActivation(function);
        CpuNetworkChecks.On(_device, x, nameof(x));
        CpuNetworkChecks.On(_device, y, nameof(y));
        CpuNetworkChecks.SameLength(x, nameof(x), y, nameof(y));
        CpuNetworkChecks.SameOrDisjoint(x, nameof(x), y, nameof(y));
        lock (_gate) _elementwise.Activate(function, Memory(x), Memory(y));
    }

    public void ActivateBackward(Activation function, DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dx)
    {
        CheckActivation(function);
        CpuNetworkChecks.On(_device, x, nameof(x));
        CpuNetworkChecks.On(_device, dy, nameof(dy));
        CpuNetworkChecks.On(_device, dx, nameof(dx));
        CpuNetworkChecks.SameLength(x, nameof(x), dy, nameof(dy));
        CpuNetworkChecks.SameLength(x, nameof(x), dx, nameof(dx));
        CpuNetworkChecks.SameOrDisjoint(x, nameof(x), dx, nameof(dx));
        CpuNetworkChecks.SameOrDisjoint(dy, nameof(dy), dx, nameof(dx));
        lock (_gate) _elementwise.ActivateBackward(function, Memory(x), Memory(dy), Memory(dx));
    }

    private static void CheckActivation(Activation function)
    {
        if (!Enum.IsDefined(function)) throw new ArgumentOutOfRangeException(nameof(function), function, "Unknown activation.");
    }

    public void AveragePool(DeviceBuffer<float> x, DeviceBuffer<float> y, int factor)
    {
        var coarse = Resampling(x, nameof(x), y, nameof(y), factor, fineFirst: true);
        lock (_gate) _resampling.BlockSum(coarse, factor, Memory(x), Memory(y), 1f / Blocks(coarse, factor), accumulate: false);
    }

    public void AveragePoolBackward(DeviceBuffer<float> dy, DeviceBuffer<float> dx, int factor, bool accumulate = false)
    {
        var coarse = Resampling(dx, nameof(dx), dy, nameof(dy), factor, fineFirst: true);
        lock (_gate) _resampling.Spread(coarse, factor, Memory(dy), Memory(dx), 1f / Blocks(coarse, factor), accumulate);
    }

    public void Upsample(UpsampleMode mode, DeviceBuffer<float> x, DeviceBuffer<float> y, int factor)
    {
        CheckMode(mode);
        var coarse = Resampling(x, nameof(x), y, nameof(y), factor, fineFirst: false);
        lock (_gate)
        {
            if (mode == UpsampleMode.Nearest) _resampling.Spread(coarse, factor, Memory(x), Memory(y), 1f, accumulate: false);
            else _resampling.Linear(coarse, factor, Memory(x), Memory(y));
        }
    }

    public void UpsampleBackward(UpsampleMode mode, DeviceBuffer<float> dy, DeviceBuffer<float> dx, int factor, bool accumulate = false)
    {
        CheckMode(mode);
        var coarse = Resampling(dx, nameof(dx), dy, nameof(dy), factor, fineFirst: false);
        lock (_gate)
        {
            if (mode == UpsampleMode.Nearest) _resampling.BlockSum(coarse, factor, Memory(dy), Memory(dx), 1f, accumulate);
            else _resampling.LinearAdjoint(coarse, factor, Memory(dy), Memory(dx), accumulate);
        }
    }

    private static void CheckMode(UpsampleMode mode)
    {
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown upsampling mode.");
    }

    private static int Blocks(Shape coarse, int factor) => coarse.Rank == 5 ? factor * factor * factor : factor * factor;

    /// <summary>
    /// Checks a pair of image batches a factor apart. <paramref name="first"/> is the fine one when
    /// <paramref name="fineFirst"/> (pooling: its spatial sizes must divide), else the coarse one; returns the coarse shape.
    /// </summary>
    private Shape Resampling(DeviceBuffer<float> first, string firstName, DeviceBuffer<float> second, string secondName, int factor, bool fineFirst)
    {
        CpuNetworkChecks.On(_device, first, firstName);
        CpuNetworkChecks.On(_device, second, secondName);
        CpuNetworkChecks.Factor(factor);
        CpuNetworkChecks.Images(first, firstName);
        if (fineFirst) CpuNetworkChecks.Divides(first, firstName, factor);
        var expected = CpuNetworkChecks.Resized(first.Shape, factor, finer: !fineFirst);
        CpuNetworkChecks.Shape(second.Shape, secondName, expected, $"{firstName} {first.Shape} with its spatial dimensions {(fineFirst ? "divided" : "multiplied")} by {factor}");
        CpuNetworkChecks.Disjoint(first, firstName, second, secondName);
        return fineFirst ? expected : first.Shape;
    }

    public void LayerNorm(DeviceBuffer<float> x, DeviceBuffer<float> gamma, DeviceBuffer<float> beta, float epsilon,
        DeviceBuffer<float> y, DeviceBuffer<float> mean, DeviceBuffer<float> inverseStd)
    {
        LayerNormShape(x, gamma, mean, inverseStd);
        CpuNetworkChecks.On(_device, beta, nameof(beta));
        CpuNetworkChecks.On(_device, y, nameof(y));
        CpuNetworkChecks.Shape(beta.Shape, nameof(beta), gamma.Shape, "[C], as gamma");
        CpuNetworkChecks.Shape(y.Shape, nameof(y), x.Shape, "x's shape");
        CpuNetworkChecks.Disjoint(x, nameof(x), y, nameof(y));
        if (!(epsilon >= 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be a number ≥ 0.");
        lock (_gate) _layerNorm.Forward(x.Shape, Memory(x), Memory(gamma), Memory(beta), epsilon, Memory(y), Memory(mean), Memory(inverseStd));
    }

    public void LayerNormBackward(DeviceBuffer<float> x, DeviceBuffer<float> gamma, DeviceBuffer<float> mean, DeviceBuffer<float> inverseStd,
        DeviceBuffer<float> dy, DeviceBuffer<float> dx, DeviceBuffer<float> dGamma, DeviceBuffer<float> dBeta, bool accumulate = false)
    {
        LayerNormShape(x, gamma, mean, inverseStd);
        foreach (var (buffer, name, expected) in (ReadOnlySpan<(DeviceBuffer<float>, string, Shape)>)[(dy, nameof(dy), x.Shape), (dx, nameof(dx), x.Shape), (dGamma, nameof(dGamma), gamma.Shape), (dBeta, nameof(dBeta), gamma.Shape)])
        {
            CpuNetworkChecks.On(_device, buffer, name);
            CpuNetworkChecks.Shape(buffer.Shape, name, expected, expected == x.Shape ? "x's shape" : "[C], as gamma");
        }
        CpuNetworkChecks.Disjoint(x, nameof(x), dx, nameof(dx));
        CpuNetworkChecks.Disjoint(dy, nameof(dy), dx, nameof(dx));
        lock (_gate) _layerNorm.Backward(x.Shape, Memory(x), Memory(gamma), Memory(mean), Memory(inverseStd), Memory(dy), Memory(dx), Memory(dGamma), Memory(dBeta), accumulate);
    }

    /// <summary>Checks x [N, C, S…], gamma [C], and the statistics [N, S…].</summary>
    private void LayerNormShape(DeviceBuffer<float> x, DeviceBuffer<float> gamma, DeviceBuffer<float> mean, DeviceBuffer<float> inverseStd)
    {
        CpuNetworkChecks.On(_device, x, nameof(x));
        CpuNetworkChecks.On(_device, gamma, nameof(gamma));
        CpuNetworkChecks.On(_device, mean, nameof(mean));
        CpuNetworkChecks.On(_device, inverseStd, nameof(inverseStd));
        CpuNetworkChecks.ChannelsFirst(x, nameof(x));
        CpuNetworkChecks.Shape(gamma.Shape, nameof(gamma), new Shape(x.Shape[1]), $"[C] for x {x.Shape}");
        Span<int> d = stackalloc int[x.Shape.Rank - 1];
        for (int axis = 0; axis < d.Length; axis++) d[axis] = x.Shape[axis == 0 ? 0 : axis + 1];
        var statistics = new Shape(d);
        CpuNetworkChecks.Shape(mean.Shape, nameof(mean), statistics, $"[N, S…] for x {x.Shape}");
        CpuNetworkChecks.Shape(inverseStd.Shape, nameof(inverseStd), statistics, $"[N, S…] for x {x.Shape}");
    }

    public void Axpby(float a, DeviceBuffer<float> x, float b, DeviceBuffer<float> y)
    {
        CpuNetworkChecks.On(_device, x, nameof(x));
        CpuNetworkChecks.On(_device, y, nameof(y));
        CpuNetworkChecks.SameLength(x, nameof(x), y, nameof(y));
        CpuNetworkChecks.SameOrDisjoint(x, nameof(x), y, nameof(y));
        lock (_gate) _elementwise.Axpby(a, Memory(x), b, Memory(y));
    }

    public void AdamStep(DeviceBuffer<float> parameter, DeviceBuffer<float> gradient, DeviceBuffer<float> m, DeviceBuffer<float> v,
        float learningRate, float beta1, float beta2, float epsilon, int step)
    {
        CpuNetworkChecks.On(_device, parameter, nameof(parameter));
        foreach (var (buffer, name) in (ReadOnlySpan<(DeviceBuffer<float>, string)>)[(gradient, nameof(gradient)), (m, nameof(m)), (v, nameof(v))])
        {
            CpuNetworkChecks.On(_device, buffer, name);
            CpuNetworkChecks.SameLength(parameter, nameof(parameter), buffer, name);
        }
        if (step < 1) throw new ArgumentOutOfRangeException(nameof(step), step, "The Adam step count starts at 1.");
        lock (_gate) _elementwise.Adam(Memory(parameter), Memory(gradient), Memory(m), Memory(v), learningRate, beta1, beta2, epsilon, step);
    }

    public void RowDots(DeviceBuffer<float> x, DeviceBuffer<float> y, Span<double> result)
    {
        CpuNetworkChecks.On(_device, x, nameof(x));
        CpuNetworkChecks.On(_device, y, nameof(y));
        CpuNetworkChecks.SameLength(x, nameof(x), y, nameof(y));
        if (result.Length == 0 ? x.Length != 0 : x.Length % result.Length != 0)
            throw new ArgumentException($"x and y have {x.Length} elements (shape {x.Shape}), which cannot be viewed as {result.Length} rows (result.Length).", nameof(result));
        lock (_gate) _rowDots.Run(Memory(x), Memory(y), result);
    }

    public void SparseMultiply(DeviceBuffer<int> rowPointers, DeviceBuffer<int> columns, DeviceBuffer<float> values,
        DeviceBuffer<float> x, DeviceBuffer<float> y)
    {
        CpuNetworkChecks.On(_device, rowPointers, nameof(rowPointers));
        CpuNetworkChecks.On(_device, columns, nameof(columns));
        CpuNetworkChecks.On(_device, values, nameof(values));
        CpuNetworkChecks.On(_device, x, nameof(x));
        CpuNetworkChecks.On(_device, y, nameof(y));
        if (rowPointers.Length < 1) throw new ArgumentException("rowPointers is empty; an n × n CSR matrix has n + 1 row pointers.", nameof(rowPointers));
        CpuNetworkChecks.SameLength(columns, nameof(columns), values, nameof(values));
        CpuNetworkChecks.SameLength(x, nameof(x), y, nameof(y));
        int n = rowPointers.Length - 1;
        if (n == 0 ? x.Length != 0 : x.Length % n != 0)
            throw new ArgumentException($"x has {x.Length} elements (shape {x.Shape}), not a whole number of vectors of the matrix's {n} rows (rowPointers has {rowPointers.Length} entries).", nameof(x));
        CpuNetworkChecks.Disjoint(x, nameof(x), y, nameof(y));
        lock (_gate) _graph.SparseMultiply(n, n == 0 ? 0 : x.Length / n, Memory(rowPointers), Memory(columns), Memory(values), Memory(x), Memory(y));
    }

    public void GatherRows(DeviceBuffer<float> x, DeviceBuffer<int> index, DeviceBuffer<float> y)
    {
        var (rows, features) = Rows(x, nameof(x));
        CpuNetworkChecks.On(_device, index, nameof(index));
        CpuNetworkChecks.On(_device, y, nameof(y));
        CpuNetworkChecks.Shape(y.Shape, nameof(y), new Shape(index.Length, features), $"[E, F]: one row of x {x.Shape} per entry of index {index.Shape}");
        CpuNetworkChecks.Disjoint(x, nameof(x), y, nameof(y));
        lock (_gate) _graph.Gather(rows, features, Memory(x), Memory(index), Memory(y));
    }

    public void SegmentSum(DeviceBuffer<float> x, DeviceBuffer<int> offsets, DeviceBuffer<int> order, DeviceBuffer<float> y, bool accumulate = false)
    {
        var (rows, features) = Rows(x, nameof(x));
        CpuNetworkChecks.On(_device, offsets, nameof(offsets));
        CpuNetworkChecks.On(_device, order, nameof(order));
        CpuNetworkChecks.On(_device, y, nameof(y));
        CpuNetworkChecks.Length(order.Length, order.Shape, nameof(order), rows, $"one entry per row of x {x.Shape}");
        if (y.Shape.Rank != 2 || y.Shape[1] != features)
            throw new ArgumentException($"y has shape {y.Shape}; expected [V, {features}] (x has shape {x.Shape}).", nameof(y));
        CpuNetworkChecks.Length(offsets.Length, offsets.Shape, nameof(offsets), y.Shape[0] + 1, $"V + 1 for y {y.Shape}");
        CpuNetworkChecks.Disjoint(x, nameof(x), y, nameof(y));
        lock (_gate) _graph.SegmentSum(rows, features, Memory(x), Memory(offsets), Memory(order), Memory(y), accumulate);
    }

    /// <summary>Checks a table of rows [rows, F]; returns its sizes.</summary>
    private (int Rows, int Features) Rows(DeviceBuffer<float> x, string name)
    {
        CpuNetworkChecks.On(_device, x, name);
        if (x.Shape.Rank != 2) throw new ArgumentException($"{name} has shape {x.Shape}; expected [rows, F].", name);
        return (x.Shape[0], x.Shape[1]);
    }
}
