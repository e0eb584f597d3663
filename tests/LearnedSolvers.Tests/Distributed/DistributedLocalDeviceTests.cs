using LearnedSolvers.Tests.Devices;

namespace LearnedSolvers.Tests.Distributed;

/// <summary>
/// The distributed solvers with each rank's rows on an accelerator device (the halo packed by a gather on the device,
/// the ghosts' part added by the off-diagonal block there), under Open MPI with 1 and 2 ranks: the iteration counts of
/// the same job on the CPU local device (±1: the local reductions add in another order), true residuals below the
/// tolerance, and a product equal to the serial one. Written once, run per local device.
/// </summary>
public abstract class DistributedLocalDeviceTests
{
    /// <summary>Host and device scalars for CG (the device-scalar path sums slots across ranks through the host), and GMRES.</summary>
    private static readonly string[] Methods = ["cg", "cg-device-scalars", "gmres"];

    private const string Problem = "poisson:32";

    /// <summary>The <c>--local-device</c> name of the device under test; skips the test where that device is missing.</summary>
    protected abstract string LocalDevice { get; }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Solvers_MatchCpuLocalIterations_AndConverge(int ranks)
    {
        string local = LocalDevice;
        string[] Arguments(string device) => ["solve", "--local-device", device, "--methods", string.Join(',', Methods), "--problem", Problem];
        var onDevice = MpiJob.Run(ranks, "result", Arguments(local));
        var onCpu = MpiJob.Run(ranks, "result", Arguments("cpu"));
        Assert.Equal(Methods.Length, onDevice.Count);
        Assert.Equal(Methods.Length, onCpu.Count);
        foreach (var result in onDevice)
        {
            string method = result["method"];
            Assert.Equal(local, result["local"]);
            Assert.Equal("ConvergedRelative", result["reason"]);
            Assert.True(result.Number("true") <= MpiChecks.CheckMethods.Tolerance, $"{method} on {ranks} ranks ({local}): true relative residual {result["true"]}");
            int cpu = (int)onCpu.Single(r => r["method"] == method).Number("iterations");
            int device = (int)result.Number("iterations");
            Assert.True(Math.Abs(device - cpu) <= 1, $"{method}: {device} iterations on {ranks} ranks with {local} local devices, {cpu} with cpu.");
        }
    }

    [Fact]
    public void Product_EqualsSerial_WithOneMessagePerNeighbour()
    {
        var halo = MpiJob.Run(2, "halo", "halo", "--local-device", LocalDevice, "--problem", Problem).Single();
        Assert.Equal(LocalDevice, halo["local"]);
        Assert.True(halo.Number("product-error") <= 1e-12, $"distributed product differs from the serial one by {halo["product-error"]}");
        Assert.Equal(halo.Number("declared-messages"), halo.Number("messages"));
        Assert.Equal(halo.Number("declared-bytes"), halo.Number("bytes"));
        CheckAllocations(halo);
    }

    /// <summary>What the device's warm products and solves may allocate on the host (nothing is asserted where its launcher allocates per launch).</summary>
    protected virtual void CheckAllocations(IReadOnlyDictionary<string, string> halo)
    {
    }
}

/// <summary>ILGPU's CPU accelerator as each rank's device: the GPU code path, testable on any machine.</summary>
public sealed class IlgpuCpuDistributedLocalDeviceTests : DistributedLocalDeviceTests
{
    protected override string LocalDevice => "ilgpu-cpu";
}

/// <summary>A CUDA GPU as each rank's device (the ranks share it on a one-GPU machine); skips without one.</summary>
[Trait("Category", "Gpu")]
public sealed class CudaDistributedLocalDeviceTests : DistributedLocalDeviceTests
{
    protected override string LocalDevice
    {
        get
        {
            _ = DeviceTargets.CudaOrSkip;
            return "cuda";
        }
    }

    /// <summary>On a GPU the launches allocate nothing, so warm products, dots and CG iterations (host and device scalars) allocate nothing either: the halo's buffers are made at setup.</summary>
    protected override void CheckAllocations(IReadOnlyDictionary<string, string> halo)
    {
        Assert.Equal(0, halo.Number("operation-bytes"));
        Assert.Equal(0, halo.Number("cg-bytes-per-iteration"));
    }
}
