using ILGPU;
using ILGPU.Runtime;
using LearnedSolvers.Devices;
using LearnedSolvers.Devices.Ilgpu;

namespace LearnedSolvers.Krylov.Kernels;

/// <summary>
/// <see cref="IKrylovKernels"/> on an ILGPU device: the kernels of <see cref="IlgpuKrylovKernelBodies"/>, loaded once
/// here. Reductions write per-group partials into the device's scratch buffer and finish with its fixed-order final
/// sum, under the device's lock (the scratch buffer is shared by every launch on the device).
/// </summary>
internal sealed class IlgpuKrylovKernels : IKrylovKernels
{
    private readonly IlgpuDevice _device;
    private readonly Action<KernelConfig, double, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>> _updateWithNormPartials;
    private readonly Action<KernelConfig, ArrayView<double>, int, int, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>,
        ArrayView<double>, ArrayView<double>, int, ArrayView<double>> _cgStepPartials;
    private readonly Action<Index1D, ArrayView<double>, int, int, double, ArrayView<double>, ArrayView<double>> _cgDirection;
    private readonly Action<KernelConfig, ArrayView<double>, int, int, ArrayView<double>, ArrayView<double>, ArrayView<double>> _scaledAxpyNormPartials;
    private readonly Action<KernelConfig, ArrayView<double>, int, int, int, int, ArrayView<double>, ArrayView<double>, ArrayView<double>,
        ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>> _biCgStabUpdatePartials;
    private readonly Action<Index1D, ArrayView<double>, int, int, int, int, int, ArrayView<double>, ArrayView<double>, ArrayView<double>> _biCgStabDirection;

    public IlgpuKrylovKernels(IlgpuDevice device)
    {
        _device = device;
        var accelerator = device.Accelerator;
        _updateWithNormPartials = accelerator.LoadStreamKernel<double, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>>(
            IlgpuKrylovKernelBodies.UpdateWithNormPartials);
        _cgStepPartials = accelerator.LoadStreamKernel<ArrayView<double>, int, int, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>,
            ArrayView<double>, ArrayView<double>, int, ArrayView<double>>(IlgpuKrylovKernelBodies.CgStepPartials);
        _cgDirection = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, int, int, double, ArrayView<double>, ArrayView<double>>(
            IlgpuKrylovKernelBodies.CgDirection);
        _scaledAxpyNormPartials = accelerator.LoadStreamKernel<ArrayView<double>, int, int, ArrayView<double>, ArrayView<double>, ArrayView<double>>(
            IlgpuKrylovKernelBodies.ScaledAxpyNormPartials);
        _biCgStabUpdatePartials = accelerator.LoadStreamKernel<ArrayView<double>, int, int, int, int, ArrayView<double>, ArrayView<double>, ArrayView<double>,
            ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>>(IlgpuKrylovKernelBodies.BiCgStabUpdatePartials);
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
        lock (_device.Gate)
        {
            int groups = _device.ReductionGroups(n);
            _updateWithNormPartials(new KernelConfig(groups, _device.GroupSize), alpha, ps.View, qs.View, xs.View, rs.View, _device.PartialsView);
            _device.FinishSum(groups, _device.ResultView);
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
        lock (_device.Gate)
        {
            int groups = _device.ReductionGroups(n);
            _cgStepPartials(new KernelConfig(groups, _device.GroupSize), all, rzSlot, pqSlot, ps.View, qs.View, xs.View, rs.View, zs.View, ds.View, jacobi ? 1 : 0, _device.PartialsView);
            _device.FinishSums(2, groups, output);
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
        lock (_device.Gate) _cgDirection(zs.Length, all, newSlot, oldSlot, factor, zs.View, ps.View);
    }

    public void ScaledAxpyWithNorm(DeviceScalars s, int numeratorSlot, int denominatorSlot, DeviceVector x, DeviceVector y, int normSlot)
    {
        var xs = _device.Vec(x, nameof(x));
        var ys = _device.Vec(y, nameof(y), xs.Length);
        var all = _device.ScalarsView(s, 0, s.Count);
        _device.ScalarsView(s, numeratorSlot, 1);
        _device.ScalarsView(s, denominatorSlot, 1);
        var output = _device.ScalarsView(s, normSlot, 1);
        lock (_device.Gate)
        {
            if (xs.Length == 0)
            {
                _device.Fill(output);
                return;
            }
            int groups = _device.ReductionGroups(xs.Length);
            _scaledAxpyNormPartials(new KernelConfig(groups, _device.GroupSize), all, numeratorSlot, denominatorSlot, xs.View, ys.View, _device.PartialsView);
            _device.FinishSums(1, groups, output);
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
        lock (_device.Gate) _biCgStabDirection(rs.Length, all, rhoSlot, rHatVSlot, tsSlot, ttSlot, first ? 1 : 0, rs.View, vs.View, ps.View);
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
        lock (_device.Gate)
        {
            if (n == 0)
            {
                _device.Fill(output);
                return;
            }
            int groups = _device.ReductionGroups(n);
            _biCgStabUpdatePartials(new KernelConfig(groups, _device.GroupSize), all, rhoOldSlot, rHatVSlot, tsSlot, ttSlot,
                ph.View, sh.View, ts.View, xs.View, rs.View, rh.View, _device.PartialsView);
            _device.FinishSums(2, groups, output);
        }
    }
}
