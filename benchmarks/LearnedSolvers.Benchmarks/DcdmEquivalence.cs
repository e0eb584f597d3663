using LearnedSolvers.Devices;
using LearnedSolvers.Learned.Dcdm;
using LearnedSolvers.Learned.Nn;
using LearnedSolvers.Problems;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Benchmarks;

/// <summary>
/// Our DCDM network against PyTorch's, both ways, through files (benchmarks/gpu/dcdm_torch_equivalence.py is the other
/// half): `-- dcdm-equivalence write DIR [device] [dims]` writes a seeded network (ours.safetensors), an input
/// (input.safetensors, "x", [2, 1, 64, 64] or [1, 1, 32, 32, 32]), our output (ours_output.safetensors, "q"), the
/// Poisson matrix of the input's grid (matrix.safetensors, CSR: "row_pointers", "columns", "values", F64) and the
/// parameters' gradients of <see cref="DcdmLoss"/> with b = x (ours_gradients.safetensors: one tensor per parameter,
/// "loss" F64). The script loads ours into PyTorch and compares output and autograd's gradients, then writes a
/// PyTorch-initialized model, its output and its gradients (torch.safetensors, torch_output.safetensors,
/// torch_gradients.safetensors); `-- dcdm-equivalence check DIR [device]` loads that model here and compares our
/// output (relative 1e-5) and gradients (relative 1e-4 per parameter) with PyTorch's. When DIR also holds
/// reference.safetensors (from benchmarks/gpu/safetensors_check.py) check reads it as well. Exit code 1 when a
/// comparison fails.
/// </summary>
public static class DcdmEquivalence
{
    public const double OutputTolerance = 1e-5;
    public const double GradientTolerance = 1e-4;

    public static int Run(string verb, string directory, Device device, int dimensions)
    {
        Directory.CreateDirectory(directory);
        int[] shape = dimensions == 2 ? [2, 1, 64, 64] : [1, 1, 32, 32, 32];
        if (verb == "write")
        {
            using var net = new DcdmNetwork(device, dimensions, seed: 5);
            var random = new Random(6);
            var x = Enumerable.Range(0, shape.Aggregate(1, (p, v) => p * v)).Select(_ => (float)(2 * random.NextDouble() - 1)).ToArray();
            // Biases start at zero; PyTorch's random ones (±1/√fan_in) make the comparison cover the bias path too.
            var biasRandom = new Random(7);
            for (int i = 1; i < net.Parameters.Count; i += 2)
            {
                var (weight, bias) = (net.Parameters[i - 1], net.Parameters[i]);
                bias.Value.CopyFrom(ParameterInitialization.Uniform(bias.Shape.Length, weight.Shape.Length / bias.Shape.Length, biasRandom));
            }
            using var dx = device.Upload<float>(x, new Shape(shape));
            var q = net.Forward(dx).ToArray();
            DcdmModelFile.Save(net, Path.Combine(directory, "ours.safetensors"));
            SafetensorsFile.Write(Path.Combine(directory, "input.safetensors"), [("x", shape, x)]);
            SafetensorsFile.Write(Path.Combine(directory, "ours_output.safetensors"), [("q", shape, q)]);
            var a = PoissonFor(shape);
            SafetensorsFile.Write(Path.Combine(directory, "matrix.safetensors"), [
                ("row_pointers", [a.Rows + 1], a.RowPointers.Select(v => (double)v).ToArray()),
                ("columns", [a.NonZeros], a.ColumnIndices[..a.NonZeros].Select(v => (double)v).ToArray()),
                ("values", [a.NonZeros], a.Values[..a.NonZeros])]);
            var (loss, gradients) = LossGradients(net, a, dx);
            SafetensorsFile.Write(Path.Combine(directory, "ours_gradients.safetensors"),
                [.. gradients.Select(g => SafetensorsTensor.FromSingles(g.Name, g.Shape, g.Values)), SafetensorsTensor.FromDoubles("loss", [], [loss])]);
            Console.WriteLine($"wrote ours.safetensors ({net.ParameterCount} parameters), input.safetensors, ours_output.safetensors, " +
                $"matrix.safetensors ({a}) and ours_gradients.safetensors (DCDM loss {loss:R}) to {directory}");
            return 0;
        }
        if (verb == "check")
        {
            int status = 0;
            var (net, _) = DcdmModelFile.Load(Path.Combine(directory, "torch.safetensors"), device);
            using (net)
            {
                var input = SafetensorsFile.Read(Path.Combine(directory, "input.safetensors"))["x"];
                var expected = SafetensorsFile.Read(Path.Combine(directory, "torch_output.safetensors"))["q"].ToSingles();
                using var dx = device.Upload<float>(input.ToSingles(), input.ToDeviceShape());
                var q = net.Forward(dx).ToArray();
                double error = Relative(q, expected);
                Console.WriteLine($"PyTorch's model loaded here on {device.Name}: relative difference of outputs {error:E2} (tolerance {OutputTolerance:G})");
                if (!(error <= OutputTolerance)) status = 1;

                string gradientsPath = Path.Combine(directory, "torch_gradients.safetensors");
                if (File.Exists(gradientsPath))
                {
                    var theirs = SafetensorsFile.Read(gradientsPath);
                    var (loss, gradients) = LossGradients(net, PoissonFor(input.Shape.ToArray()), dx);
                    double theirLoss = theirs["loss"].ToDoubles()[0];
                    double worst = 0;
                    string worstName = "";
                    foreach (var g in gradients)
                    {
                        double e = Relative(g.Values, theirs[g.Name].ToSingles());
                        if (!(e <= worst)) (worst, worstName) = (e, g.Name);
                    }
                    double all = Relative(gradients.SelectMany(g => g.Values).ToArray(), gradients.SelectMany(g => theirs[g.Name].ToSingles()).ToArray());
                    Console.WriteLine($"PyTorch's model, DCDM loss here {loss:R} against PyTorch's {theirLoss:R} (relative {Math.Abs(loss - theirLoss) / Math.Abs(theirLoss):E2}); " +
                        $"parameter gradients: relative difference {all:E2} over all, worst {worst:E2} ({worstName}) (tolerance {GradientTolerance:G} per parameter)");
                    if (!(worst <= GradientTolerance)) status = 1;
                }
            }
            string referencePath = Path.Combine(directory, "reference.safetensors");
            if (File.Exists(referencePath)) status |= CheckReference(referencePath);
            return status;
        }
        throw new ArgumentException($"dcdm-equivalence takes write or check, not '{verb}'");
    }

    /// <summary>The unscaled Poisson matrix of the input's grid ([N, 1, n, n] or [N, 1, n, n, n]).</summary>
    private static CsrMatrix PoissonFor(int[] shape) =>
        (shape.Length == 4 ? Poisson.TwoD(shape[2]) : Poisson.ThreeD(shape[2])).Matrix;

    /// <summary>The DCDM loss with b = x and every parameter's gradient of it (gradients zeroed first).</summary>
    private static (double Loss, List<(string Name, int[] Shape, float[] Values)> Gradients) LossGradients(DcdmNetwork net, CsrMatrix a, DeviceBuffer<float> x)
    {
        var device = net.Device;
        var buffers = device.Kernels(IBufferKernels.Family);
        using var matrix = new SingleCsrMatrix(device, a);
        using var loss = new DcdmLoss(matrix);
        using var dq = device.Allocate<float>(x.Shape);
        foreach (var p in net.Parameters) buffers.Fill(p.Gradient, 0);
        var q = net.Forward(x);
        double value = loss.Evaluate(x, q, dq);
        net.Backward(dq);
        return (value, net.Parameters.Select(p => (p.Name, p.Shape.ToArray(), p.Gradient.ToArray())).ToList());
    }

    private static double Relative(float[] ours, float[] theirs)
    {
        if (ours.Length != theirs.Length) return double.PositiveInfinity;
        double d = 0, n = 0;
        for (int i = 0; i < ours.Length; i++)
        {
            d += Math.Pow((double)ours[i] - theirs[i], 2);
            n += (double)theirs[i] * theirs[i];
        }
        return Math.Sqrt(d / n);
    }

    /// <summary>safetensors_check.py's fixed file, written by the reference writer (or its stand-in), read by ours.</summary>
    private static int CheckReference(string path)
    {
        var file = SafetensorsFile.Read(path);
        bool ok = file.Tensors.Count == 3
            && file["w"].Shape.SequenceEqual([2, 2]) && file["w"].ToSingles().SequenceEqual([1f, 2f, 3f, 4f])
            && file["d"].Shape.SequenceEqual([3]) && file["d"].ToDoubles() is [0.5, var z, var third] && z == 0 && double.IsNegative(z) && third == 1.0 / 3
            && file["s"].Shape.Count == 0 && file["s"].ToSingles() is [2.5f]
            && file.Metadata.TryGetValue("writer", out var writer) && writer == "safetensors_check.py";
        Console.WriteLine($"reference.safetensors read here: {(ok ? "w, d (-0.0 kept), s (scalar) and metadata as written" : "MISMATCH")}");
        return ok ? 0 : 1;
    }
}
