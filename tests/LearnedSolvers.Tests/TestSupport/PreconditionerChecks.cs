using LearnedSolvers.Devices;
using LearnedSolvers.Sparse;
using MathNet.Numerics.LinearAlgebra.Double;

namespace LearnedSolvers.Tests.TestSupport;

/// <summary>Black-box views of a preconditioner: its action on arrays, and the dense matrix M it stands for.</summary>
public static class PreconditionerChecks
{
    /// <summary>z = M⁻¹ r through the operator's own Apply.</summary>
    public static double[] Apply(IPreconditioner m, double[] r)
    {
        var z = Device.Cpu.Allocate(r.Length);
        m.Apply(Device.Cpu.Upload(r), z);
        return z.ToArray();
    }

    /// <summary>The dense M whose inverse the operator applies: (M⁻¹ applied to each unit vector)⁻¹.</summary>
    public static double[,] DenseM(IPreconditioner m)
    {
        int n = m.Rows;
        var inverse = new DenseMatrix(n, n);
        for (int j = 0; j < n; j++)
        {
            var e = new double[n];
            e[j] = 1;
            var column = Apply(m, e);
            for (int i = 0; i < n; i++) inverse[i, j] = column[i];
        }
        return inverse.Inverse().ToArray();
    }

    /// <summary>max over A's stored entries of |M_ij − A_ij| / max |A_ij|: zero for an exact ILU(0)/IC(0).</summary>
    public static double PatternMismatch(CsrMatrix a, double[,] m)
    {
        double worst = 0, scale = 0;
        for (int i = 0; i < a.Rows; i++)
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++)
            {
                worst = Math.Max(worst, Math.Abs(m[i, a.ColumnIndices[k]] - a.Values[k]));
                scale = Math.Max(scale, Math.Abs(a.Values[k]));
            }
        return worst / scale;
    }

    /// <summary>max over entries outside A's pattern of |M_ij| / max |A_ij|: the fill that the incomplete factorization dropped.</summary>
    public static double FillOutsidePattern(CsrMatrix a, double[,] m)
    {
        double worst = 0, scale = a.Values.AsSpan(0, a.NonZeros).ToArray().Max(Math.Abs);
        for (int i = 0; i < a.Rows; i++)
            for (int j = 0; j < a.Columns; j++)
                if (a.IndexOf(i, j) < 0) worst = Math.Max(worst, Math.Abs(m[i, j]));
        return worst / scale;
    }

    /// <summary>|xᵀ M⁻¹ y − yᵀ M⁻¹ x| / (‖x‖ ‖M⁻¹ y‖): zero for a symmetric operator.</summary>
    public static double SymmetryDefect(IPreconditioner m, int seed)
    {
        var x = RandomSystems.Vector(m.Rows, seed);
        var y = RandomSystems.Vector(m.Rows, seed + 1);
        var mx = Apply(m, x);
        var my = Apply(m, y);
        double xmy = 0, ymx = 0, xx = 0, nmy = 0;
        for (int i = 0; i < x.Length; i++)
        {
            xmy += x[i] * my[i];
            ymx += y[i] * mx[i];
            xx += x[i] * x[i];
            nmy += my[i] * my[i];
        }
        return Math.Abs(xmy - ymx) / Math.Sqrt(xx * nmy);
    }

    /// <summary>A random tridiagonal matrix (no fill under elimination, so ILU(0) and IC(0) are exact).</summary>
    public static CsrMatrix Tridiagonal(int n, int seed, bool symmetric)
    {
        var rng = new Random(seed);
        var b = new TripletBuilder(n, n);
        var lower = new double[n];
        var upper = new double[n];
        for (int i = 1; i < n; i++)
        {
            lower[i] = rng.NextDouble() * 2 - 1;
            upper[i - 1] = symmetric ? lower[i] : rng.NextDouble() * 2 - 1;
        }
        for (int i = 0; i < n; i++)
        {
            if (i > 0) b.Add(i, i - 1, lower[i]);
            if (i + 1 < n) b.Add(i, i + 1, upper[i]);
            b.Add(i, i, Math.Abs(lower[i]) + Math.Abs(upper[i]) + 0.1 + rng.NextDouble());
        }
        return b.ToCsr();
    }
}
