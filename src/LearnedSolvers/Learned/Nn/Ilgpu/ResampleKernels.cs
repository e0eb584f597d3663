using ILGPU;

namespace LearnedSolvers.Learned.Nn.Ilgpu;

/// <summary>
/// Pooling and upsampling between a coarse grid and a grid factor times finer (<see cref="ResampleGeometry"/>), as
/// gathers: one thread per element written, so no two threads add into the same element and the sums (double, fixed
/// order) need no atomics. Averaging and nearest upsampling share two kernels: a scaled block sum (average pooling,
/// and the adjoint of nearest upsampling) and a scaled spread (nearest upsampling, and the adjoint of average pooling).
/// </summary>
internal static class ResampleKernels
{
    /// <summary>coarse[c] (+)= scale · Σ of fine over c's block; one thread per coarse element.</summary>
    public static void BlockSum(Index1D index, ArrayView<float> fine, ArrayView<float> coarse, double scale, int accumulate, ResampleGeometry g)
    {
        int e = index.X;
        int col = e % g.CoarseWidth;
        int rest = e / g.CoarseWidth;
        int row = rest % g.CoarseHeight;
        rest /= g.CoarseHeight;
        int depth = rest % g.CoarseDepth;
        int plane = rest / g.CoarseDepth;
        int fineHeight = g.FineHeight, fineWidth = g.FineWidth;
        int volume = plane * g.FineDepth;
        double sum = 0;
        for (int a = 0; a < g.DepthFactor; a++)
        {
            for (int b = 0; b < g.Factor; b++)
            {
                int line = ((volume + depth * g.DepthFactor + a) * fineHeight + row * g.Factor + b) * fineWidth + col * g.Factor;
                for (int c = 0; c < g.Factor; c++) sum += fine[line + c];
            }
        }
        sum *= scale;
        coarse[e] = accumulate != 0 ? (float)(coarse[e] + sum) : (float)sum;
    }

    /// <summary>fine[f] (+)= scale · coarse[the cell holding f]; one thread per fine element.</summary>
    public static void Spread(Index1D index, ArrayView<float> coarse, ArrayView<float> fine, double scale, int accumulate, ResampleGeometry g)
    {
        int e = index.X;
        int col = e % g.FineWidth;
        int rest = e / g.FineWidth;
        int row = rest % g.FineHeight;
        rest /= g.FineHeight;
        int depth = rest % g.FineDepth;
        int plane = rest / g.FineDepth;
        int source = ((plane * g.CoarseDepth + depth / g.DepthFactor) * g.CoarseHeight + row / g.Factor) * g.CoarseWidth + col / g.Factor;
        double value = scale * coarse[source];
        fine[e] = accumulate != 0 ? (float)(fine[e] + value) : (float)value;
    }

    /// <summary>
    /// fine = coarse interpolated (bilinear in 2-D, trilinear in 3-D, align_corners=False); one thread per fine element.
    /// In 2-D the depth factor is 1, so the depth weights are (1, 0) on one plane.
    /// </summary>
    public static void Interpolate(Index1D index, ArrayView<float> coarse, ArrayView<float> fine, ResampleGeometry g)
    {
        int e = index.X;
        int col = e % g.FineWidth;
        int rest = e / g.FineWidth;
        int row = rest % g.FineHeight;
        rest /= g.FineHeight;
        int depth = rest % g.FineDepth;
        int plane = rest / g.FineDepth;
        double cd = Source(depth, g.DepthFactor), ch = Source(row, g.Factor), cw = Source(col, g.Factor);
        int d0 = (int)cd, h0 = (int)ch, w0 = (int)cw;
        int d1 = Next(d0, g.CoarseDepth), h1 = Next(h0, g.CoarseHeight), w1 = Next(w0, g.CoarseWidth);
        double ld = cd - d0, lh = ch - h0, lw = cw - w0;
        int volume = plane * g.CoarseDepth;
        double top = Bilinear(coarse, (volume + d0) * g.CoarseHeight, g.CoarseWidth, h0, h1, w0, w1, lh, lw);
        double bottom = Bilinear(coarse, (volume + d1) * g.CoarseHeight, g.CoarseWidth, h0, h1, w0, w1, lh, lw);
        fine[e] = (float)((1 - ld) * top + ld * bottom);
    }

    /// <summary>
    /// coarse[c] (+)= Σ_f weight(f → c) · fine[f], the adjoint of <see cref="Interpolate"/>, gathered: along each
    /// dimension, only the fine cells within one coarse cell of c's block (a superset of those that read c) can weigh
    /// on c, and each one's weight is recomputed. One thread per coarse element.
    /// </summary>
    public static void InterpolateAdjoint(Index1D index, ArrayView<float> fine, ArrayView<float> coarse, int accumulate, ResampleGeometry g)
    {
        int e = index.X;
        int col = e % g.CoarseWidth;
        int rest = e / g.CoarseWidth;
        int row = rest % g.CoarseHeight;
        rest /= g.CoarseHeight;
        int depth = rest % g.CoarseDepth;
        int plane = rest / g.CoarseDepth;
        int fineDepth = g.FineDepth, fineHeight = g.FineHeight, fineWidth = g.FineWidth;
        int volume = plane * fineDepth;
        double sum = 0;
        int dStart = FirstCandidate(depth, g.DepthFactor), dEnd = CandidatesEnd(depth, g.DepthFactor, fineDepth);
        int hStart = FirstCandidate(row, g.Factor), hEnd = CandidatesEnd(row, g.Factor, fineHeight);
        int wStart = FirstCandidate(col, g.Factor), wEnd = CandidatesEnd(col, g.Factor, fineWidth);
        for (int fd = dStart; fd < dEnd; fd++)
        {
            double wd = Weight(fd, depth, g.DepthFactor, g.CoarseDepth);
            if (wd == 0) continue;
            for (int fh = hStart; fh < hEnd; fh++)
            {
                double wh = Weight(fh, row, g.Factor, g.CoarseHeight);
                if (wh == 0) continue;
                int line = ((volume + fd) * fineHeight + fh) * fineWidth;
                double lineSum = 0;
                for (int fw = wStart; fw < wEnd; fw++)
                {
                    double ww = Weight(fw, col, g.Factor, g.CoarseWidth);
                    if (ww != 0) lineSum += ww * fine[line + fw];
                }
                sum += wd * wh * lineSum;
            }
        }
        coarse[e] = accumulate != 0 ? (float)(coarse[e] + sum) : (float)sum;
    }

    /// <summary>PyTorch's source coordinate (i + 0.5) / factor − 0.5, clamped at 0.</summary>
    private static double Source(int fine, int factor)
    {
        double c = (fine + 0.5) / factor - 0.5;
        return c < 0 ? 0 : c;
    }

    /// <summary>The upper neighbour of cell i, clamped at the last cell.</summary>
    private static int Next(int i, int size) => i + 1 < size ? i + 1 : size - 1;

    private static double Bilinear(ArrayView<float> coarse, int planeRow, int width, int h0, int h1, int w0, int w1, double lh, double lw)
    {
        int r0 = (planeRow + h0) * width, r1 = (planeRow + h1) * width;
        double upper = (1 - lw) * coarse[r0 + w0] + lw * coarse[r0 + w1];
        double lower = (1 - lw) * coarse[r1 + w0] + lw * coarse[r1 + w1];
        return (1 - lh) * upper + lh * lower;
    }

    /// <summary>The weight of coarse cell c in fine cell f's interpolation along one dimension.</summary>
    private static double Weight(int fine, int c, int factor, int size)
    {
        double s = Source(fine, factor);
        int lower = (int)s;
        double upperWeight = s - lower;
        double w = 0;
        if (lower == c) w += 1 - upperWeight;
        if (Next(lower, size) == c) w += upperWeight;
        return w;
    }

    // The fine cells along one dimension that may read coarse cell c: [factor·(c − 1), factor·(c + 2)) within the grid.

    private static int FirstCandidate(int c, int factor) => c > 0 ? factor * (c - 1) : 0;

    private static int CandidatesEnd(int c, int factor, int fineSize)
    {
        int end = factor * (c + 2);
        return end < fineSize ? end : fineSize;
    }
}
