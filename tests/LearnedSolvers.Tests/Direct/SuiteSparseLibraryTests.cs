using System.Runtime.CompilerServices;
using LearnedSolvers.Direct.SuiteSparse;

namespace LearnedSolvers.Tests.Direct;

public class SuiteSparseLibraryTests
{
    [Theory]
    [InlineData("off")]
    [InlineData("OFF")]
    [InlineData(" off ")]
    [InlineData("0")]
    [InlineData("false")]
    [InlineData("False")]
    public void SwitchOff_HidesEveryComponent_WithTheReason(string value)
    {
        var probe = SuiteSparseLibrary.Probe(value);
        Assert.False(probe.IsAvailable);
        Assert.Equal($"hidden by LEARNEDSOLVERS_SUITESPARSE={value.Trim()}", probe.UnavailableReason);
        Assert.All(new[] { probe.Klu, probe.Umfpack, probe.Cholmod, probe.Amd }, c =>
        {
            Assert.False(c.IsAvailable);
            Assert.Equal(probe.UnavailableReason, c.UnavailableReason);
        });
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("on")]
    [InlineData("1")]
    public void OtherSwitchValues_DoNotHide(string? value) => Assert.False(SuiteSparseLibrary.IsHiddenBy(value));

    [Fact]
    public void Current_IsTheProbeOfThisProcesssEnvironment()
    {
        var environment = Environment.GetEnvironmentVariable(SuiteSparseLibrary.SwitchVariable);
        var probe = SuiteSparseLibrary.Probe(environment);
        var current = SuiteSparseLibrary.Current;
        Assert.Equal(probe.IsAvailable, current.IsAvailable);
        Assert.Equal(probe.UnavailableReason, current.UnavailableReason);
        Assert.Equal(probe.Klu, current.Klu);
        Assert.Equal(probe.Cholmod, current.Cholmod);
        if (SuiteSparseLibrary.IsHiddenBy(environment)) Assert.False(current.IsAvailable);
    }

    [Fact]
    public void UnavailableComponents_SayWhy_AndAvailableOnesSayWhatLoaded()
    {
        var probe = SuiteSparseLibrary.Probe(null);
        foreach (var c in new[] { probe.Klu, probe.Umfpack, probe.Cholmod, probe.Amd })
        {
            if (c.IsAvailable)
            {
                Assert.Null(c.UnavailableReason);
                Assert.False(string.IsNullOrEmpty(c.LibraryName));
            }
            else
            {
                Assert.False(string.IsNullOrWhiteSpace(c.UnavailableReason));
            }
        }
        Assert.Equal(probe.IsAvailable, probe.UnavailableReason is null);
    }

    [Fact]
    public void WhereDebiansSuiteSparse5IsInstalled_EveryComponentLoads_WithItsVersion()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() && File.Exists("/usr/lib/x86_64-linux-gnu/libklu.so.1")
            && File.Exists("/usr/lib/x86_64-linux-gnu/libcholmod.so.3"), "Debian's libsuitesparse 5 is not installed here.");
        Assert.SkipWhen(SuiteSparseLibrary.IsHiddenBy(Environment.GetEnvironmentVariable(SuiteSparseLibrary.SwitchVariable)), "hidden by the environment");
        var probe = SuiteSparseLibrary.Probe(null);
        Assert.True(probe.Klu.IsAvailable, probe.Klu.UnavailableReason);
        Assert.True(probe.Umfpack.IsAvailable, probe.Umfpack.UnavailableReason);
        Assert.True(probe.Cholmod.IsAvailable, probe.Cholmod.UnavailableReason);
        Assert.True(probe.Amd.IsAvailable, probe.Amd.UnavailableReason);
        Assert.Equal(3, probe.Cholmod.Version?.Major);
        Assert.Equal(5, probe.Version?.Major);
        Assert.Equal("libklu.so.1", probe.Klu.LibraryName);
    }

    [Fact]
    public void CandidateNames_TryVersionedNamesFirst()
    {
        var names = SuiteSparseLibrary.CandidateNames("klu", [1, 2]);
        if (OperatingSystem.IsLinux()) Assert.Equal(["libklu.so.1", "libklu.so.2", "libklu.so"], names);
        else if (OperatingSystem.IsMacOS()) Assert.Equal(["libklu.1.dylib", "libklu.2.dylib", "libklu.dylib"], names);
        else if (OperatingSystem.IsWindows()) Assert.Equal(["klu.dll", "libklu.dll"], names);
    }

    /// <summary>Sizes gcc reports for SuiteSparse 5.12's headers on x86-64 (sizeof in a C program against /usr/include/suitesparse).</summary>
    [Fact]
    public void NativeStructures_HaveTheSizesOfTheCHeaders()
    {
        Assert.SkipUnless(Environment.Is64BitProcess, "the layouts are those of 64-bit platforms");
        Assert.Equal(160, Unsafe.SizeOf<KluCommon>());
        Assert.Equal(96, Unsafe.SizeOf<KluSymbolic>());
        Assert.Equal(88, Unsafe.SizeOf<CholmodSparse>());
        Assert.Equal(56, Unsafe.SizeOf<CholmodDense>());
    }
}
