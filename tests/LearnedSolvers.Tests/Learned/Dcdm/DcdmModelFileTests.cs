using LearnedSolvers.Devices;
using LearnedSolvers.Learned.Dcdm;
using LearnedSolvers.Learned.Nn;

namespace LearnedSolvers.Tests.Learned.Dcdm;

/// <summary>A saved DCDM network loads to the same outputs bit for bit; files of other shapes or names are refused by name.</summary>
public sealed class DcdmModelFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ls-model-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void SaveAndLoad_ReproduceTheOutputs_BitForBit(int dimensions)
    {
        var device = Device.Cpu;
        string path = Path.Combine(_dir, "m.safetensors");
        var shape = dimensions == 2 ? new Shape(2, 1, 8, 6) : new Shape(1, 1, 4, 4, 6);
        using var x = device.Upload<float>(DcdmNetworkTests.Floats(shape.Length, 1), shape);
        float[] before;
        using (var net = new DcdmNetwork(device, dimensions, channels: 3, seed: 11))
        {
            before = net.Forward(x).ToArray();
            DcdmModelFile.Save(net, path, new Dictionary<string, string> { ["problem"] = "test" });
        }
        var (loaded, metadata) = DcdmModelFile.Load(path, device);
        using (loaded)
        {
            Assert.Equal(before, loaded.Forward(x).ToArray());
            Assert.Equal(3, loaded.Channels);
            Assert.Equal("test", metadata["problem"]);
        }
    }

    [Fact]
    public void AFileWithAWrongShape_OrAnExtraTensor_IsRefusedByName()
    {
        string path = Path.Combine(_dir, "m.safetensors");
        using (var net = new DcdmNetwork(Device.Cpu, 2, channels: 2))
            DcdmModelFile.Save(net, path);
        var file = SafetensorsFile.Read(path);
        var tensors = file.Tensors.Select(t => t.Name == "cnn2.weight" ? SafetensorsTensor.FromSingles(t.Name, [2, 2, 5, 5], new float[100]) : t).ToList();
        SafetensorsFile.Write(path, tensors, file.Metadata);
        var e = Assert.Throws<SafetensorsFormatException>(() => DcdmModelFile.Load(path, Device.Cpu));
        Assert.Contains("cnn2.weight", e.Message);
        SafetensorsFile.Write(path, [.. file.Tensors, SafetensorsTensor.FromSingles("extra.weight", [1], [1f])], file.Metadata);
        e = Assert.Throws<SafetensorsFormatException>(() => DcdmModelFile.Load(path, Device.Cpu));
        Assert.Contains("extra.weight", e.Message);
    }
}
