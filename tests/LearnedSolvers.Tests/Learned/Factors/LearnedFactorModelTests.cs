using LearnedSolvers.Devices;
using LearnedSolvers.Learned.Factors;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;
using MathNet.Numerics.LinearAlgebra.Double;

namespace LearnedSolvers.Tests.Learned.Factors;

/// <summary>
/// Inference of a <see cref="LearnedFactorModel"/>: one model serves other grid sizes and matrix scales with a valid SPD
/// factor on the matrix's lower pattern; what it refuses (not square, not symmetric, a diagonal that is not positive,
/// the other kind's prediction, vectors of another length).
/// </summary>
public sealed class LearnedFactorModelTests
{
    private static LearnedFactorModel Model(LearnedFactorKind kind) => new(Device.Cpu, kind, hidden: 4, steps: 1, seed: 2);

    /// <summary>M⁻¹'s dense matrix: (L Lᵀ)⁻¹ or Gᵀ G for the prediction on <paramref name="a"/>.</summary>
    private static DenseMatrix PreconditionerInverse(LearnedFactorModel model, CsrMatrix a, out double smallestDiagonal)
    {
        CsrMatrix factor;
        if (model.Kind == LearnedFactorKind.LearnedFsai)
        {
            factor = model.PredictInverseFactor(a);
        }
        else
        {
            var l = model.PredictFactor(a);
            var lower = l.Factor.Lower;
            factor = new CsrMatrix(a.Rows, a.Rows, lower.RowPointers, lower.ColumnIndices, l.Lower);
        }
        var dense = DenseMatrix.OfArray(factor.ToDense());
        smallestDiagonal = double.PositiveInfinity;
        for (int i = 0; i < a.Rows; i++)
        {
            smallestDiagonal = Math.Min(smallestDiagonal, dense[i, i]);
            for (int j = i + 1; j < a.Rows; j++) Assert.Equal(0, dense[i, j]);
            for (int j = 0; j <= i; j++)
                if (dense[i, j] != 0) Assert.True(a.IndexOf(i, j) >= 0, $"({i}, {j}) lies outside A's lower pattern");
        }
        return model.Kind == LearnedFactorKind.LearnedFsai
            ? (DenseMatrix)(dense.Transpose() * dense)
            : (DenseMatrix)(dense * dense.Transpose()).Inverse();
    }

    [Theory, MemberData(nameof(LearnedFactorTestData.AllKinds), MemberType = typeof(LearnedFactorTestData))]
    public void OneModel_ServesAnotherGridSize_WithAnSpdFactor_OnTheLowerPattern(LearnedFactorKind kind)
    {
        var (model, _) = LearnedFactorModelFile.Load(LearnedFactorTestData.ModelFile(kind), Device.Cpu, kind);
        using (model)
        {
            foreach (int n in new[] { 7, 12 })
            {
                var a = LearnedFactorTestData.Diffusion(n, 40 + n).Matrix;
                var inverse = PreconditionerInverse(model, a, out double smallestDiagonal);
                Assert.True(smallestDiagonal > 0, $"{kind} on {n}x{n}: a diagonal entry {smallestDiagonal:R}");
                Assert.True(inverse.Enumerate().All(double.IsFinite), $"{kind} on {n}x{n}: entries not finite");
                var eigenvalues = inverse.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric).EigenValues.Select(e => e.Real).ToArray();
                Assert.True(eigenvalues.Min() > 0, $"{kind} on {n}x{n}: smallest eigenvalue of M⁻¹ {eigenvalues.Min():G3}");
            }
        }
    }

    [Theory, MemberData(nameof(LearnedFactorTestData.AllKinds), MemberType = typeof(LearnedFactorTestData))]
    public void Prediction_FollowsTheMatrixScale(LearnedFactorKind kind)
    {
        // Ã is the same for A and 10⁴·A, so the factor scales with A: L by 10², G by 10⁻².
        using var model = Model(kind);
        var a = LearnedFactorTestData.Diffusion(8, 5).Matrix;
        var scaled = a.WithValues(a.Values[..a.NonZeros].Select(v => 1e4 * v).ToArray());
        double[] Values(CsrMatrix m) => kind == LearnedFactorKind.LearnedFsai ? model.PredictInverseFactor(m).Values[..] : (double[])model.PredictFactor(m).Lower.Clone();
        var small = Values(a);
        var large = Values(scaled);
        double factor = kind == LearnedFactorKind.LearnedFsai ? 1e-2 : 1e2;
        Assert.True(Reference.RelativeMaxError(large, small.Select(v => factor * v).ToArray()) <= 1e-6);
    }

    [Theory, MemberData(nameof(LearnedFactorTestData.AllKinds), MemberType = typeof(LearnedFactorTestData))]
    public void Refuses_NonSquare_Nonsymmetric_AndNonPositiveDiagonals(LearnedFactorKind kind)
    {
        using var model = Model(kind);
        var pair = LearnedFactorTestData.Pair(6, 1);
        Func<CsrMatrix, object> predict = kind == LearnedFactorKind.LearnedFsai ? model.PredictInverseFactor : model.PredictFactor;

        var rectangular = new TripletBuilder(3, 4);
        for (int i = 0; i < 3; i++) rectangular.Add(i, i, 2);
        Assert.Throws<ArgumentException>(() => predict(rectangular.ToCsr()));
        Assert.Throws<ArgumentException>(() => model.Loss(rectangular.ToCsr(), new double[3], new double[3]));

        var nonsymmetric = PreconditionerChecks.Tridiagonal(7, seed: 1, symmetric: false);
        var e = Assert.Throws<ArgumentException>(() => predict(nonsymmetric));
        Assert.Contains("symmetric", e.Message);
        Assert.Throws<ArgumentException>(() => model.AccumulateGradient(nonsymmetric, new double[7], new double[7]));

        foreach (double diagonal in new[] { 0.0, -1.0 })
        {
            var values = (double[])pair.Matrix.Values[..pair.Matrix.NonZeros].Clone();
            values[pair.Matrix.IndexOf(4, 4)] = diagonal;
            var bad = pair.Matrix.WithValues(values);
            var pivot = Assert.Throws<ZeroPivotException>(() => predict(bad));
            Assert.Contains(model.Name, pivot.Message);
            Assert.Throws<ZeroPivotException>(() => model.Loss(bad, pair.RightHandSide, pair.Solution));
        }

        // A diagonal entry that is not stored at all.
        var missing = new TripletBuilder(3, 3);
        missing.Add(0, 0, 2);
        missing.Add(0, 1, -1);
        missing.Add(1, 0, -1);
        missing.Add(2, 2, 2);
        Assert.Throws<ZeroPivotException>(() => predict(missing.ToCsr()));

        Assert.Throws<ArgumentException>(() => model.Loss(pair.Matrix, pair.RightHandSide[..^1], pair.Solution));
        Assert.Throws<ArgumentException>(() => model.AccumulateGradient(pair.Matrix, pair.RightHandSide, pair.Solution[..^1]));
        Assert.Throws<ArgumentNullException>(() => predict(null!));
    }

    [Theory, MemberData(nameof(LearnedFactorTestData.AllKinds), MemberType = typeof(LearnedFactorTestData))]
    public void TheOtherKindsPrediction_IsAnInvalidOperation(LearnedFactorKind kind)
    {
        using var model = Model(kind);
        var a = LearnedFactorTestData.TestMatrices[0].Matrix;
        if (kind == LearnedFactorKind.LearnedFsai)
        {
            Assert.Contains("PredictInverseFactor", Assert.Throws<InvalidOperationException>(() => model.PredictFactor(a)).Message);
        }
        else
        {
            Assert.Contains("PredictFactor", Assert.Throws<InvalidOperationException>(() => model.PredictInverseFactor(a)).Message);
        }
    }

    [Fact]
    public void Constructor_RefusesAnUnknownKind_AndOnlyNeuralPcgHasNoAlpha()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LearnedFactorModel(Device.Cpu, (LearnedFactorKind)17, hidden: 4, steps: 1));
        Assert.Throws<ArgumentNullException>(() => new LearnedFactorModel(null!, LearnedFactorKind.NeuralPcg));
        foreach (var kind in LearnedFactorTestData.Kinds)
        {
            using var model = Model(kind);
            Assert.Equal(kind == LearnedFactorKind.NeuralPcg, model.Alpha is null);
            Assert.Equal(model.Network.Parameters.Count + (model.Alpha is null ? 0 : 1), model.Parameters.Count);
            if (model.Alpha is { } alpha) Assert.Equal([LearnedFactorModel.InitialAlpha], alpha.Value.ToArray());
        }
    }

    [Fact]
    public void PreCorrector_AtAlphaZero_IsIc0()
    {
        // L = L_IC + α·output: with α = 0 the prediction is IC(0) of A, whatever the network says.
        using var model = Model(LearnedFactorKind.PreCorrector);
        model.Alpha!.Value.CopyFrom([0f]);
        var a = LearnedFactorTestData.Diffusion(9, 8).Matrix;
        var predicted = model.PredictFactor(a).Lower;
        using var ic = new IncompleteCholesky0(a);
        Assert.True(Reference.RelativeMaxError(predicted, ic.Factor.Lower.Values[..predicted.Length]) <= 1e-12);
    }
}
