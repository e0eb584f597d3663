using LearnedSolvers.Devices;
using LearnedSolvers.Learned.Dcdm;
using LearnedSolvers.Learned.Nn;
using LearnedSolvers.Problems;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Learned.Dcdm;

/// <summary>
/// DCDM's network: the paper's parameter count and PyTorch's names, shapes through the U, the backward pass against
/// central finite differences, a warm forward pass that allocates nothing, and training that lowers the loss.
/// </summary>
public abstract class DcdmNetworkTests
{
    protected abstract Device Device { get; }

    [Fact]
    public void ThreeD_With16Channels_HasThePapers97457Parameters_UnderPyTorchNames()
    {
        using var net = new DcdmNetwork(Device, 3);
        Assert.Equal(97_457, net.ParameterCount);
        Assert.Equal("cnn1.weight", net.Parameters[0].Name);
        Assert.Equal(new Shape(16, 1, 3, 3, 3), net.Parameters[0].Shape);
        Assert.Equal("cnn15.bias", net.Parameters[29].Name);
        Assert.Equal("dense.weight", net.Parameters[30].Name);
        Assert.Equal(new Shape(1, 16, 1, 1, 1), net.Parameters[30].Shape);
        Assert.Equal(32, net.Parameters.Count);
        using var twoD = new DcdmNetwork(Device, 2);
        Assert.Equal(160 + 14 * 2320 + 17, twoD.ParameterCount);
    }

    [Fact]
    public void Forward_KeepsTheInputShape_AndRefusesOddSides()
    {
        using var net = new DcdmNetwork(Device, 2, channels: 4, seed: 1);
        using var x = Device.Upload<float>(Floats(2 * 6 * 8, 3), new Shape(2, 1, 6, 8));
        var q = net.Forward(x);
        Assert.Equal(new Shape(2, 1, 6, 8), q.Shape);
        Assert.All(q.ToArray(), v => Assert.True(float.IsFinite(v)));
        using var odd = Device.Allocate<float>(new Shape(1, 1, 5, 8));
        Assert.Contains("even", Assert.Throws<ArgumentException>(() => net.Forward(odd)).Message);
        using var channels = Device.Allocate<float>(new Shape(1, 2, 6, 8));
        Assert.Throws<ArgumentException>(() => net.Forward(channels));
    }

    [Fact]
    public void SameSeed_SameNetwork_OtherSeed_Another()
    {
        using var a = new DcdmNetwork(Device, 2, 4, seed: 7);
        using var b = new DcdmNetwork(Device, 2, 4, seed: 7);
        using var c = new DcdmNetwork(Device, 2, 4, seed: 8);
        Assert.Equal(a.Parameters[2].Value.ToArray(), b.Parameters[2].Value.ToArray());
        Assert.NotEqual(a.Parameters[2].Value.ToArray(), c.Parameters[2].Value.ToArray());
    }

    /// <summary>Biases start at zero, so the untrained network is positively homogeneous as A⁻¹ is: f(2.5 x) = 2.5 f(x).</summary>
    [Fact]
    public void Untrained_ScalesWithItsInput()
    {
        using var net = new DcdmNetwork(Device, 3, channels: 3, seed: 4);
        Assert.All(net.Parameters.Where(p => p.Name.EndsWith(".bias")), p => Assert.All(p.Value.ToArray(), v => Assert.Equal(0f, v)));
        var x = Floats(2 * 4 * 6 * 4, 8);
        using var dx = Device.Upload<float>(x, new Shape(2, 1, 4, 6, 4));
        var q = net.Forward(dx).ToArray();
        using var scaled = Device.Upload<float>(x.Select(v => 2.5f * v).ToArray(), new Shape(2, 1, 4, 6, 4));
        var q2 = net.Forward(scaled).ToArray();
        Assert.Contains(q, v => v != 0);
        for (int i = 0; i < q.Length; i++) Assert.Equal(2.5 * q[i], q2[i], 1e-5 * (1 + Math.Abs(q2[i])));
    }

    [Fact]
    public void Forward_MatchesThePlainDoubleNetwork()
    {
        using var net = new DcdmNetwork(Device, 2, channels: 3, seed: 3);
        RandomizeBiases(net, 6);
        var shape = new Shape(2, 1, 6, 4);
        var x = Floats(shape.Length, 5);
        using var dx = Device.Upload<float>(x, shape);
        var ours = net.Forward(dx).ToArray();
        var reference = DcdmReference.Forward(Values(net), 3, x.Select(v => (double)v).ToArray(), 2, 6, 4);
        double error = Math.Sqrt(ours.Select((v, i) => Math.Pow(v - reference[i], 2)).Sum() / reference.Select(v => v * v).Sum());
        Assert.True(error < 1e-5, $"relative difference {error:E2}");
    }

    /// <summary>
    /// L = Σ w ∘ f(x) for a fixed random w: the backward pass's gradient against central differences of L computed
    /// with the plain double-precision network (<see cref="DcdmReference"/>; step 1e-6, so neither float rounding nor a
    /// ReLU kink between the two evaluations spoils the quotient), in a few entries of every parameter.
    /// </summary>
    [Fact]
    public void Backward_MatchesCentralDifferences()
    {
        using var net = new DcdmNetwork(Device, 2, channels: 3, seed: 3);
        RandomizeBiases(net, 7);
        var shape = new Shape(2, 1, 4, 4);
        var x = Floats(shape.Length, 5);
        using var dx = Device.Upload<float>(x, shape);
        using var dq = Device.Upload<float>(Floats(shape.Length, 6), shape);
        var w = dq.ToArray();
        foreach (var p in net.Parameters) Device.Kernels(IBufferKernels.Family).Fill(p.Gradient, 0);
        net.Forward(dx);
        net.Backward(dq);
        var values = Values(net);
        var xd = x.Select(v => (double)v).ToArray();
        double L() => DcdmReference.Forward(values, 3, xd, 2, 4, 4).Select((v, i) => v * w[i]).Sum();
        var random = new Random(9);
        foreach (var p in net.Parameters)
        {
            var gradient = p.Gradient.ToArray();
            var v = values[p.Name];
            for (int trial = 0; trial < 2; trial++)
            {
                int k = random.Next(v.Length);
                const double h = 1e-6;
                double saved = v[k];
                v[k] = saved + h;
                double plus = L();
                v[k] = saved - h;
                double minus = L();
                v[k] = saved;
                double numeric = (plus - minus) / (2 * h);
                Assert.True(Math.Abs(numeric - gradient[k]) <= 1e-3 * Math.Abs(numeric) + 1e-5,
                    $"{p.Name}[{k}]: backward {gradient[k]:G6}, central difference {numeric:G6}");
            }
        }
    }

    /// <summary>Biases start at zero; the comparisons give them values so that the bias path is checked too.</summary>
    private void RandomizeBiases(DcdmNetwork net, int seed)
    {
        foreach (var p in net.Parameters.Where(p => p.Name.EndsWith(".bias")))
        {
            using var values = Device.Upload<float>(Floats(p.Shape.Length, seed++).Select(v => 0.2f * v).ToArray(), p.Shape);
            Device.Kernels(IBufferKernels.Family).Copy(values, p.Value);
        }
    }

    private static Dictionary<string, double[]> Values(DcdmNetwork net) =>
        net.Parameters.ToDictionary(p => p.Name, p => p.Value.ToArray().Select(v => (double)v).ToArray());

    /// <summary>
    /// ILGPU's CPU accelerator: it allocates a task per launch (the GPU and the CPU device must not), and it simulates
    /// GPU threads slowly, so the training run (device-agnostic code over the tested kernels) is left to the others.
    /// </summary>
    protected virtual bool Simulated => false;

    [Fact]
    public void WarmForward_AllocatesNothing()
    {
        Assert.SkipWhen(Simulated, "ILGPU's CPU accelerator allocates per launch.");
        using var net = new DcdmNetwork(Device, 2, channels: 4, seed: 1);
        using var x = Device.Upload<float>(Floats(16 * 16, 2), new Shape(1, 1, 16, 16));
        net.Forward(x);
        var (_, bytes) = Allocations.Least(() => net.Forward(x));
        Assert.Equal(0, bytes);
    }

    /// <summary>Training a tiny network on 8² Poisson for a fixed number of steps with fixed seeds lowers the loss at least 3x.</summary>
    [Fact]
    public void Training_LowersTheLoss()
    {
        Assert.SkipWhen(Simulated, "Training on ILGPU's CPU accelerator takes minutes; it runs on the CPU device and the GPU.");
        var system = Poisson.TwoD(8);
        var random = new Random(4);
        var vectors = new float[40 * 64];
        for (int v = 0; v < 40; v++)
        {
            double norm = 0;
            for (int i = 0; i < 64; i++) norm += Math.Pow(vectors[v * 64 + i] = (float)(random.NextDouble() - 0.5), 2);
            for (int i = 0; i < 64; i++) vectors[v * 64 + i] /= (float)Math.Sqrt(norm);
        }
        using var net = new DcdmNetwork(Device, 2, channels: 4, seed: 2);
        var record = DcdmTrainer.Train(net, system.Matrix, new Shape(8, 8), vectors,
            new DcdmTrainingOptions { Epochs = 30, BatchSize = 8, LearningRate = 3e-3f, Seed = 1 }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(30, record.EpochLosses.Count);
        Assert.True(record.FinalLoss < record.EpochLosses[0] / 3, $"loss {record.EpochLosses[0]:G4} → {record.FinalLoss:G4}");
    }

    internal static float[] Floats(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(2 * random.NextDouble() - 1)).ToArray();
    }
}

public sealed class CpuDcdmNetworkTests : DcdmNetworkTests
{
    protected override Device Device => Device.Cpu;
}

public sealed class IlgpuCpuDcdmNetworkTests : DcdmNetworkTests
{
    protected override Device Device => LearnedSolvers.Tests.Devices.DeviceTargets.IlgpuCpu;

    protected override bool Simulated => true;
}

[Trait("Category", "Gpu")]
public sealed class CudaDcdmNetworkTests : DcdmNetworkTests
{
    protected override Device Device => LearnedSolvers.Tests.Devices.DeviceTargets.CudaOrSkip;
}
