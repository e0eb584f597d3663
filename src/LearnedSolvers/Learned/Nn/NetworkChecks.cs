using LearnedSolvers.Devices;

namespace LearnedSolvers.Learned.Nn;

/// <summary>
/// The argument checks of <see cref="INetworkKernels"/>, run on the host before any launch: every buffer lives on the
/// kernel family's device, and the shapes agree. Failures throw <see cref="ArgumentException"/> (or
/// <see cref="DeviceMismatchException"/>, one) naming the argument and the shapes involved; messages are formatted only
/// on failure, so a passing check allocates nothing.
/// </summary>
internal static class NetworkChecks
{
    /// <summary>x [N, Cin, S…] → y [N, Cout, S…] by weight [Cout, Cin, K…] (odd K), bias [Cout] or null, dilation ≥ 1.</summary>
    public static void Convolution(Device device, DeviceBuffer<float> x, DeviceBuffer<float> weight, DeviceBuffer<float>? bias, DeviceBuffer<float> y, int dilation)
    {
        On(device, x, nameof(x));
        On(device, weight, nameof(weight));
        On(device, y, nameof(y));
        Image(x, nameof(x));
        ConvolutionWeight(weight, nameof(weight), x.Shape, nameof(x), channelAxis: 1);
        Dilation(dilation);
        if (bias is not null) Bias(device, bias, nameof(bias), weight.Shape[0], weight.Shape, nameof(weight));
        Expect(y, nameof(y), WithChannels(x.Shape, weight.Shape[0]), x.Shape, nameof(x), weight.Shape, nameof(weight));
    }

    /// <summary>dy [N, Cout, S…] and weight [Cout, Cin, K…] → dx [N, Cin, S…].</summary>
    public static void ConvolutionBackwardInput(Device device, DeviceBuffer<float> dy, DeviceBuffer<float> weight, DeviceBuffer<float> dx, int dilation)
    {
        On(device, dy, nameof(dy));
        On(device, weight, nameof(weight));
        On(device, dx, nameof(dx));
        Image(dy, nameof(dy));
        ConvolutionWeight(weight, nameof(weight), dy.Shape, nameof(dy), channelAxis: 0);
        Dilation(dilation);
        Expect(dx, nameof(dx), WithChannels(dy.Shape, weight.Shape[1]), dy.Shape, nameof(dy), weight.Shape, nameof(weight));
    }

    /// <summary>x [N, Cin, S…] and dy [N, Cout, S…] → dWeight [Cout, Cin, K…], dBias [Cout] or null.</summary>
    public static void ConvolutionBackwardWeight(Device device, DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dWeight, DeviceBuffer<float>? dBias, int dilation)
    {
        On(device, x, nameof(x));
        On(device, dy, nameof(dy));
        On(device, dWeight, nameof(dWeight));
        Image(x, nameof(x));
        ConvolutionWeight(dWeight, nameof(dWeight), x.Shape, nameof(x), channelAxis: 1);
        Dilation(dilation);
        Expect(dy, nameof(dy), WithChannels(x.Shape, dWeight.Shape[0]), x.Shape, nameof(x), dWeight.Shape, nameof(dWeight));
        if (dBias is not null) Bias(device, dBias, nameof(dBias), dWeight.Shape[0], dWeight.Shape, nameof(dWeight));
    }

    /// <summary>x [M…, in], weight [out, in], bias [out] or null, y [M…, out]; returns M (the rows).</summary>
    public static int Linear(Device device, DeviceBuffer<float> x, DeviceBuffer<float> weight, DeviceBuffer<float>? bias, DeviceBuffer<float> y)
    {
        On(device, x, nameof(x));
        On(device, weight, nameof(weight));
        On(device, y, nameof(y));
        LinearWeight(weight, nameof(weight));
        int rows = Rows(x, nameof(x), weight.Shape[1], weight.Shape, nameof(weight), "input features");
        if (bias is not null) Bias(device, bias, nameof(bias), weight.Shape[0], weight.Shape, nameof(weight));
        Expect(y, nameof(y), WithLast(x.Shape, weight.Shape[0]), x.Shape, nameof(x), weight.Shape, nameof(weight));
        return rows;
    }

    /// <summary>dy [M…, out], weight [out, in], dx [M…, in]; returns M.</summary>
    public static int LinearBackwardInput(Device device, DeviceBuffer<float> dy, DeviceBuffer<float> weight, DeviceBuffer<float> dx)
    {
        On(device, dy, nameof(dy));
        On(device, weight, nameof(weight));
        On(device, dx, nameof(dx));
        LinearWeight(weight, nameof(weight));
        int rows = Rows(dy, nameof(dy), weight.Shape[0], weight.Shape, nameof(weight), "output features");
        Expect(dx, nameof(dx), WithLast(dy.Shape, weight.Shape[1]), dy.Shape, nameof(dy), weight.Shape, nameof(weight));
        return rows;
    }

    /// <summary>x [M…, in], dy [M…, out], dWeight [out, in], dBias [out] or null; returns M.</summary>
    public static int LinearBackwardWeight(Device device, DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dWeight, DeviceBuffer<float>? dBias)
    {
        On(device, x, nameof(x));
        On(device, dy, nameof(dy));
        On(device, dWeight, nameof(dWeight));
        LinearWeight(dWeight, nameof(dWeight));
        int rows = Rows(x, nameof(x), dWeight.Shape[1], dWeight.Shape, nameof(dWeight), "input features");
        Expect(dy, nameof(dy), WithLast(x.Shape, dWeight.Shape[0]), x.Shape, nameof(x), dWeight.Shape, nameof(dWeight));
        if (dBias is not null) Bias(device, dBias, nameof(dBias), dWeight.Shape[0], dWeight.Shape, nameof(dWeight));
        return rows;
    }

    /// <summary>The activation is one of <see cref="Activation"/>'s values.</summary>
    public static void Defined(Activation function)
    {
        if (function is not (Activation.Identity or Activation.Relu or Activation.Gelu or Activation.Tanh))
            throw new ArgumentOutOfRangeException(nameof(function), function, "Not an activation function.");
    }

    /// <summary>The mode is one of <see cref="UpsampleMode"/>'s values.</summary>
    public static void Defined(UpsampleMode mode)
    {
        if (mode is not (UpsampleMode.Nearest or UpsampleMode.Linear))
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Not an upsampling mode.");
    }

    /// <summary>Both buffers live on the device and have the same shape.</summary>
    public static void SameShape(Device device, DeviceBuffer<float> a, string aName, DeviceBuffer<float> b, string bName)
    {
        On(device, a, aName);
        On(device, b, bName);
        if (a.Shape != b.Shape) throw new ArgumentException($"{bName} has shape {b.Shape}; {aName} has {a.Shape}.", bName);
    }

    /// <summary>Both buffers live on the device and have the same length (any shapes).</summary>
    public static void SameLength(Device device, DeviceBuffer<float> a, string aName, DeviceBuffer<float> b, string bName)
    {
        On(device, a, aName);
        On(device, b, bName);
        if (a.Length != b.Length)
            throw new ArgumentException($"{bName} has {b.Length} elements (shape {b.Shape}); {aName} has {a.Length} (shape {a.Shape}).", bName);
    }

    /// <summary>
    /// fine [N, C, S·factor…] and coarse [N, C, S…] of 2-D or 3-D images, factor ≥ 1 (pooling reads fine and writes coarse;
    /// upsampling the other way).
    /// </summary>
    public static void Resample(Device device, DeviceBuffer<float> fine, string fineName, DeviceBuffer<float> coarse, string coarseName, int factor)
    {
        On(device, fine, fineName);
        On(device, coarse, coarseName);
        ArgumentOutOfRangeException.ThrowIfLessThan(factor, 1);
        Image(fine, fineName);
        Image(coarse, coarseName);
        var f = fine.Shape;
        var c = coarse.Shape;
        bool agree = f.Rank == c.Rank && f[0] == c[0] && f[1] == c[1];
        for (int axis = 2; agree && axis < f.Rank; axis++) agree = f[axis] == (long)c[axis] * factor;
        if (!agree)
            throw new ArgumentException($"{fineName} has shape {f} and {coarseName} {c}: with factor {factor}, {fineName}'s batch and channels must equal "
                + $"{coarseName}'s and each of its spatial sizes must be {factor} times {coarseName}'s.", fineName);
    }

    /// <summary>x [N, C, S…], gamma and beta [C], y like x, mean and inverseStd [N, S…].</summary>
    public static void LayerNorm(Device device, DeviceBuffer<float> x, DeviceBuffer<float> gamma, DeviceBuffer<float> beta, float epsilon,
        DeviceBuffer<float> y, DeviceBuffer<float> mean, DeviceBuffer<float> inverseStd)
    {
        LayerNormShapes(device, x, gamma, mean, inverseStd);
        Bias(device, beta, nameof(beta), x.Shape[1], x.Shape, nameof(x));
        SameShape(device, x, nameof(x), y, nameof(y));
        if (!(epsilon >= 0) || float.IsInfinity(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be finite and ≥ 0.");
    }

    /// <summary>The shapes of <see cref="INetworkKernels.LayerNormBackward"/>: as the forward pass, with dy and dx like x, dGamma and dBeta [C].</summary>
    public static void LayerNormBackward(Device device, DeviceBuffer<float> x, DeviceBuffer<float> gamma, DeviceBuffer<float> mean, DeviceBuffer<float> inverseStd,
        DeviceBuffer<float> dy, DeviceBuffer<float> dx, DeviceBuffer<float> dGamma, DeviceBuffer<float> dBeta)
    {
        LayerNormShapes(device, x, gamma, mean, inverseStd);
        SameShape(device, x, nameof(x), dy, nameof(dy));
        SameShape(device, x, nameof(x), dx, nameof(dx));
        Bias(device, dGamma, nameof(dGamma), x.Shape[1], x.Shape, nameof(x));
        Bias(device, dBeta, nameof(dBeta), x.Shape[1], x.Shape, nameof(x));
    }

    /// <summary>An Adam step's four buffers have the parameter's length; step ≥ 1.</summary>
    public static void AdamStep(Device device, DeviceBuffer<float> parameter, DeviceBuffer<float> gradient, DeviceBuffer<float> m, DeviceBuffer<float> v, int step)
    {
        SameLength(device, parameter, nameof(parameter), gradient, nameof(gradient));
        SameLength(device, parameter, nameof(parameter), m, nameof(m));
        SameLength(device, parameter, nameof(parameter), v, nameof(v));
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1);
    }

    /// <summary>x and y of the same length, split into <paramref name="rows"/> equal rows; returns the row length.</summary>
    public static int RowDots(Device device, DeviceBuffer<float> x, DeviceBuffer<float> y, int rows)
    {
        SameLength(device, x, nameof(x), y, nameof(y));
        if (rows == 0)
        {
            if (x.Length != 0) throw new ArgumentException($"result has no room, but x has {x.Length} elements (shape {x.Shape}).", "result");
            return 0;
        }
        if (x.Length % rows != 0)
            throw new ArgumentException($"x has {x.Length} elements (shape {x.Shape}), which do not split into result.Length = {rows} equal rows.", "result");
        return x.Length / rows;
    }

    /// <summary>An n × n CSR matrix (rowPointers n + 1, columns and values alike) and x, y of one length B·n; returns (n, B).</summary>
    public static (int N, int Batch) SparseMultiply(Device device, DeviceBuffer<int> rowPointers, DeviceBuffer<int> columns, DeviceBuffer<float> values,
        DeviceBuffer<float> x, DeviceBuffer<float> y)
    {
        On(device, rowPointers, nameof(rowPointers));
        On(device, columns, nameof(columns));
        On(device, values, nameof(values));
        SameLength(device, x, nameof(x), y, nameof(y));
        if (rowPointers.Length < 1) throw new ArgumentException("rowPointers is empty; an n × n matrix has n + 1 row pointers.", nameof(rowPointers));
        if (columns.Length != values.Length)
            throw new ArgumentException($"columns has {columns.Length} entries (shape {columns.Shape}), values {values.Length} (shape {values.Shape}).", nameof(values));
        int n = rowPointers.Length - 1;
        if (n == 0)
        {
            if (x.Length != 0) throw new ArgumentException($"The matrix is 0 × 0, but x has {x.Length} elements (shape {x.Shape}).", nameof(x));
            return (0, 0);
        }
        if (x.Length % n != 0)
            throw new ArgumentException($"x has {x.Length} elements (shape {x.Shape}), not a multiple of the matrix's {n} rows (rowPointers {rowPointers.Shape}).", nameof(x));
        return (n, x.Length / n);
    }

    /// <summary>x [V, F], index [E], y [E, F].</summary>
    public static void GatherRows(Device device, DeviceBuffer<float> x, DeviceBuffer<int> index, DeviceBuffer<float> y)
    {
        On(device, x, nameof(x));
        On(device, index, nameof(index));
        On(device, y, nameof(y));
        Rank(x, nameof(x), 2, "[V, F]");
        Rank(index, nameof(index), 1, "[E]");
        Rank(y, nameof(y), 2, "[E, F]");
        if (y.Shape[0] != index.Length || y.Shape[1] != x.Shape[1])
            throw new ArgumentException($"y has shape {y.Shape}; expected [{index.Length}, {x.Shape[1]}] for index {index.Shape} and x {x.Shape}.", nameof(y));
    }

    /// <summary>x [E, F], offsets [V + 1], order [E], y [V, F].</summary>
    public static void SegmentSum(Device device, DeviceBuffer<float> x, DeviceBuffer<int> offsets, DeviceBuffer<int> order, DeviceBuffer<float> y)
    {
        On(device, x, nameof(x));
        On(device, offsets, nameof(offsets));
        On(device, order, nameof(order));
        On(device, y, nameof(y));
        Rank(x, nameof(x), 2, "[E, F]");
        Rank(offsets, nameof(offsets), 1, "[V + 1]");
        Rank(order, nameof(order), 1, "[E]");
        Rank(y, nameof(y), 2, "[V, F]");
        if (order.Length != x.Shape[0])
            throw new ArgumentException($"order has shape {order.Shape}; x has {x.Shape}: one entry per row of x is expected.", nameof(order));
        if (offsets.Length != y.Shape[0] + 1 || y.Shape[1] != x.Shape[1])
            throw new ArgumentException($"y has shape {y.Shape}, offsets {offsets.Shape} and x {x.Shape}: expected y [offsets.Length − 1, {x.Shape[1]}].", nameof(y));
    }

    private static void On<T>(Device device, DeviceBuffer<T> buffer, string argument) where T : unmanaged => BufferChecks.On(device, buffer, argument);

    private static void Rank<T>(DeviceBuffer<T> buffer, string argument, int rank, string layout) where T : unmanaged
    {
        if (buffer.Shape.Rank != rank) throw new ArgumentException($"{argument} has shape {buffer.Shape}; expected {layout}.", argument);
    }

    private static void Image(DeviceBuffer<float> image, string argument)
    {
        if (image.Shape.Rank is not (4 or 5))
            throw new ArgumentException($"{argument} has shape {image.Shape}; expected [N, C, H, W] or [N, C, D, H, W].", argument);
    }

    /// <summary>weight [Cout, Cin, K…] with odd K, of the image's spatial rank, whose channel axis (1: Cin, 0: Cout) matches the image's channels.</summary>
    private static void ConvolutionWeight(DeviceBuffer<float> weight, string argument, Shape image, string imageName, int channelAxis)
    {
        var w = weight.Shape;
        if (w.Rank != image.Rank)
            throw new ArgumentException($"{argument} has shape {w} and {imageName} {image}: a {image.Rank - 2}-D convolution's weight is [Cout, Cin, {(image.Rank == 5 ? "kD, " : "")}kH, kW].", argument);
        if (w[channelAxis] != image[1])
            throw new ArgumentException($"{argument} has shape {w} and {imageName} {image}: {argument}'s dimension {channelAxis} must equal {imageName}'s channels.", argument);
        for (int axis = 2; axis < w.Rank; axis++)
        {
            if (w[axis] % 2 == 0)
                throw new ArgumentException($"{argument} has shape {w}: kernel sizes must be odd ('same' padding).", argument);
        }
    }

    private static void LinearWeight(DeviceBuffer<float> weight, string argument) => Rank(weight, argument, 2, "[out, in]");

    /// <summary>The buffer's last dimension is <paramref name="features"/>; returns the number of rows (the product of the other dimensions).</summary>
    private static int Rows(DeviceBuffer<float> buffer, string argument, int features, Shape weight, string weightName, string what)
    {
        var s = buffer.Shape;
        if (s[s.Rank - 1] != features)
            throw new ArgumentException($"{argument} has shape {s} and {weightName} {weight}: {argument}'s last dimension must equal the {what} ({features}).", argument);
        int rows = 1;
        for (int axis = 0; axis < s.Rank - 1; axis++) rows *= s[axis];
        return rows;
    }

    private static void Bias(Device device, DeviceBuffer<float> bias, string argument, int length, Shape owner, string ownerName)
    {
        On(device, bias, argument);
        if (bias.Shape.Rank != 1 || bias.Length != length)
            throw new ArgumentException($"{argument} has shape {bias.Shape}; expected [{length}] for {ownerName} {owner}.", argument);
    }

    private static void Dilation(int dilation) => ArgumentOutOfRangeException.ThrowIfLessThan(dilation, 1);

    private static void LayerNormShapes(Device device, DeviceBuffer<float> x, DeviceBuffer<float> gamma, DeviceBuffer<float> mean, DeviceBuffer<float> inverseStd)
    {
        On(device, x, nameof(x));
        if (x.Shape.Rank < 2) throw new ArgumentException($"x has shape {x.Shape}; expected [N, C, S…].", nameof(x));
        Bias(device, gamma, nameof(gamma), x.Shape[1], x.Shape, nameof(x));
        var statistics = WithoutChannels(x.Shape);
        Expect(mean, nameof(mean), statistics, x.Shape, nameof(x));
        Expect(inverseStd, nameof(inverseStd), statistics, x.Shape, nameof(x));
    }

    private static void Expect(DeviceBuffer<float> buffer, string argument, Shape expected, Shape a, string aName)
    {
        if (buffer.Shape != expected) throw new ArgumentException($"{argument} has shape {buffer.Shape}; expected {expected} for {aName} {a}.", argument);
    }

    private static void Expect(DeviceBuffer<float> buffer, string argument, Shape expected, Shape a, string aName, Shape b, string bName)
    {
        if (buffer.Shape != expected)
            throw new ArgumentException($"{argument} has shape {buffer.Shape}; expected {expected} for {aName} {a} and {bName} {b}.", argument);
    }

    private static Shape WithChannels(Shape image, int channels)
    {
        Span<int> d = stackalloc int[image.Rank];
        for (int axis = 0; axis < d.Length; axis++) d[axis] = image[axis];
        d[1] = channels;
        return new Shape(d);
    }

    private static Shape WithLast(Shape s, int last)
    {
        Span<int> d = stackalloc int[s.Rank];
        for (int axis = 0; axis < d.Length; axis++) d[axis] = s[axis];
        d[^1] = last;
        return new Shape(d);
    }

    /// <summary>[N, C, S…] → [N, S…] (for [N, C]: [N]).</summary>
    private static Shape WithoutChannels(Shape s)
    {
        Span<int> d = stackalloc int[s.Rank - 1];
        d[0] = s[0];
        for (int axis = 2; axis < s.Rank; axis++) d[axis - 1] = s[axis];
        return new Shape(d);
    }
}
