using LearnedSolvers.Devices;
using LearnedSolvers.Distributed;

namespace LearnedSolvers.Krylov.Kernels;

/// <summary>
/// <see cref="IKrylovKernels"/> on a <see cref="DistributedDevice"/>: each step runs the local device's kernel on this
/// rank's rows, then the scalars it reduced (‖r‖², rᵀz, r̂ᵀr) are summed across ranks before any later step reads them.
/// Steps that only read scalars (directions) need no communication.
/// </summary>
internal sealed class DistributedKrylovKernels(DistributedDevice device) : IKrylovKernels
{
    private readonly DistributedDevice _device = device;
    private readonly IKrylovKernels _local = device.Local.Kernels(IKrylovKernels.Family);

    public double UpdateWithNorm(double alpha, DeviceVector p, DeviceVector q, DeviceVector x, DeviceVector r) =>
        _device.SumAcrossRanks(_local.UpdateWithNorm(alpha, Local(p, nameof(p)), Local(q, nameof(q)), Local(x, nameof(x)), Local(r, nameof(r))));

    public void CgStep(DeviceScalars s, int rzSlot, int pqSlot, int outSlot,
        DeviceVector p, DeviceVector q, DeviceVector x, DeviceVector r, DeviceVector? z, DeviceVector? scaling)
    {
        var scalars = _device.ScalarsOf(s);
        _local.CgStep(scalars.Local, rzSlot, pqSlot, outSlot, Local(p, nameof(p)), Local(q, nameof(q)), Local(x, nameof(x)), Local(r, nameof(r)),
            z is null ? null : Local(z, nameof(z)), scaling is null ? null : Local(scaling, nameof(scaling)));
        scalars.SumAcrossRanks(outSlot, 2);
    }

    public void CgDirection(DeviceScalars s, int newSlot, int oldSlot, DeviceVector z, DeviceVector p, double factor = 1) =>
        _local.CgDirection(_device.ScalarsOf(s).Local, newSlot, oldSlot, Local(z, nameof(z)), Local(p, nameof(p)), factor);

    public void ScaledAxpyWithNorm(DeviceScalars s, int numeratorSlot, int denominatorSlot, DeviceVector x, DeviceVector y, int normSlot)
    {
        var scalars = _device.ScalarsOf(s);
        _local.ScaledAxpyWithNorm(scalars.Local, numeratorSlot, denominatorSlot, Local(x, nameof(x)), Local(y, nameof(y)), normSlot);
        scalars.SumAcrossRanks(normSlot, 1);
    }

    public void BiCgStabDirection(DeviceScalars s, int rhoSlot, int rHatVSlot, int tsSlot, int ttSlot, bool first,
        DeviceVector r, DeviceVector v, DeviceVector p) =>
        _local.BiCgStabDirection(_device.ScalarsOf(s).Local, rhoSlot, rHatVSlot, tsSlot, ttSlot, first, Local(r, nameof(r)), Local(v, nameof(v)), Local(p, nameof(p)));

    public void BiCgStabUpdate(DeviceScalars s, int rhoOldSlot, int rHatVSlot, int tsSlot, int ttSlot, int outSlot,
        DeviceVector pHat, DeviceVector sHat, DeviceVector t, DeviceVector x, DeviceVector r, DeviceVector rHat)
    {
        var scalars = _device.ScalarsOf(s);
        _local.BiCgStabUpdate(scalars.Local, rhoOldSlot, rHatVSlot, tsSlot, ttSlot, outSlot, Local(pHat, nameof(pHat)), Local(sHat, nameof(sHat)),
            Local(t, nameof(t)), Local(x, nameof(x)), Local(r, nameof(r)), Local(rHat, nameof(rHat)));
        scalars.SumAcrossRanks(outSlot, 2);
    }

    private DeviceVector Local(DeviceVector v, string argument) => _device.LocalOf(v, argument);
}
