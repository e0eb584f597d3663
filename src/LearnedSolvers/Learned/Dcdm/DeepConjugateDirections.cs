using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;

namespace LearnedSolvers.Learned.Dcdm;

/// <summary>
/// The Deep Conjugate Direction Method (Kaneda, Akar, Chen, Chu and Teran, "A Deep Conjugate Direction Method for
/// Iteratively Solving Linear Systems", ICML 2023) for symmetric positive definite A. Each iteration asks an
/// <see cref="ISearchDirection"/> (a trained network) for q ≈ A⁻¹ r at the unit residual r/‖r‖, A-orthogonalizes it
/// against the previous k directions, q ← q − Σ_j (qᵀA p_j / p_jᵀA p_j) p_j, and steps x ← x + α q with the exact line
/// search α = qᵀr / qᵀAq. The residual r = b − A x is then recomputed from x rather than updated by recurrence, so an
/// inexact direction never corrupts it, and (in exact arithmetic) the A-norm of the error never grows: a step moves x
/// by at most that error in the A-norm, whatever the direction.
/// <para>
/// Safety fallback. The generated direction is rejected, and replaced for that iteration by the residual direction
/// z = M r (r itself without a preconditioner M), A-orthogonalized the same way, which makes the step a flexible
/// PCG step, when after orthogonalization:
/// <list type="bullet">
/// <item>qᵀr, qᵀAq or ‖q‖² is not finite;</item>
/// <item>q vanished: q = 0, or ‖q‖_A fell below <see cref="NegligibleFraction"/> of its A-norm before orthogonalization
/// (the generated direction lay, to working precision, in the span of the previous ones: what is left is rounding);</item>
/// <item>qᵀAq ≤ 0 (impossible for SPD A and a nonzero q, except through rounding);</item>
/// <item>q gives no descent: |qᵀr| ≤ <see cref="MinimumDescentCosine"/> · ‖q‖ ‖r‖. This cosine is invariant under any
/// scaling of q (the generator's scale is free, its sign too since α takes it), of b and of A. It catches a direction
/// with no component along r, whose step would leave x where it is; it cannot see a merely poor direction, and need
/// not: the exact line search keeps such a step harmless. The cosine of r with the exact A⁻¹ r is at least
/// 2√κ/(1 + κ) ≈ 2/√κ for condition number κ (Kantorovich), above the bound up to κ ≈ 4·10¹².</item>
/// </list>
/// <see cref="FallbackIterations"/> counts these iterations, and <see cref="SolveResult.Message"/> says how many there
/// were and why ("12 of 40 directions fell back to the residual: ..."); the message says nothing of fallbacks when
/// there were none. Should the fallback direction itself vanish, lose positivity or descent after orthogonalization
/// (the previous directions lost their A-orthogonality), the solver forgets them and steps along z alone, which for SPD
/// A and rᵀMr &gt; 0 always decreases the error.
/// </para>
/// <para>
/// The fallback preconditioner may be variable or nonlinear, as in flexible CG: every step is an exact line search along
/// an A-orthogonalized direction whatever produced it. It is applied to the unit residual. The solve stops with
/// <see cref="StopReason.IndefinitePreconditioner"/> when rᵀMr ≤ 0, with <see cref="StopReason.IndefiniteMatrix"/> when
/// zᵀAz ≤ 0 for the bare fallback direction, with <see cref="StopReason.NaNOrInfinity"/> when the fallback direction or
/// the residual is not finite, and otherwise as every Krylov solver does (<see cref="StopReason.MaxIterations"/>,
/// <see cref="StopReason.Diverged"/>); a generated direction alone never stops it.
/// </para>
/// <para>
/// Per iteration: one call of the generator, one product fused with qᵀAq where the operator has
/// <see cref="IFusedApplyDot"/>, one residual b − A x (<see cref="IResidualOperator"/> where the operator has it), the
/// k + 1 projections of q in one <see cref="Device.MultiDot"/> pass, one <see cref="Device.MultiAxpy"/>, one pass for
/// qᵀr and ‖q‖², and the updates of x and of the unit residual. A fallback adds one application of M and repeats the
/// projections and the product for z (a candidate whose projections are already not finite is spared its product).
/// Scalars are read on the host every iteration: the network's evaluation costs far more than the reads. The workspace
/// (the unit residual and k + 1 directions with their products, kept in a ring) is allocated once; a warm solve
/// allocates nothing per iteration.
/// </para>
/// </summary>
public sealed class DeepConjugateDirections : KrylovSolver
{
    /// <summary>How many previous directions a new one is A-orthogonalized against when none is given (the paper's choice).</summary>
    public const int DefaultOrthogonalizeAgainst = 2;

    /// <summary>
    /// A generated direction whose |qᵀr| / (‖q‖ ‖r‖) is at most this gives no descent and is replaced by the residual.
    /// </summary>
    public const double MinimumDescentCosine = 1e-6;

    /// <summary>
    /// A direction whose A-norm after orthogonalization is below this fraction of its A-norm before has vanished: it lay
    /// in the span of the previous directions, and what is left of it is rounding.
    /// </summary>
    public const double NegligibleFraction = 1e-8;

    private const double NegligibleEnergy = NegligibleFraction * NegligibleFraction;

    /// <summary>Why a candidate direction was rejected (or not); the order of <see cref="_fallbacks"/>.</summary>
    private enum Candidate { Usable, NotFinite, Vanished, NotPositive, NoDescent }

    private static readonly string[] CandidateWords = ["", "not finite", "vanished", "with qᵀAq ≤ 0", "without descent"];

    private readonly ISearchDirection _directions;
    private readonly int _k;

    /// <summary>The residual, scaled to unit norm once its norm is recorded: the generator's input.</summary>
    private readonly DeviceVector _unit;

    // The ring: slots 0 .. _count − 1 hold the previous directions p_j, newest first, with A p_j and p_jᵀA p_j; slot _k
    // is the working slot where the candidate q and A q are formed. A step rotates the slots by one, so nothing is copied.
    private readonly DeviceVector[] _p, _ap;
    private readonly double[] _pap;
    private int _count;

    private readonly DeviceVector[] _unitAndProducts; // [r/‖r‖, A p_0, .., A p_{k−1}]: one pass gives qᵀr and every qᵀA p_j
    private readonly DeviceVector[] _unitAndDirection; // [r/‖r‖, q]: qᵀr and ‖q‖² after orthogonalization
    private readonly double[] _projections, _coefficients;
    private readonly int[] _fallbacks = new int[CandidateWords.Length];

    // What the last measurement found, for the candidate in the working slot.
    private double _rawDescent, _descent, _energy;

    /// <param name="a">The SPD operator.</param>
    /// <param name="directions">The direction generator (the trained network), on the operator's device and of its size.</param>
    /// <param name="fallback">The preconditioner M of the fallback direction z = M r, possibly variable or nonlinear; r itself when null.</param>
    /// <param name="options">Tolerances and iteration limit; <see cref="SolverOptions.Default"/> when null.</param>
    /// <param name="orthogonalizeAgainst">How many previous directions each new one is A-orthogonalized against (k ≥ 0).</param>
    public DeepConjugateDirections(ILinearOperator a, ISearchDirection directions, IPreconditioner? fallback = null,
        SolverOptions? options = null, int orthogonalizeAgainst = DefaultOrthogonalizeAgainst)
        : base(Checked(a, directions, orthogonalizeAgainst), fallback, options)
    {
        _directions = directions;
        _k = orthogonalizeAgainst;
        _unit = AllocateVector();
        _p = new DeviceVector[_k + 1];
        _ap = new DeviceVector[_k + 1];
        for (int j = 0; j <= _k; j++)
        {
            _p[j] = AllocateVector();
            _ap[j] = AllocateVector();
        }
        _pap = new double[_k + 1];
        _unitAndProducts = new DeviceVector[_k + 1];
        _unitAndDirection = new DeviceVector[2];
        _projections = new double[Math.Max(_k + 1, 2)];
        _coefficients = new double[_k];
        _unitAndProducts[0] = _unitAndDirection[0] = _unit;
        RefreshBases();
    }

    /// <summary>The direction generator.</summary>
    public ISearchDirection Directions => _directions;

    /// <summary>How many previous directions each new one is A-orthogonalized against.</summary>
    public int OrthogonalizeAgainst => _k;

    /// <summary>Iterations of the last solve whose generated direction was rejected and replaced by the (preconditioned) residual.</summary>
    public int FallbackIterations { get; private set; }

    private DeviceVector Direction => _p[_k];
    private DeviceVector DirectionProduct => _ap[_k];

    private static ILinearOperator Checked(ILinearOperator a, ISearchDirection directions, int orthogonalizeAgainst)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(directions);
        ArgumentOutOfRangeException.ThrowIfNegative(orthogonalizeAgainst);
        if (directions.Size != a.Rows)
            throw new ArgumentException($"The direction generator takes vectors of length {directions.Size}; the operator is {a.Rows} x {a.Columns}.", nameof(directions));
        if (!ReferenceEquals(directions.Device, a.Device))
            throw new DeviceMismatchException($"The direction generator runs on '{directions.Device.Name}', the operator on '{a.Device.Name}'.");
        return a;
    }

    protected override void OnSolveStarting()
    {
        Array.Clear(_fallbacks);
        FallbackIterations = 0;
    }

    protected override StopReason Iterate(DeviceVector b, DeviceVector x)
    {
        _count = 0; // a start from a fresh residual forgets the directions of the previous one
        if (StartResidual(b, x, _unit, out double rNorm) is { } stop) return stop;

        while (Monitor.IterationsLeft > 0)
        {
            Device.Scale(1 / rNorm, _unit);
            _directions.Direction(_unit, Direction);
            var candidate = Measure(_count);
            if (candidate != Candidate.Usable)
            {
                if (FallBack() is { } failed) return failed;
                _fallbacks[(int)candidate]++;
                FallbackIterations++;
            }
            Device.Axpy(rNorm * _descent / _energy, Direction, x); // α = qᵀr / qᵀAq with qᵀr = ‖r‖ qᵀ(r/‖r‖)
            Remember();

            Residual(b, x, _unit);
            rNorm = Device.Norm2(_unit);
            Monitor.Record(rNorm);
            if (!double.IsFinite(rNorm)) return StopReason.NaNOrInfinity;
            if (Monitor.IsConverged(rNorm)) return StopReason.ConvergedRelative;
        }
        return StopReason.MaxIterations;
    }

    /// <summary>
    /// A-orthogonalizes the candidate q in the working slot against the newest <paramref name="count"/> previous
    /// directions, forms A q, and judges it. Leaves qᵀr/‖r‖ before orthogonalization in <see cref="_rawDescent"/>, and
    /// after it qᵀr/‖r‖ in <see cref="_descent"/> and qᵀAq in <see cref="_energy"/>.
    /// </summary>
    private Candidate Measure(int count)
    {
        var q = Direction;
        Device.MultiDot(_unitAndProducts, count + 1, q, _projections);
        _rawDescent = _projections[0];
        // The A-energy taken away, Σ (qᵀA p_j)² / p_jᵀA p_j: with the p_j mutually A-orthogonal, ‖q‖²_A before
        // orthogonalization is qᵀAq after it plus this, without a second product.
        double removed = 0;
        for (int j = 0; j < count; j++)
        {
            double projection = _projections[j + 1];
            _coefficients[j] = projection / _pap[j];
            removed += _coefficients[j] * projection;
        }
        if (!double.IsFinite(_rawDescent) || !double.IsFinite(removed)) return Candidate.NotFinite; // spares the product
        if (count > 0) Device.MultiAxpy(_p, count, _coefficients.AsSpan(0, count), q);

        _energy = ApplyAndDot(q, DirectionProduct);
        Device.MultiDot(_unitAndDirection, 2, q, _projections);
        _descent = _projections[0];
        double squaredNorm = _projections[1];
        if (!double.IsFinite(_energy) || !double.IsFinite(_descent) || !double.IsFinite(squaredNorm)) return Candidate.NotFinite;
        if (squaredNorm == 0 || Math.Abs(_energy) < NegligibleEnergy * removed) return Candidate.Vanished;
        if (_energy <= 0) return Candidate.NotPositive;
        if (Math.Abs(_descent) <= MinimumDescentCosine * Math.Sqrt(squaredNorm)) return Candidate.NoDescent;
        return Candidate.Usable;
    }

    /// <summary>
    /// Replaces the rejected candidate by z = M r, A-orthogonalized likewise; if that is rejected too, forgets the previous
    /// directions and takes z alone. Returns the reason to stop when even z cannot make a step.
    /// </summary>
    private StopReason? FallBack()
    {
        while (true)
        {
            Precondition(_unit, Direction);
            var candidate = Measure(_count);
            if (candidate == Candidate.NotFinite) return StopReason.NaNOrInfinity;
            if (_rawDescent <= 0) return StopReason.IndefinitePreconditioner; // zᵀr = rᵀMr/‖r‖ (1 without M)
            if (candidate == Candidate.Usable) return null;
            // Alone, z with zᵀr > 0 descends however slightly, and vanishes only with zᵀr = 0, refused above.
            if (_count == 0) return candidate == Candidate.NotPositive ? StopReason.IndefiniteMatrix : null;
            _count = 0;
        }
    }

    /// <summary>Makes the working slot's direction the newest previous one; the oldest slot becomes the working slot.</summary>
    private void Remember()
    {
        DeviceVector p = _p[_k], ap = _ap[_k];
        for (int j = _k; j > 0; j--)
        {
            _p[j] = _p[j - 1];
            _ap[j] = _ap[j - 1];
            _pap[j] = _pap[j - 1];
        }
        _p[0] = p;
        _ap[0] = ap;
        _pap[0] = _energy;
        _count = Math.Min(_count + 1, _k);
        RefreshBases();
    }

    private void RefreshBases()
    {
        for (int j = 0; j < _k; j++) _unitAndProducts[j + 1] = _ap[j];
        _unitAndDirection[1] = Direction;
    }

    /// <summary>y = A x and xᵀy, fused where the operator can.</summary>
    private double ApplyAndDot(DeviceVector x, DeviceVector y)
    {
        if (Operator is IFusedApplyDot fused) return fused.ApplyAndDot(x, y);
        Operator.Apply(x, y);
        return Device.Dot(x, y);
    }

    protected override string SolveRemark
    {
        get
        {
            if (FallbackIterations == 0) return "";
            var causes = new List<string>(CandidateWords.Length);
            for (int c = 1; c < CandidateWords.Length; c++)
                if (_fallbacks[c] > 0) causes.Add($"{_fallbacks[c]} {CandidateWords[c]}");
            string target = Preconditioner is null ? "residual" : "preconditioned residual";
            return $"{FallbackIterations} of {Monitor.Iterations} directions fell back to the {target}: {string.Join(", ", causes)}";
        }
    }
}
