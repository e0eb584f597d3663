using LearnedSolvers.Devices;

namespace LearnedSolvers.Sequences;

/// <summary>Wraps an operator and counts its applications: the matrix–vector products a sequence's targets are stated in.</summary>
public sealed class CountingOperator(ILinearOperator inner) : ILinearOperator
{
    public ILinearOperator Inner { get; } = inner ?? throw new ArgumentNullException(nameof(inner));
    public int Rows => Inner.Rows;
    public int Columns => Inner.Columns;
    public Device Device => Inner.Device;

    /// <summary>Applications since construction or the last <see cref="Reset"/>.</summary>
    public long Count { get; private set; }

    public void Apply(DeviceVector x, DeviceVector y)
    {
        Count++;
        Inner.Apply(x, y);
    }

    public void Reset() => Count = 0;
}
