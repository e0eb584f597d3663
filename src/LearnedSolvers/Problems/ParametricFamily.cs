using System.Globalization;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Problems;

/// <summary>
/// Sequences of related systems with one sparsity pattern, the input of recycling Krylov methods, sequence ordering
/// (SKR) and preconditioners refreshed by value only.
/// </summary>
/// <remarks>
/// The matrices of a family share one pair of RowPointers and ColumnIndices arrays (<see cref="CsrMatrix.WithValues"/>),
/// so pattern uploads and symbolic setups can be reused; values, coefficient field and right-hand side are each member's own.
/// The sequences are lazy: each member is generated when the enumerator reaches it, so a long sequence of large
/// systems never needs to sit in memory at once. Arguments are checked and the shared pattern is built when the
/// method is called, not when enumeration starts. Enumerating again regenerates the same members bit for bit
/// (every random stream is created inside the enumerator from the seeds); call ToList() to keep them instead.
/// <para>
/// Members are not independent draws: member i's random perturbation (or right-hand side) is the i-th draw of one
/// stream seeded once for the family. The overloads that take a range of members (for one shard of a family split
/// across jobs) therefore still draw every earlier member's uniforms, skipping the transforms, FFTs and assembly they
/// would feed, so that member i is bit for bit the member i of the whole family.
/// </para>
/// </remarks>
public static class ParametricFamily
{
    /// <summary>
    /// <paramref name="count"/> diffusion systems whose fields φ_i move from one base field φ₀ (drawn from
    /// <paramref name="options"/>, including its contrast band) along <paramref name="path"/> by ε = <paramref name="perturbation"/>;
    /// each φ_i then gets the options' contrast treatment, so with a <see cref="DiffusionOptions.TargetContrast"/> every member
    /// has exactly that contrast (members are not re-checked against a <see cref="DiffusionOptions.ContrastBand"/>).
    /// All members share the base system's right-hand side values.
    /// </summary>
    /// <param name="options">The base system's settings; <see cref="DiffusionOptions.Seed"/> fixes φ₀ and b.</param>
    /// <param name="count">Number of members (≥ 0).</param>
    /// <param name="perturbation">ε in [0, 1]: the relative size of each perturbation, or the rotation angle per step of a sweep.</param>
    /// <param name="seed">Fixes the perturbation fields ψ, independently of the base.</param>
    /// <param name="path">Random cloud around the base, or a smooth sweep.</param>
    /// <exception cref="ArgumentOutOfRangeException">A bad option, count &lt; 0, or ε outside [0, 1] or NaN.</exception>
    public static IEnumerable<LinearSystem> Diffusion(DiffusionOptions options, int count, double perturbation, int seed,
        FamilyPath path = FamilyPath.RandomPerturbation) =>
        Diffusion(options, count, perturbation, seed, path, Range.All);

    /// <summary>
    /// The members <paramref name="members"/> (indices into the family of <paramref name="count"/>) of the family
    /// <see cref="Diffusion(DiffusionOptions, int, double, int, FamilyPath)"/> generates, each identical to that member
    /// of the whole family.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">As the whole family's, or a range outside [0, count).</exception>
    public static IEnumerable<LinearSystem> Diffusion(DiffusionOptions options, int count, double perturbation, int seed, FamilyPath path, Range members)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (!(perturbation >= 0 && perturbation <= 1))
            throw new ArgumentOutOfRangeException(nameof(perturbation), perturbation, "The perturbation ε must lie in [0, 1].");
        if (!Enum.IsDefined(path))
            throw new ArgumentOutOfRangeException(nameof(path), path, "Unknown family path.");

        var (first, length) = members.GetOffsetAndLength(count);
        var (fieldRandom, rhsRandom) = Problems.Diffusion.Streams(options.Seed);
        var field = Problems.Diffusion.CreateField(options);
        var phi0 = Problems.Diffusion.SampleLogField(options, field, fieldRandom, out int attempts);
        var pattern = Problems.Diffusion.Assemble(Problems.Diffusion.CoefficientsFromLogField(options, phi0), options.GridSize, options.Dimension, pattern: null);
        var b = SourceTerm.Create(options.RightHandSide, pattern.Rows, 1.0, rhsRandom);
        return DiffusionMembers(options, field, phi0, attempts, pattern, b, count, perturbation, seed, path, first, first + length);
    }

    private static IEnumerable<LinearSystem> DiffusionMembers(DiffusionOptions options, GaussianRandomField field, double[] phi0,
        int attempts, CsrMatrix pattern, double[] b, int count, double epsilon, int seed, FamilyPath path, int first, int end)
    {
        var random = new Random(seed);
        double[]? sweepDirection = path == FamilyPath.Sweep && count > 1 ? field.Sample(random) : null;
        double keep = Math.Sqrt(1 - epsilon * epsilon);
        var phi = new double[phi0.Length];
        for (int member = 0; member < end; member++)
        {
            if (member < first)
            {
                if (path != FamilyPath.Sweep) field.Skip(random);
                continue;
            }
            double a, c;
            double[] psi;
            if (path == FamilyPath.Sweep)
            {
                (c, a) = Math.SinCos(member * epsilon);
                psi = sweepDirection ?? phi0; // a single member is the base itself (c = 0)
            }
            else
            {
                (a, c) = (keep, epsilon);
                psi = field.Sample(random);
            }
            for (int v = 0; v < phi.Length; v++) phi[v] = a * phi0[v] + c * psi[v];
            var k = Problems.Diffusion.CoefficientsFromLogField(options, phi);
            var matrix = Problems.Diffusion.Assemble(k, options.GridSize, options.Dimension, pattern);
            string suffix = string.Create(CultureInfo.InvariantCulture, $"; family member {member} of {count}, {path} eps = {epsilon:G4}, seed {seed}");
            yield return new LinearSystem(matrix, (double[])b.Clone(), Problems.Diffusion.Describe(options, k, attempts, suffix))
            {
                Coefficients = k,
                GridSize = options.GridSize,
                Dimension = options.Dimension,
            };
        }
    }

    /// <summary>
    /// One convection-diffusion system per Péclet number in <paramref name="pecletNumbers"/>, otherwise as
    /// <paramref name="options"/>: a sweep from diffusion- to convection-dominated flow on one pattern (upwinding keeps
    /// all five stencil entries nonzero for every Pe, so the pattern never changes).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A bad option or Péclet number (negative, NaN or infinite).</exception>
    public static IEnumerable<LinearSystem> ConvectionDiffusion(ConvectionDiffusionOptions options, IEnumerable<double> pecletNumbers)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(pecletNumbers);
        options.Validate();
        var peclets = pecletNumbers.ToArray();
        foreach (double pe in peclets)
        {
            if (!(pe >= 0) || double.IsInfinity(pe))
                throw new ArgumentOutOfRangeException(nameof(pecletNumbers), pe, "Every Péclet number must be finite and ≥ 0.");
        }
        var pattern = Problems.ConvectionDiffusion.Generate(options).Matrix;
        return ConvectionDiffusionMembers(options, peclets, pattern);
    }

    private static IEnumerable<LinearSystem> ConvectionDiffusionMembers(ConvectionDiffusionOptions options, double[] peclets, CsrMatrix pattern)
    {
        foreach (double pe in peclets)
            yield return Problems.ConvectionDiffusion.GenerateOnPattern(options with { Peclet = pe }, pattern);
    }

    /// <summary>
    /// <paramref name="count"/> systems with the very same matrix object as <paramref name="system"/> and right-hand
    /// sides drawn i.i.d. N(0, 1) per unknown (unscaled, whatever the scaling of the system's own b): many solves with
    /// one operator, as block and recycling methods see them.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">count &lt; 0.</exception>
    public static IEnumerable<LinearSystem> RightHandSides(LinearSystem system, int count, int seed) =>
        RightHandSides(system, count, seed, Range.All);

    /// <summary>
    /// The members <paramref name="members"/> (indices into the family of <paramref name="count"/>) of the family
    /// <see cref="RightHandSides(LinearSystem, int, int)"/> generates, each identical to that member of the whole family.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">count &lt; 0, or a range outside [0, count).</exception>
    public static IEnumerable<LinearSystem> RightHandSides(LinearSystem system, int count, int seed, Range members)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var (first, length) = members.GetOffsetAndLength(count);
        return RightHandSideMembers(system, count, seed, first, first + length);
    }

    private static IEnumerable<LinearSystem> RightHandSideMembers(LinearSystem system, int count, int seed, int first, int end)
    {
        var random = new Random(seed);
        for (int member = 0; member < end; member++)
        {
            if (member < first)
            {
                SourceTerm.Skip(RightHandSideKind.WhiteNoise, system.Size, random);
                continue;
            }
            var b = SourceTerm.Create(RightHandSideKind.WhiteNoise, system.Size, 1.0, random);
            yield return system with
            {
                RightHandSide = b,
                Description = string.Create(CultureInfo.InvariantCulture, $"{system.Description}; right-hand side {member} of {count}, N(0, 1), seed {seed}"),
            };
        }
    }
}
