using LearnedSolvers.Devices;
using LearnedSolvers.Learned.Dcdm;
using LearnedSolvers.Learned.Nn;

namespace LearnedSolvers.Benchmarks;

/// <summary>
/// Our DCDM network against PyTorch's, both ways, through files (benchmarks/gpu/dcdm_torch_equivalence.py is the other
/// half): `-- dcdm-equivalence write DIR [device] [dims]` writes a seeded network (ours.safetensors), an input
/// (input.safetensors, "x") and our output (ours_output.safetensors, "q"); the script loads ours into PyTorch and
/// compares, then writes a PyTorch-initialized model and its output; `-- dcdm-equivalence check DIR [device]` loads
/// that model here and compares our output with PyTorch's (relative 1e-5). Exit code 1 when a comparison fails.
/// </summary>
public static class DcdmEquivalence
{
    public static int Run(string verb, string directory, Device device, int dimensions)
    {
        Directory.CreateDirectory(directory);
        int[] shape = dimensions == 2 ? [2, 1, 64, 64] : [1, 1, 32, 32, 32];
        if (verb == "write")
        {
            using var net = new DcdmNetwork(device, dimensions, seed: 5);
            var random = new Random(6);
            var x = Enumerable.Range(0, shape.Aggregate(1, (p, v) => p * v)).Select(_ => (float)(2 * random.NextDouble() - 1)).ToArray();
            using var dx = device.Upload<float>(x, new Shape(shape));
            var q = net.Forward(dx).ToArray();
            DcdmModelFile.Save(net, Path.Combine(directory, "ours.safetensors"));
            SafetensorsFile.Write(Path.Combine(directory, "input.safetensors"), [("x", shape, x)]);
            SafetensorsFile.Write(Path.Combine(directory, "ours_output.safetensors"), [("q", shape, q)]);
            Console.WriteLine($"wrote ours.safetensors ({net.ParameterCount} parameters), input.safetensors and ours_output.safetensors to {directory}");
            return 0;
        }
        if (verb == "check")
        {
            var (net, _) = DcdmModelFile.Load(Path.Combine(directory, "torch.safetensors"), device);
            using (net)
            {
                var input = SafetensorsFile.Read(Path.Combine(directory, "input.safetensors"))["x"];
                var expected = SafetensorsFile.Read(Path.Combine(directory, "torch_output.safetensors"))["q"].ToSingles();
                using var dx = device.Upload<float>(input.ToSingles(), input.ToDeviceShape());
                var q = net.Forward(dx).ToArray();
                double error = Math.Sqrt(q.Select((v, i) => Math.Pow(v - expected[i], 2)).Sum() / expected.Select(v => (double)v * v).Sum());
                Console.WriteLine($"PyTorch's model loaded here on {device.Name}: relative difference of outputs {error:E2} (tolerance 1e-5)");
                return error <= 1e-5 ? 0 : 1;
            }
        }
        throw new ArgumentException($"dcdm-equivalence takes write or check, not '{verb}'");
    }
}
