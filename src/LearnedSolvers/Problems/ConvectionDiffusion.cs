using System.Globalization;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Problems;

/// <summary>
/// -ε Δu + w·∇u = f on the unit square, u = 0 on the boundary: the standard nonsymmetric test problem
/// (Elman, Silvester and Wathen, Finite Elements and Fast Iterative Solvers, 2014, Ch. 6).
/// </summary>
/// <remarks>
/// Divided by ε the equation reads -Δu + Pe ŵ·∇u = f/ε with the global Péclet number Pe = max|w|/ε and max|ŵ| = 1
/// (<see cref="WindKind"/>). Diffusion is the 5-point stencil; convection is first-order upwind, w_x ∂u/∂x ≈
/// w_x (u_i - u_{i-1})/h for w_x &gt; 0 and w_x (u_{i+1} - u_i)/h for w_x &lt; 0 (LeVeque 2007, Sec. 10.4), so every
/// off-diagonal entry is ≤ 0, the row sums are 0 inside and positive next to the boundary: a nonsingular M-matrix
/// for any Pe, with no oscillations however large the mesh Péclet number. The price is first-order accuracy and
/// artificial diffusion of size |w| h / 2.
/// <para>
/// Scaling as <see cref="Poisson"/>: the matrix is h² times the divided operator, so diffusion gives the integer
/// stencil (4, -1) and convection adds c = h Pe ŵ_x (and likewise in y) upwind: |c| to the diagonal and -|c| to the
/// upwind neighbour. Pe = 0 gives exactly Poisson's matrix. b = h² f/ε, with f/ε = 1 or i.i.d. N(0, 1).
/// Unknowns are row-major, index i + n·j at the point ((i+1)h, (j+1)h).
/// </para>
/// </remarks>
public static class ConvectionDiffusion
{
    /// <summary>Assembles the upwind system for <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option out of range (see <see cref="ConvectionDiffusionOptions.Validate"/>).</exception>
    public static LinearSystem Generate(ConvectionDiffusionOptions options) => GenerateOnPattern(options, pattern: null);

    internal static LinearSystem GenerateOnPattern(ConvectionDiffusionOptions options, CsrMatrix? pattern)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int n = options.GridSize;
        double h = 1.0 / (n + 1);
        var wind = Wind(options);
        var matrix = StructuredGrid.Assemble(n, 2, new UpwindStencil(wind, n, h * options.Peclet), pattern);
        var b = SourceTerm.Create(options.RightHandSide, matrix.Rows, h * h, new Random(options.Seed));
        string windText = options.Wind == WindKind.Constant
            ? string.Create(CultureInfo.InvariantCulture, $"constant wind at {options.WindAngle:G4} rad")
            : "rotating wind";
        return new LinearSystem(matrix, b, string.Create(CultureInfo.InvariantCulture,
            $"Convection-diffusion 2D, 5-point + first-order upwind, n = {n} ({matrix.Rows} unknowns), Pe = {options.Peclet:G4} (mesh Pe {options.MeshPeclet:G4}), {windText}, b = h^2 f, f {options.RightHandSide}, seed {options.Seed}"))
        {
            Coefficients = wind,
            GridSize = n,
            Dimension = 2,
        };
    }

    /// <summary>ŵ at every unknown, interleaved (x, y).</summary>
    private static double[] Wind(ConvectionDiffusionOptions o)
    {
        int n = o.GridSize;
        double h = 1.0 / (n + 1);
        var w = new double[2 * n * n];
        (double sin, double cos) = Math.SinCos(o.WindAngle);
        double rotationScale = Math.Sqrt(2); // 1 / max |(x - 1/2, y - 1/2)| over the square
        for (int j = 0, p = 0; j < n; j++)
        {
            double y = (j + 1) * h;
            for (int i = 0; i < n; i++, p += 2)
            {
                double x = (i + 1) * h;
                if (o.Wind == WindKind.Constant)
                {
                    w[p] = cos;
                    w[p + 1] = sin;
                }
                else
                {
                    w[p] = -(y - 0.5) * rotationScale;
                    w[p + 1] = (x - 0.5) * rotationScale;
                }
            }
        }
        return w;
    }

    private readonly struct UpwindStencil(double[] wind, int n, double hPe) : IGridStencil
    {
        public void Row(int i, int j, int k, ref StencilRow row)
        {
            int p = 2 * (i + n * j);
            double cx = hPe * wind[p], cy = hPe * wind[p + 1];
            // The upwind neighbour lies against the flow: west for w_x > 0, east for w_x < 0.
            row.West = -1 - Math.Max(cx, 0);
            row.East = -1 + Math.Min(cx, 0);
            row.South = -1 - Math.Max(cy, 0);
            row.North = -1 + Math.Min(cy, 0);
            row.Center = 4 + Math.Abs(cx) + Math.Abs(cy);
        }
    }
}
