using ILGPU;
using ILGPU.Runtime;
using LearnedSolvers.Devices;
using LearnedSolvers.Devices.Ilgpu;

namespace LearnedSolvers.Krylov.Kernels;

/// <summary>
/// <see cref="IKrylovKernels"/> on an ILGPU device: the kernels of <see cref="IlgpuKrylovKernelBodies"/>, loaded once
/// here. Reductions use the device's scratch partials and arrival counter (<see cref="ReductionKernels.FoldInLastGroup"/>),
/// under the device's lock (the scratch is shared by every launch on the device).
/// </summary>
internal sealed class IlgpuKrylovKernels : IKrylovKernels
{
    private readonly IlgpuDevice _device;
    private readonly Action<KernelConfig, double, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>,
        ArrayView<int>, ArrayView<double>> _updateWithNorm;
    private readonly Action<KernelConfig, ArrayView<double>, int, int, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>,
        ArrayView<double>, ArrayView<double>, int, ArrayView<double>, ArrayView<int>, ArrayView<double>> _cgStep;
    private readonly Action<Index1D, ArrayView<double>, int, int, double, ArrayView<double>, ArrayView<double>> _cgDirection;
    private readonly Action<KernelConfig, ArrayView<double>, int, int, ArrayView<double>, ArrayView<double>, ArrayView<double>,
        ArrayView<int>, ArrayView<double>> _scaledAxpyNorm;
    private readonly Action<KernelConfig, ArrayView<double>, int, int, int, int, ArrayView<double>, ArrayView<double>, ArrayView<double>,
        ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<int>, ArrayView<double>> _biCgStabUpdate;
    private readonly Action<Index1D, ArrayView<double>, int, int, int, int, int, ArrayView<double>, ArrayView<double>, ArrayView<double>> _biCgStabDirection;

    public IlgpuKrylovKernels(IlgpuDevice device)
    {
        _device = device;
        var accelerator = device.Accelerator;
        _updateWithNorm = accelerator.LoadStreamKernel<double, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>,
            ArrayView<int>, ArrayView<double>>(IlgpuKrylovKernelBodies.UpdateWithNorm);
        _cgStep = accelerator.LoadStreamKernel<ArrayView<double>, int, int, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>,
            ArrayView<double>, ArrayView<double>, int, ArrayView<double>, ArrayView<int>, ArrayView<double>>(IlgpuKrylovKernelBodies.CgStep);
        _cgDirection = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, int, int, double, ArrayView<double>, ArrayView<double>>(
            IlgpuKrylovKernelBodies.CgDirection);
        _scaledAxpyNorm = accelerator.LoadStreamKernel<ArrayView<double>, int, int, ArrayView<double>, ArrayView<double>, ArrayView<double>,
            ArrayView<int>, ArrayView<double>>(IlgpuKrylovKernelBodies.ScaledAxpyNorm);
        _biCgStabUpdate = accelerator.LoadStreamKernel<ArrayView<double>, int, int, int, int, ArrayView<double>, ArrayView<double>, ArrayView<double>,
            ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<int>, ArrayView<double>>(IlgpuKrylovKernelBodies.BiCgStabUpdate);
        _biCgStabDirection = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, int, int, int, int, int, ArrayView<double>, ArrayView<double>,
            ArrayView<double>>(IlgpuKrylovKernelBodies.BiCgStabDirection);
    }

    public double UpdateWithNorm(double alpha, DeviceVector p, DeviceVector q, DeviceVector x, DeviceVector r)
    {
        var ps = _device.Vec(p, nameof(p));
        int n = ps.Length;
        var qs = _device.Vec(q, nameof(q), n);
        var xs = _device.Vec(x, nameof(x), n);
        var rs = _device.Vec(r, nameof(r), n);
        if (n == 0) return 0;
        using (_device.Lock())
        {
            int groups = _device.ReductionGroups(n);
            _updateWithNorm(new KernelConfig(groups, _device.GroupSize), alpha, ps.View, qs.View, xs.View, rs.View, _device.PartialsView, _device.ArrivalsView, _device.ResultView);
            return _device.ReadResult();
        }
    }

    public void CgStep(DeviceScalars s, int rzSlot, int pqSlot, int outSlot,
        DeviceVector p, DeviceVector q, DeviceVector x, DeviceVector r, DeviceVector? z, DeviceVector? scaling)
    {
        var ps = _device.Vec(p, nameof(p));
        int n = ps.Length;
        var qs = _device.Vec(q, nameof(q), n);
        var xs = _device.Vec(x, nameof(x), n);
        var rs = _device.Vec(r, nameof(r), n);
        bool jacobi = scaling is not null;
        var zs = jacobi ? _device.Vec(z ?? throw new ArgumentNullException(nameof(z)), nameof(z), n) : rs;
        var ds = jacobi ? _device.Vec(scaling!, nameof(scaling), n) : rs;
        var all = _device.ScalarsView(s, 0, s.Count);
        _device.ScalarsView(s, rzSlot, 1);
        _device.ScalarsView(s, pqSlot, 1);
        var output = _device.ScalarsView(s, outSlot, 2);
        if (n == 0) return;
        using (_device.Lock())
        {
            int groups = _device.ReductionGroups(n);
            _cgStep(new KernelConfig(groups, _device.GroupSize), all, rzSlot, pqSlot, ps.View, qs.View, xs.View, rs.View, zs.View, ds.View, jacobi ? 1 : 0, _device.PartialsView, _device.ArrivalsView, output);
        }
    }

    public void CgDirection(DeviceScalars s, int newSlot, int oldSlot, DeviceVector z, DeviceVector p, double factor)
    {
        var zs = _device.Vec(z, nameof(z));
        var ps = _device.Vec(p, nameof(p), zs.Length);
        var all = _device.ScalarsView(s, 0, s.Count);
        _device.ScalarsView(s, newSlot, 1);
        _device.ScalarsView(s, oldSlot, 1);
        if (zs.Length == 0) return;
        using (_device.Lock()) _cgDirection(zs.Length, all, newSlot, oldSlot, factor, zs.View, ps.View);
    }

    public void ScaledAxpyWithNorm(DeviceScalars s, int numeratorSlot, int denominatorSlot, DeviceVector x, DeviceVector y, int normSlot)
    {
        var xs = _device.Vec(x, nameof(x));
        var ys = _device.Vec(y, nameof(y), xs.Length);
        var all = _device.ScalarsView(s, 0, s.Count);
        _device.ScalarsView(s, numeratorSlot, 1);
        _device.ScalarsView(s, denominatorSlot, 1);
        var output = _device.ScalarsView(s, normSlot, 1);
        using (_device.Lock())
        {
            if (xs.Length == 0)
            {
                _device.Fill(output);
                return;
            }
            int groups = _device.ReductionGroups(xs.Length);
            _scaledAxpyNorm(new KernelConfig(groups, _device.GroupSize), all, numeratorSlot, denominatorSlot, xs.View, ys.View, _device.PartialsView, _device.ArrivalsView, output);
        }
    }

    public void BiCgStabDirection(DeviceScalars s, int rhoSlot, int rHatVSlot, int tsSlot, int ttSlot, bool first,
        DeviceVector r, DeviceVector v, DeviceVector p)
    {
        var rs = _device.Vec(r, nameof(r));
        var vs = _device.Vec(v, nameof(v), rs.Length);
        var ps = _device.Vec(p, nameof(p), rs.Length);
        var all = _device.ScalarsView(s, 0, s.Count);
        foreach (int slot in (ReadOnlySpan<int>)[rhoSlot, rHatVSlot, tsSlot, ttSlot]) _device.ScalarsView(s, slot, 1);
        if (rs.Length == 0) return;
        using (_device.Lock()) _biCgStabDirection(rs.Length, all, rhoSlot, rHatVSlot, tsSlot, ttSlot, first ? 1 : 0, rs.View, vs.View, ps.View);
    }

    public void BiCgStabUpdate(DeviceScalars s, int rhoOldSlot, int rHatVSlot, int tsSlot, int ttSlot, int outSlot,
        DeviceVector pHat, DeviceVector sHat, DeviceVector t, DeviceVector x, DeviceVector r, DeviceVector rHat)
    {
        var xs = _device.Vec(x, nameof(x));
        int n = xs.Length;
        var ph = _device.Vec(pHat, nameof(pHat), n);
        var sh = _device.Vec(sHat, nameof(sHat), n);
        var ts = _device.Vec(t, nameof(t), n);
        var rs = _device.Vec(r, nameof(r), n);
        var rh = _device.Vec(rHat, nameof(rHat), n);
        var all = _device.ScalarsView(s, 0, s.Count);
        foreach (int slot in (ReadOnlySpan<int>)[rhoOldSlot, rHatVSlot, tsSlot, ttSlot]) _device.ScalarsView(s, slot, 1);
        var output = _device.ScalarsView(s, outSlot, 2);
        using (_device.Lock())
        {
            if (n == 0)
            {
                _device.Fill(output);
                return;
            }
            int groups = _device.ReductionGroups(n);
            _biCgStabUpdate(new KernelConfig(groups, _device.GroupSize), all, rhoOldSlot, rHatVSlot, tsSlot, ttSlot,
                ph.View, sh.View, ts.View, xs.View, rs.View, rh.View, _device.PartialsView, _device.ArrivalsView, output);
        }
    }
}
