using LearnedSolvers.Devices;

namespace LearnedSolvers.Krylov.Kernels;

/// <summary>
/// <see cref="IKrylovKernels"/> on the CPU device: the fused update runs as one multithreaded SIMD pass
/// (<see cref="CpuDevice"/>'s chunked reduction, so its sum is deterministic); the device-scalar steps read and write
/// the scalars' host array between the device's BLAS-1 kernels.
/// </summary>
internal sealed class CpuKrylovKernels(CpuDevice device) : IKrylovKernels
{
    private readonly CpuDevice _device = device;

    public double UpdateWithNorm(double alpha, DeviceVector p, DeviceVector q, DeviceVector x, DeviceVector r) =>
        _device.UpdateWithNorm(alpha, p, q, x, r);

    public void CgStep(DeviceScalars s, int rzSlot, int pqSlot, int outSlot,
        DeviceVector p, DeviceVector q, DeviceVector x, DeviceVector r, DeviceVector? z, DeviceVector? scaling)
    {
        var values = _device.Scalars(s, outSlot, 2);
        _device.Scalars(s, rzSlot, 1);
        _device.Scalars(s, pqSlot, 1);
        double alpha = values[rzSlot] / values[pqSlot];
        if (!(alpha > 0 && double.IsFinite(alpha))) alpha = 0;
        double rr = _device.UpdateWithNorm(alpha, p, q, x, r);
        double rz = rr;
        if (scaling is not null)
        {
            ArgumentNullException.ThrowIfNull(z);
            _device.PointwiseMultiply(scaling, r, z);
            rz = _device.Dot(r, z);
        }
        values[outSlot] = rz;
        values[outSlot + 1] = rr;
    }

    public void CgDirection(DeviceScalars s, int newSlot, int oldSlot, DeviceVector z, DeviceVector p, double factor)
    {
        var values = _device.Scalars(s, newSlot, 1);
        _device.Scalars(s, oldSlot, 1);
        double beta = factor * values[newSlot] / values[oldSlot];
        if (!double.IsFinite(beta)) beta = 0;
        _device.Axpby(1, z, beta, p);
    }

    public void ScaledAxpyWithNorm(DeviceScalars s, int numeratorSlot, int denominatorSlot, DeviceVector x, DeviceVector y, int normSlot)
    {
        var values = _device.Scalars(s, normSlot, 1);
        double factor = Quotient(values, numeratorSlot, denominatorSlot, s);
        _device.Axpy(-factor, x, y);
        values[normSlot] = _device.Dot(y, y);
    }

    public void BiCgStabDirection(DeviceScalars s, int rhoSlot, int rHatVSlot, int tsSlot, int ttSlot, bool first,
        DeviceVector r, DeviceVector v, DeviceVector p)
    {
        var values = _device.Scalars(s, rhoSlot, 1);
        if (first)
        {
            _device.Copy(r, p);
            return;
        }
        double omega = Quotient(values, tsSlot, ttSlot, s);
        s.CheckSlots(rHatVSlot, 1, nameof(rHatVSlot));
        double beta = Finite(values[rhoSlot] * values[ttSlot] / (values[rHatVSlot] * values[tsSlot]));
        _device.Axpy(-omega, v, p);
        _device.Axpby(1, r, beta, p);
    }

    public void BiCgStabUpdate(DeviceScalars s, int rhoOldSlot, int rHatVSlot, int tsSlot, int ttSlot, int outSlot,
        DeviceVector pHat, DeviceVector sHat, DeviceVector t, DeviceVector x, DeviceVector r, DeviceVector rHat)
    {
        var values = _device.Scalars(s, outSlot, 2);
        double alpha = Quotient(values, rhoOldSlot, rHatVSlot, s);
        double omega = Quotient(values, tsSlot, ttSlot, s);
        _device.Axpy(alpha, pHat, x);
        _device.Axpy(omega, sHat, x); // before r changes: ŝ may be r itself
        _device.Axpy(-omega, t, r);
        values[outSlot] = _device.Dot(rHat, r);
        values[outSlot + 1] = _device.Dot(r, r);
    }

    private static double Quotient(double[] values, int numerator, int denominator, DeviceScalars s)
    {
        s.CheckSlots(numerator, 1, nameof(numerator));
        s.CheckSlots(denominator, 1, nameof(denominator));
        return Finite(values[numerator] / values[denominator]);
    }

    private static double Finite(double value) => double.IsFinite(value) ? value : 0;
}
