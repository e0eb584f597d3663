using LearnedSolvers.Devices;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Devices;

/// <summary>The block vector kernels on the CPU and the ILGPU CPU accelerator against serial loops: odd sizes, every remainder of the four-wide groups, in place and not.</summary>
public class BlockVectorKernelsTests
{
    public static TheoryData<string, int, int, int> Cases()
    {
        var data = new TheoryData<string, int, int, int>();
        foreach (var device in new[] { "cpu", "ilgpu" })
        {
            data.Add(device, 0, 3, 101);     // no basis: y = z
            data.Add(device, 1, 1, 7);
            data.Add(device, 3, 5, 597);
            data.Add(device, 8, 8, 1000);
            data.Add(device, 9, 6, 40_003);  // several chunks on the CPU, a remainder in both groups
        }
        return data;
    }

    private static Device On(string name) => name == "cpu" ? Device.Cpu : DeviceTargets.IlgpuCpu;

    private static double[][] Vectors(int count, int n, int seed) => Enumerable.Range(0, count).Select(i => RandomSystems.Vector(n, seed + i)).ToArray();

    private static List<DeviceVector> Upload(Device device, double[][] vectors) => vectors.Select(v => device.Upload(v)).ToList();

    /// <summary>z_j + Σ_i c[j·count + i] u_i and the sum of the terms' magnitudes (for the rounding tolerance).</summary>
    private static (double Value, double Scale) Combination(double[][] u, int count, double[] c, double z, int j, int p)
    {
        double value = z, scale = Math.Abs(z);
        for (int i = 0; i < count; i++)
        {
            value += c[j * count + i] * u[i][p];
            scale += Math.Abs(c[j * count + i] * u[i][p]);
        }
        return (value, scale);
    }

    [Theory, MemberData(nameof(Cases))]
    public void AddCombinations_InPlaceAndNot_MatchSerialLoops(string deviceName, int count, int outputs, int n)
    {
        var device = On(deviceName);
        var kernels = device.Kernels(IBlockVectorKernels.Family);
        var u = Vectors(count, n, 10);
        var z = Vectors(outputs, n, 100);
        var c = RandomSystems.Vector(Math.Max(1, count * outputs), 7);
        var du = Upload(device, u);

        // Out of place, with norms.
        var dz = Upload(device, z);
        var dy = Upload(device, Vectors(outputs, n, 200)); // overwritten
        var norms = new double[outputs];
        kernels.AddCombinations(dz, du, count, c, dy, outputs, norms);
        // In place.
        var dx = Upload(device, z);
        kernels.AddCombinations(dx, du, count, c, dx, outputs, default);
        for (int j = 0; j < outputs; j++)
        {
            double[] got = dy[j].ToArray(), inPlace = dx[j].ToArray();
            double squares = 0;
            for (int p = 0; p < n; p++)
            {
                var (expected, scale) = Combination(u, count, c, z[j][p], j, p);
                Assert.Equal(expected, got[p], 1e-14 * Math.Max(1, scale));
                Assert.Equal(expected, inPlace[p], 1e-14 * Math.Max(1, scale));
                squares += got[p] * got[p];
            }
            Assert.Equal(squares, norms[j], 1e-12 * squares);
            Assert.Equal(z[j], dz[j].ToArray()); // z untouched when y is another vector
        }
    }

    [Theory, MemberData(nameof(Cases))]
    public void AddCombinationsAndProject_GivesTheUpdateAndItsGramProducts(string deviceName, int count, int outputs, int n)
    {
        var device = On(deviceName);
        var kernels = device.Kernels(IBlockVectorKernels.Family);
        var u = Vectors(count, n, 10);
        var y = Vectors(outputs, n, 100);
        var c = RandomSystems.Vector(Math.Max(1, count * outputs), 8);
        var du = Upload(device, u);
        var dy = Upload(device, y);
        // Project on [u; y]: the basis and the updated vectors themselves.
        var v = du.Concat(dy).ToList();
        int vCount = count + outputs;
        var products = new double[vCount * outputs];
        kernels.AddCombinationsAndProject(dy, du, count, c, outputs, v, vCount, products);

        var updated = new double[outputs][];
        for (int j = 0; j < outputs; j++)
        {
            updated[j] = new double[n];
            for (int p = 0; p < n; p++) updated[j][p] = Combination(u, count, c, y[j][p], j, p).Value;
            Assert.True(Reference.RelativeMaxError(dy[j].ToArray(), updated[j]) <= 1e-13);
        }
        var basis = u.Concat(updated).ToArray();
        for (int j = 0; j < outputs; j++)
            for (int i = 0; i < vCount; i++)
            {
                double dot = 0, scale = 0;
                for (int p = 0; p < n; p++)
                {
                    dot += basis[i][p] * updated[j][p];
                    scale += Math.Abs(basis[i][p] * updated[j][p]);
                }
                Assert.Equal(dot, products[j * vCount + i], 1e-12 * Math.Max(1, scale));
            }
    }

    [Theory, MemberData(nameof(Cases))]
    public void AddTwoCombinations_UpdatesBothSets(string deviceName, int count, int outputs, int n)
    {
        var device = On(deviceName);
        var kernels = device.Kernels(IBlockVectorKernels.Family);
        var u = Vectors(count, n, 10);
        var x = Vectors(outputs, n, 100);
        var z = Vectors(outputs, n, 300);
        var a = RandomSystems.Vector(Math.Max(1, count * outputs), 9);
        var b = RandomSystems.Vector(Math.Max(1, count * outputs), 10);
        int yOutputs = Math.Max(0, outputs - 1); // fewer directions than solution columns, as after a column converges
        var du = Upload(device, u);
        var dx = Upload(device, x);
        var dz = Upload(device, z);
        var dy = Upload(device, Vectors(outputs, n, 500));
        kernels.AddTwoCombinations(du, count, dx, a, outputs, dz, b, dy, yOutputs);
        for (int j = 0; j < outputs; j++)
        {
            var expectedX = Enumerable.Range(0, n).Select(p => Combination(u, count, a, x[j][p], j, p).Value).ToArray();
            Assert.True(Reference.RelativeMaxError(dx[j].ToArray(), expectedX) <= 1e-13);
            if (j >= yOutputs) continue;
            var expectedY = Enumerable.Range(0, n).Select(p => Combination(u, count, b, z[j][p], j, p).Value).ToArray();
            Assert.True(Reference.RelativeMaxError(dy[j].ToArray(), expectedY) <= 1e-13);
        }
    }

    [Fact]
    public void BadArguments_AreRefused_InTheUsersTerms()
    {
        var device = Device.Cpu;
        var kernels = device.Kernels(IBlockVectorKernels.Family);
        var u = new List<DeviceVector> { device.Allocate(10), device.Allocate(10) };
        var y = new List<DeviceVector> { device.Allocate(10) };
        Assert.Contains("basis vector", Assert.Throws<ArgumentException>(() => kernels.AddCombinations(y, u, 2, [1, 2], [u[1]], 1, default)).Message);
        Assert.Throws<ArgumentException>(() => kernels.AddCombinations(y, u, 2, [1], y, 1, default));
        Assert.Throws<ArgumentException>(() => kernels.AddCombinations([device.Allocate(9)], u, 2, [1, 2], y, 1, default));
        Assert.Throws<ArgumentOutOfRangeException>(() => kernels.AddCombinations(y, u, 3, [1, 2, 3], y, 1, default));
        Assert.Throws<DeviceMismatchException>(() => kernels.AddCombinations(y, u, 2, [1, 2], [DeviceTargets.IlgpuCpu.Allocate(10)], 1, default));
    }
}
