using LearnedSolvers.Devices;

namespace LearnedSolvers.Krylov;

/// <summary>
/// Column views of the caller's blocks B and X for the solvers of several right-hand sides, made once per pair of
/// blocks: a warm solve with the same blocks allocates nothing.
/// </summary>
internal sealed class CallerColumns(int rows)
{
    private DeviceBuffer<double>? _b, _x;

    /// <summary>The columns of B, each <c>rows</c> long.</summary>
    public DeviceVector[] B { get; private set; } = [];

    /// <summary>The columns of X, each <c>rows</c> long.</summary>
    public DeviceVector[] X { get; private set; } = [];

    /// <summary>Views b and x column by column, unless they are the blocks viewed last.</summary>
    public void View(DeviceBuffer<double> b, DeviceBuffer<double> x)
    {
        if (ReferenceEquals(b, _b) && ReferenceEquals(x, _x)) return;
        B = BlockColumns.Of(b, rows);
        X = BlockColumns.Of(x, rows);
        _b = b;
        _x = x;
    }

    /// <summary>Drops the views (the solver is disposed; the caller's blocks may go).</summary>
    public void Forget()
    {
        _b = _x = null;
        B = X = [];
    }
}
