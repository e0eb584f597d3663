using LearnedSolvers.Devices;

namespace LearnedSolvers.Learned.Dcdm;

/// <summary>
/// The search directions of a trained <see cref="DcdmNetwork"/>: the residual, in the grid's C order, goes in as a
/// [1, 1, S…] single-precision image and the network's output comes back as the direction, on the network's device.
/// A warm call allocates nothing.
/// </summary>
public sealed class NetworkDirection : ISearchDirection, IDisposable
{
    private readonly DcdmNetwork _network;
    private readonly DeviceBuffer<float> _input;
    private readonly IBufferKernels _buffers;

    /// <param name="network">The trained network.</param>
    /// <param name="grid">The grid's spatial shape (H, W or D, H, W); its size is the system's.</param>
    public NetworkDirection(DcdmNetwork network, Shape grid)
    {
        _network = network ?? throw new ArgumentNullException(nameof(network));
        if (grid.Rank != network.SpatialDimensions)
            throw new ArgumentException($"The grid {grid} has {grid.Rank} dimensions; the network is {network.SpatialDimensions}-D.", nameof(grid));
        for (int d = 0; d < grid.Rank; d++)
            if (grid[d] < 2 || grid[d] % 2 != 0)
                throw new ArgumentException($"The grid {grid} has an odd side; the network pools by 2, so every side must be even.", nameof(grid));
        Grid = grid;
        _input = network.Device.Allocate<float>(new Shape([1, 1, .. grid.ToArray()]));
        _buffers = network.Device.Kernels(IBufferKernels.Family);
    }

    public Shape Grid { get; }
    public Device Device => _network.Device;
    public int Size => Grid.Length;

    public void Direction(DeviceVector residual, DeviceVector direction)
    {
        _buffers.Convert(residual, _input);
        _buffers.Convert(_network.Forward(_input), direction);
    }

    public void Dispose() => _input.Dispose();
}
