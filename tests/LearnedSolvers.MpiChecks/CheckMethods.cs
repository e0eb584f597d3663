using LearnedSolvers.Devices;
using LearnedSolvers.Distributed;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Preconditioners.Factories;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.MpiChecks;

/// <summary>
/// The solver configurations the distributed checks run, built the same way on a distributed device and on a single
/// device, so the tests compare like with like.
/// </summary>
public static class CheckMethods
{
    /// <summary>Relative tolerance of every check solve.</summary>
    public const double Tolerance = 1e-8;

    /// <summary>The method names <see cref="Create"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["cg", "cg-device-scalars", "pcg-jacobi", "gmres", "gcrodr", "bicgstab", "pcg-block-ic0", "gmres-block-ilu0", "pcg-chebyshev"];

    /// <summary>
    /// A solver for <paramref name="a"/> on <paramref name="device"/>; the Jacobi preconditioner takes its diagonal
    /// from <paramref name="global"/> (the whole matrix, which every rank holds in these checks).
    /// </summary>
    public static ILinearSolver Create(string method, ILinearOperator a, CsrMatrix global, Device device, SolverOptions? options = null)
    {
        options ??= new SolverOptions(RelativeTolerance: Tolerance, MaxIterations: 20_000);
        return method switch
        {
            "cg" => new ConjugateGradient(a, options: options, scalars: ScalarPlacement.Host),
            "cg-device-scalars" => new ConjugateGradient(a, options: options, scalars: ScalarPlacement.Device),
            "pcg-jacobi" => new ConjugateGradient(a, new Jacobi(global, device), options, ScalarPlacement.Host),
            "gmres" => new Gmres(a, options: options, restart: 30),
            "gcrodr" => new GcroDr(a, options: options, restart: 30, recycle: 10),
            "bicgstab" => new BiCgStab(a, options: options, scalars: ScalarPlacement.Host),
            "pcg-block-ic0" => new ConjugateGradient(a, BlockJacobi(a, "ic0"), options, ScalarPlacement.Host),
            "gmres-block-ilu0" => new Gmres(a, BlockJacobi(a, "ilu0"), options, restart: 30),
            "pcg-chebyshev" => new ConjugateGradient(a, FromRegistry("chebyshev", a), options, ScalarPlacement.Host),
            _ => throw new ArgumentException($"Unknown method '{method}'; expected one of: {string.Join(", ", Names)}.", nameof(method)),
        };
    }

    /// <summary>
    /// Block Jacobi with <paramref name="local"/> blocks on a distributed matrix; on one device, where the only block
    /// is the whole matrix, <paramref name="local"/> itself: the serial reference the distributed counts are held to.
    /// </summary>
    private static IPreconditioner BlockJacobi(ILinearOperator a, string local) =>
        a is DistributedCsrMatrix
            ? FromRegistry("block-jacobi", a, new Dictionary<string, string> { ["local"] = local })
            : FromRegistry(local, a);

    /// <summary>The registry's <paramref name="name"/> set up on <paramref name="a"/>, a distributed or an uploaded matrix.</summary>
    private static IPreconditioner FromRegistry(string name, ILinearOperator a, IReadOnlyDictionary<string, string>? settings = null)
    {
        var factory = PreconditionerRegistry.Get(name, settings);
        var product = a switch
        {
            DistributedCsrMatrix d => factory.CreateAcrossRanks(d),
            DeviceCsrMatrix m => factory.Create(m),
            _ => throw new ArgumentException($"The checks build preconditioners on uploaded or distributed matrices, not on {a.GetType().Name}.", nameof(a)),
        };
        return product ?? throw new InvalidOperationException($"'{name}' gave no preconditioner.");
    }

    /// <summary>"poisson:N" (2D Poisson on an N x N grid) or "mtx:PATH" (a Matrix Market file), with b = A·1.</summary>
    public static (CsrMatrix A, double[] B) Problem(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var a = spec.StartsWith("poisson:", StringComparison.Ordinal) ? Problems.Poisson.TwoD(int.Parse(spec["poisson:".Length..], System.Globalization.CultureInfo.InvariantCulture)).Matrix
            : spec.StartsWith("mtx:", StringComparison.Ordinal) ? MatrixMarketReader.ReadMatrix(spec["mtx:".Length..])
            : throw new ArgumentException($"Unknown problem '{spec}'; expected poisson:N or mtx:PATH.", nameof(spec));
        var ones = new double[a.Columns];
        Array.Fill(ones, 1.0);
        var b = new double[a.Rows];
        a.Multiply(ones, b);
        return (a, b);
    }

    /// <summary>‖b − A x‖ / ‖b‖ computed serially on the host: a check independent of the distributed product.</summary>
    public static double TrueRelativeResidual(CsrMatrix a, ReadOnlySpan<double> b, ReadOnlySpan<double> x)
    {
        var ax = new double[a.Rows];
        a.Multiply(x, ax);
        double r = 0, n = 0;
        for (int i = 0; i < ax.Length; i++)
        {
            r += (b[i] - ax[i]) * (b[i] - ax[i]);
            n += b[i] * b[i];
        }
        return Math.Sqrt(r / n);
    }

    /// <summary>FNV-1a over the bits of the values: equal hashes mean (with overwhelming likelihood) identical bits.</summary>
    public static string BitHash(IEnumerable<double> values)
    {
        ulong h = 14695981039346656037;
        foreach (double v in values)
        {
            ulong bits = (ulong)BitConverter.DoubleToInt64Bits(v);
            for (int k = 0; k < 8; k++)
            {
                h ^= (bits >> (8 * k)) & 0xff;
                h *= 1099511628211;
            }
        }
        return h.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
    }
}
