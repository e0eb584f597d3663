using LearnedSolvers.Sparse;
using MathNet.Numerics.LinearAlgebra.Double;

namespace LearnedSolvers.Tests.TestSupport;

/// <summary>Independent references: serial residuals in double and dense direct solves (MathNet LU).</summary>
public static class Reference
{
    /// <summary>‖b − Ax‖/‖b‖ by a plain serial loop, independent of any device kernel.</summary>
    public static double TrueRelativeResidual(CsrMatrix a, double[] x, double[] b)
    {
        double rr = 0, bb = 0;
        for (int i = 0; i < a.Rows; i++)
        {
            double s = 0;
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++) s += a.Values[k] * x[a.ColumnIndices[k]];
            double r = b[i] - s;
            rr += r * r;
            bb += b[i] * b[i];
        }
        return Math.Sqrt(rr) / Math.Sqrt(bb);
    }

    public static double[] DenseSolve(CsrMatrix a, double[] b)
    {
        var dense = DenseMatrix.OfArray(a.ToDense());
        return dense.LU().Solve(DenseVector.OfArray(b)).ToArray();
    }

    public static double[] Multiply(CsrMatrix a, double[] x)
    {
        var y = new double[a.Rows];
        a.Multiply(x, y);
        return y;
    }

    /// <summary>max_i |x_i − y_i| / max_i |y_i|.</summary>
    public static double RelativeMaxError(double[] x, double[] y)
    {
        double num = 0, den = 0;
        for (int i = 0; i < x.Length; i++)
        {
            num = Math.Max(num, Math.Abs(x[i] - y[i]));
            den = Math.Max(den, Math.Abs(y[i]));
        }
        return den == 0 ? num : num / den;
    }
}
