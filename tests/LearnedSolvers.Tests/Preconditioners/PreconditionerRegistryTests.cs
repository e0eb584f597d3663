using LearnedSolvers.Cli;
using LearnedSolvers.Devices;
using LearnedSolvers.Learned.Factors;
using LearnedSolvers.Multigrid;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Preconditioners.Factories;
using LearnedSolvers.Problems;
using LearnedSolvers.Tests.Learned.Factors;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Preconditioners;

/// <summary>The registry by name: its names, its errors, its settings, and that the command line accepts exactly its names.</summary>
public class PreconditionerRegistryTests
{
    public static TheoryData<string> Names => new(PreconditionerRegistry.Names);

    [Fact]
    public void Names_AreTheBuiltInPreconditioners_NoneFirst()
    {
        Assert.Equal(["none", "jacobi", "ssor", "ic0", "ilu0", "ilut", "ilutp", "ict", "fsai", "chebyshev", "gmg", "amg", "rsamg", "neuralpcg", "precorrector", "learned-fsai", "block-jacobi"], PreconditionerRegistry.Names);
    }

    [Fact]
    public void SettingKeys_AreTheKeysTheEntriesRead()
    {
        Assert.Equal(["chebyshev-degree", "coarse-size", "cycle", "degree", "drop-tolerance", "fill", "jacobi-weight", "local", "lower-fraction", "max-levels",
            "model", "omega", "pivot-tolerance", "post-sweeps", "power", "pre-sweeps", "precision", "shift", "smoother", "strength"], PreconditionerRegistry.SettingKeys);
    }

    [Fact]
    public void UnknownName_IsAnArgumentError_ListingEveryName()
    {
        var e = Assert.Throws<ArgumentException>(() => PreconditionerRegistry.Get("iluk"));
        Assert.Equal("name", e.ParamName);
        Assert.Contains("'iluk'", e.Message);
        Assert.All(PreconditionerRegistry.Names, n => Assert.Contains(n, e.Message));
        Assert.False(PreconditionerRegistry.Contains("iluk"));
        Assert.True(PreconditionerRegistry.Contains(" RsAmg "));
    }

    [Fact]
    public void Settings_ConfigureTheFactories_AndBadValuesNameTheirKey()
    {
        var ssor = Assert.IsType<SsorFactory>(PreconditionerRegistry.Get("SSOR", new Dictionary<string, string> { ["Omega"] = "1.4" }));
        Assert.Equal(1.4, ssor.Options.Omega);
        Assert.Equal(0.5, Assert.IsType<IncompleteCholesky0Factory>(PreconditionerRegistry.Get("ic0", new Dictionary<string, string> { ["shift"] = "0.5" })).Options.DiagonalShift);
        Assert.Equal(0, Assert.IsType<IncompleteCholesky0Factory>(PreconditionerRegistry.Get("ic0", new Dictionary<string, string> { ["omega"] = "1.4" })).Options.DiagonalShift);
        Assert.Equal(7, Assert.IsType<ChebyshevFactory>(PreconditionerRegistry.Get("chebyshev", new Dictionary<string, string> { ["degree"] = "7" })).Options.Degree);
        Assert.Equal(LearnedSolvers.Devices.Precision.Single, Assert.IsType<IncompleteCholesky0Factory>(PreconditionerRegistry.Get("ic0", new Dictionary<string, string> { ["precision"] = "single" })).Options.Precision);
        Assert.Equal(LearnedSolvers.Devices.Precision.Single, Assert.IsType<IncompleteLu0Factory>(PreconditionerRegistry.Get("ilu0", new Dictionary<string, string> { ["precision"] = "Single" })).Precision);
        var badPrecision = Assert.Throws<ArgumentException>(() => PreconditionerRegistry.Get("ilu0", new Dictionary<string, string> { ["precision"] = "half" }));
        Assert.Contains("'precision'", badPrecision.Message);
        Assert.Contains("double, single", badPrecision.Message);

        var notANumber = Assert.Throws<ArgumentException>(() => PreconditionerRegistry.Get("ssor", new Dictionary<string, string> { ["omega"] = "fast" }));
        Assert.Equal("omega", notANumber.ParamName);
        Assert.Contains("fast", notANumber.Message);
        var outOfRange = Assert.Throws<ArgumentOutOfRangeException>(() => PreconditionerRegistry.Get("ssor", new Dictionary<string, string> { ["omega"] = "2" }));
        Assert.Equal(nameof(SsorOptions.Omega), outOfRange.ParamName);
        var badCycle = Assert.Throws<ArgumentException>(() => PreconditionerRegistry.Get("amg", new Dictionary<string, string> { ["cycle"] = "x" }));
        Assert.Contains("v, w, f", badCycle.Message);
    }

    [Fact]
    public void MultigridSettings_DecideTheDeclaredSymmetryAndDevices()
    {
        var fCycle = PreconditionerRegistry.Get("gmg", new Dictionary<string, string> { ["cycle"] = "F" });
        Assert.Equal(CycleKind.F, Assert.IsType<MultigridFactory>(fCycle).Options.Cycle);
        Assert.False(fCycle.IsSymmetric);
        using var a = Device.Cpu.Upload(Poisson.TwoD(32).Matrix);
        var product = fCycle.Create(a)!;
        Assert.False(product.IsSymmetric);
        (product as IDisposable)?.Dispose();

        var gaussSeidel = PreconditionerRegistry.Get("amg", new Dictionary<string, string> { ["smoother"] = "gauss-seidel" });
        Assert.Equal(SmootherKind.GaussSeidel, Assert.IsType<MultigridFactory>(gaussSeidel).Options.Smoother);
        Assert.Same(DeviceSupport.CpuOnly, gaussSeidel.Devices);
        Assert.True(gaussSeidel.Supports(Device.Cpu));
        Assert.False(gaussSeidel.Supports(Device.IlgpuCpu()));
        Assert.True(PreconditionerRegistry.Get("amg").Supports(Device.IlgpuCpu()));
        Assert.Equal(0.25, Assert.IsType<MultigridFactory>(PreconditionerRegistry.Get("rsamg")).Options.StrengthThreshold);
    }

    [Theory, MemberData(nameof(Names))]
    public void DeclaredSymmetricProducts_AreSymmetric(string name)
    {
        // One way only: a product not declared symmetric may still be so for some A (ILU(0) of a symmetric matrix is).
        var factory = PreconditionerRegistry.Get(name, LearnedFactorTestData.RegistrySettings(name));
        using var owned = factory as IDisposable;
        using var a = Device.Cpu.Upload(Poisson.TwoD(12).Matrix);
        if (!factory.IsSymmetric || factory.Create(a) is not { } m) return;
        Assert.True(PreconditionerChecks.SymmetryDefect(m, 3) < 1e-10, name);
        (m as IDisposable)?.Dispose();
    }

    [Theory, MemberData(nameof(Names))]
    public void TheCommandLine_AcceptsEveryRegisteredName(string name)
    {
        // Past parsing, solve and dataset fail on the next check (a missing file, a zero count), not on the name.
        // A learned factor reads its model first (a missing one is a file not found too).
        var (solveCode, solveErr) = LearnedFactorModelFile.KindFromName(name) is null
            ? Run("solve", "--matrix", "no-such-file.mtx", "--precond", name)
            : Run("solve", "--matrix", "no-such-file.mtx", "--precond", name, "--model", "no-such-model.safetensors");
        Assert.Equal(2, solveCode);
        // An entry that runs across MPI ranks only says so in one process, before any file is read.
        Assert.Contains(PreconditionerRegistry.Get(name, LearnedFactorTestData.RegistrySettings(name)).Supports(Device.Cpu) ? "file not found" : "mpirun", solveErr);
        var (datasetCode, datasetErr) = Run("dataset", "--problem", "poisson", "--count", "0", "--n", "8", "--out", "x.h5", "--precond", name);
        Assert.Equal(2, datasetCode);
        Assert.Contains("--count", datasetErr);
    }

    [Theory]
    [InlineData("solve", "--matrix", "no-such-file.mtx", "--precond", "iluk")]
    [InlineData("dataset", "--problem", "poisson", "--count", "0", "--n", "8", "--out", "x.h5", "--precond", "iluk")]
    public void TheCommandLine_RejectsAnUnregisteredName_ListingTheRegisteredOnes(params string[] args)
    {
        var (code, err) = Run(args);
        Assert.Equal(2, code);
        Assert.Contains("iluk", err);
        Assert.All(PreconditionerRegistry.Names, n => Assert.Contains(n, err));
    }

    [Theory]
    [InlineData("amg")]
    [InlineData("ssor")]
    [InlineData("ic0")]
    [InlineData("ilu0")]
    [InlineData("fsai")]
    [InlineData("ilut")]
    [InlineData("ilutp")]
    [InlineData("ict")]
    public void TheCommandLine_PassesTheDeclaredDeviceCheck_ForPreconditionersThatRunEverywhere(string precond)
    {
        Assert.Same(DeviceSupport.AllDevices, PreconditionerRegistry.Get(precond).Devices);
        var (code, err) = Run("solve", "--matrix", "no-such-file.mtx", "--precond", precond, "--device", "ilgpu-cpu");
        Assert.Contains("file not found", err); // the device check passed; reading the matrix failed
        Assert.Equal(2, code);
    }

    private static (int Code, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, output, error);
        return (code, error.ToString());
    }

    [Fact]
    public void Ic0ShiftAuto_GrowsTheShift_UntilTheFactorizationSucceeds()
    {
        var factory = Assert.IsType<IncompleteCholesky0Factory>(PreconditionerRegistry.Get("ic0", new Dictionary<string, string> { ["shift"] = "AUTO" }));
        Assert.True(factory.Options.GrowShift);
        using var a = LearnedSolvers.Devices.Device.Cpu.Upload(IncompleteCholesky0Tests.Kershaw());
        using var m = factory.Create(a);
        Assert.True(m.DiagonalShift > 0);
        Assert.Throws<ZeroPivotException>(() => PreconditionerRegistry.Get("ic0").Create(a));
        Assert.Throws<ArgumentException>(() => PreconditionerRegistry.Get("ic0", new Dictionary<string, string> { ["shift"] = "sometimes" }));
    }

    [Fact]
    public void ThresholdSettings_ConfigureIlutIlutpAndIct_AndBadValuesNameTheirKeyOrOption()
    {
        var settings = new Dictionary<string, string> { ["drop-tolerance"] = "1e-4", ["fill"] = "20", ["pivot-tolerance"] = "0.1", ["shift"] = "0.01" };
        var ilut = Assert.IsType<IncompleteLuThresholdFactory>(PreconditionerRegistry.Get("ilut", settings));
        Assert.Equal(new IlutOptions { DropTolerance = 1e-4, Fill = 20 }, ilut.Options);
        var ilutp = Assert.IsType<IncompleteLuThresholdPivotingFactory>(PreconditionerRegistry.Get("ILUTP", settings));
        Assert.Equal(new IlutOptions { DropTolerance = 1e-4, Fill = 20, PivotTolerance = 0.1 }, ilutp.Options);
        var ict = Assert.IsType<IncompleteCholeskyThresholdFactory>(PreconditionerRegistry.Get("ict", settings));
        Assert.Equal(new IctOptions { DropTolerance = 1e-4, Fill = 20, DiagonalShift = 0.01 }, ict.Options);
        Assert.Equal(new IlutOptions(), Assert.IsType<IncompleteLuThresholdFactory>(PreconditionerRegistry.Get("ilut")).Options);

        Assert.Equal("fill", Assert.Throws<ArgumentException>(() => PreconditionerRegistry.Get("ilut", new Dictionary<string, string> { ["fill"] = "many" })).ParamName);
        Assert.Equal(nameof(IlutOptions.Fill),
            Assert.Throws<ArgumentOutOfRangeException>(() => PreconditionerRegistry.Get("ilut", new Dictionary<string, string> { ["fill"] = "-1" })).ParamName);
        Assert.Equal(nameof(IlutOptions.DropTolerance),
            Assert.Throws<ArgumentOutOfRangeException>(() => PreconditionerRegistry.Get("ict", new Dictionary<string, string> { ["drop-tolerance"] = "-1" })).ParamName);
        Assert.Equal(nameof(IlutOptions.PivotTolerance),
            Assert.Throws<ArgumentOutOfRangeException>(() => PreconditionerRegistry.Get("ilutp", new Dictionary<string, string> { ["pivot-tolerance"] = "2" })).ParamName);
        Assert.Equal(nameof(IctOptions.DiagonalShift),
            Assert.Throws<ArgumentOutOfRangeException>(() => PreconditionerRegistry.Get("ict", new Dictionary<string, string> { ["shift"] = "-0.5" })).ParamName);
    }

    [Fact]
    public void IctShiftAuto_GrowsTheShift_UntilTheFactorizationSucceeds()
    {
        var settings = new Dictionary<string, string> { ["shift"] = "auto", ["drop-tolerance"] = IncompleteCholeskyThresholdTests.KershawBreakdownDropTolerance.ToString("R", System.Globalization.CultureInfo.InvariantCulture) };
        var factory = Assert.IsType<IncompleteCholeskyThresholdFactory>(PreconditionerRegistry.Get("ict", settings));
        Assert.True(factory.Options.GrowShift);
        using var a = LearnedSolvers.Devices.Device.Cpu.Upload(IncompleteCholesky0Tests.Kershaw());
        using var m = factory.Create(a);
        Assert.True(m.DiagonalShift > 0);
        settings.Remove("shift");
        Assert.Throws<ZeroPivotException>(() => PreconditionerRegistry.Get("ict", settings).Create(a));
    }
}
