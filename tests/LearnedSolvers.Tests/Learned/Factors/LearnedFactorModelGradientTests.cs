using LearnedSolvers.Devices;
using LearnedSolvers.Learned.Factors;
using LearnedSolvers.Learned.Nn;

namespace LearnedSolvers.Tests.Learned.Factors;

/// <summary>
/// <see cref="LearnedFactorModel.AccumulateGradient"/> against central differences of <see cref="LearnedFactorModel.Loss"/>
/// for every kind: with respect to α and to entries of the decoder's and an encoder's parameters; and its accumulation.
/// </summary>
public sealed class LearnedFactorModelGradientTests
{
    // The network computes in float: its outputs carry a relative rounding of about 1e-7, so a difference quotient over
    // a step of 1e-3 of the parameter carries a relative error of about 1e-4 plus the O(h²) truncation. A tolerance of
    // 1e-2 relative catches a wrong chain rule (a missing α, a missing exp factor, a transposed index) by orders of
    // magnitude and is not reached by rounding.
    private const double RelativeStep = 1e-3;
    private const double Tolerance = 1e-2;

    private static readonly string[] Checked = ["decoder.2.bias", "decoder.2.weight", "encoder.edge.0.weight", "encoder.node.0.weight"];

    private static LearnedFactorModel Model(LearnedFactorKind kind)
    {
        var model = new LearnedFactorModel(Device.Cpu, kind, hidden: 4, steps: 2, seed: 7);
        // α = 0.01 would make the network's share of the factor, and so the gradient of the network's parameters, small
        // beside the base factor; 0.2 keeps both parts visible.
        model.Alpha?.Value.CopyFrom([0.2f]);
        return model;
    }

    private static void ZeroGradients(LearnedFactorModel model)
    {
        foreach (var p in model.Parameters) p.Gradient.CopyFrom(new float[p.Shape.Length]);
    }

    [Theory, MemberData(nameof(LearnedFactorTestData.AllKinds), MemberType = typeof(LearnedFactorTestData))]
    public void Gradient_MatchesCentralDifferencesOfTheLoss(LearnedFactorKind kind)
    {
        var pair = LearnedFactorTestData.Pair(7, 11);
        using var model = Model(kind);
        ZeroGradients(model);
        double loss = model.AccumulateGradient(pair.Matrix, pair.RightHandSide, pair.Solution);
        Assert.Equal(model.Loss(pair.Matrix, pair.RightHandSide, pair.Solution), loss);
        Assert.True(double.IsFinite(loss) && loss > 0, $"loss {loss}");

        var names = model.Parameters.Select(p => p.Name).ToList();
        var parameters = Checked.Select(n => model.Parameters.SingleOrDefault(p => p.Name == n) ?? throw new InvalidOperationException($"no parameter {n} in {string.Join(", ", names)}")).ToList();
        if (kind != LearnedFactorKind.NeuralPcg) parameters.Add(Assert.IsType<Parameter>(model.Alpha));
        else Assert.Null(model.Alpha);

        int checkedEntries = 0;
        foreach (var parameter in parameters)
        {
            var gradient = parameter.Gradient.ToArray();
            double largest = gradient.Max(v => Math.Abs((double)v));
            Assert.True(largest > 0, $"{parameter.Name}'s gradient is zero ({kind})");
            // The largest entry and up to three others of at least a tenth of it: on entries far below the largest, the
            // difference quotient is the difference of nearly equal float losses (measured: up to 4e-2 relative on an
            // entry at 1% of the largest), which says nothing about the chain rule.
            int argmax = Array.IndexOf(gradient, gradient.MaxBy(v => Math.Abs(v)));
            var entries = Enumerable.Range(0, gradient.Length).Where(k => k != argmax && Math.Abs(gradient[k]) >= 0.1 * largest).Take(3).Prepend(argmax);
            foreach (int k in entries)
            {
                double numeric = CentralDifference(model, parameter, k, pair);
                Assert.True(Math.Abs(numeric - gradient[k]) <= Tolerance * Math.Abs(numeric),
                    $"{kind}: {parameter.Name}[{k}]: gradient {gradient[k]:G6}, central difference {numeric:G6} (largest {largest:G3})");
                checkedEntries++;
            }
        }
        Assert.True(checkedEntries >= 10);
    }

    private static double CentralDifference(LearnedFactorModel model, Parameter parameter, int k, FactorTrainingPair pair)
    {
        var value = parameter.Value.ToArray();
        float original = value[k];
        double h = RelativeStep * Math.Max(Math.Abs(original), 0.3); // near zero, a relative step drowns in the float loss's rounding
        float plus = (float)(original + h), minus = (float)(original - h);
        value[k] = plus;
        parameter.Value.CopyFrom(value);
        double up = model.Loss(pair.Matrix, pair.RightHandSide, pair.Solution);
        value[k] = minus;
        parameter.Value.CopyFrom(value);
        double down = model.Loss(pair.Matrix, pair.RightHandSide, pair.Solution);
        value[k] = original;
        parameter.Value.CopyFrom(value);
        return (up - down) / ((double)plus - minus);
    }

    [Theory, MemberData(nameof(LearnedFactorTestData.AllKinds), MemberType = typeof(LearnedFactorTestData))]
    public void Gradients_Accumulate_ScaledByTheirWeight(LearnedFactorKind kind)
    {
        var pair = LearnedFactorTestData.Pair(7, 12);
        var other = LearnedFactorTestData.Pair(9, 13);
        using var model = Model(kind);
        ZeroGradients(model);
        model.AccumulateGradient(pair.Matrix, pair.RightHandSide, pair.Solution);
        var once = model.Parameters.Select(p => p.Gradient.ToArray()).ToArray();
        ZeroGradients(model);
        model.AccumulateGradient(other.Matrix, other.RightHandSide, other.Solution, 0.25);
        var otherQuarter = model.Parameters.Select(p => p.Gradient.ToArray()).ToArray();
        ZeroGradients(model);
        model.AccumulateGradient(pair.Matrix, pair.RightHandSide, pair.Solution, 0.5);
        model.AccumulateGradient(other.Matrix, other.RightHandSide, other.Solution, 0.25);
        model.AccumulateGradient(pair.Matrix, pair.RightHandSide, pair.Solution);
        for (int i = 0; i < once.Length; i++)
        {
            var total = model.Parameters[i].Gradient.ToArray();
            double scale = once[i].Concat(otherQuarter[i]).Max(v => Math.Abs((double)v));
            Assert.True(scale > 0, $"{model.Parameters[i].Name}'s gradient is zero");
            for (int k = 0; k < total.Length; k++)
            {
                double expected = 1.5 * once[i][k] + otherQuarter[i][k];
                Assert.True(Math.Abs(total[k] - expected) <= 1e-5 * scale, $"{kind}: {model.Parameters[i].Name}[{k}]: {total[k]:R}, expected {expected:R}");
            }
        }
    }
}
