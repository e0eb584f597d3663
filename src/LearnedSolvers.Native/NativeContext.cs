using LearnedSolvers.Devices;

namespace LearnedSolvers.Native;

/// <summary>
/// What <c>ls_context</c> stands for: the device the matrices and solvers made from it live on. The devices are the
/// library's shared instances, so freeing a context releases nothing that a matrix made from it still uses.
/// </summary>
internal sealed class NativeContext(Device device)
{
    public Device Device { get; } = device;

    public static NativeContext Create(string name)
    {
        if (!Device.Names.Contains(name.Trim().ToLowerInvariant()))
            throw new NativeException(NativeStatus.UnknownName, $"unknown device '{name}'; expected one of {string.Join(", ", Device.Names)}");
        return new NativeContext(Device.FromName(name));
    }
}
