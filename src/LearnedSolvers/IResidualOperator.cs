using LearnedSolvers.Devices;

namespace LearnedSolvers;

/// <summary>
/// An operator that forms the residual r = b − A x in one pass (square operators only), where the generic route is a
/// product followed by a vector update. Solvers test for this capability, never for a concrete class.
/// </summary>
public interface IResidualOperator : ILinearOperator
{
    /// <summary>
    /// r = b − A x. <paramref name="b"/> may be <paramref name="r"/> itself (r ← r − A x); <paramref name="x"/> must
    /// not alias <paramref name="r"/>.
    /// </summary>
    void Residual(DeviceVector b, DeviceVector x, DeviceVector r);
}
