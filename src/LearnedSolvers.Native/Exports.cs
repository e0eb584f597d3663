using System.Runtime.InteropServices;
using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners.Factories;

namespace LearnedSolvers.Native;

/// <summary>
/// The managed half of learnedsolvers.h. native/src/learnedsolvers.c asks hostfxr for <see cref="GetEntryPoints"/>
/// once and receives the other entry points as a table, in the order of <c>ls_entry_points</c> there. Every entry
/// catches every exception (one escaping an UnmanagedCallersOnly method ends the process) and returns a status.
/// </summary>
public static unsafe class Exports
{
    /// <summary>Bumped whenever the table or a signature changes; the C side refuses a managed build of another version.</summary>
    public const int AbiVersion = 1;

    /// <summary>The entry points, in the table's order.</summary>
    private static readonly nint[] Table =
    [
        (nint)(delegate* unmanaged<byte*, int, int>)&LastError,
        (nint)(delegate* unmanaged<byte*, nint*, int>)&ContextCreate,
        (nint)(delegate* unmanaged<nint, byte*, int, int>)&ContextDevice,
        (nint)(delegate* unmanaged<nint, int>)&ContextFree,
        (nint)(delegate* unmanaged<nint, int, int, int*, int*, double*, nint*, int>)&MatrixCreate,
        (nint)(delegate* unmanaged<nint, int, double*, int>)&MatrixUpdateValues,
        (nint)(delegate* unmanaged<nint, int>)&MatrixFree,
        (nint)(delegate* unmanaged<nint, byte*, byte*, byte*, nint*, int>)&SolverCreate,
        (nint)(delegate* unmanaged<nint, double*, double*, NativeResult*, int>)&Solve,
        (nint)(delegate* unmanaged<nint, int, double*, double*, NativeResult*, int>)&SolveMany,
        (nint)(delegate* unmanaged<nint, int>)&SolverFree,
        (nint)(delegate* unmanaged<int, byte*, int, int>)&Names,
    ];

    /// <summary>Fills <paramref name="table"/> with the entry points when the caller was built for <see cref="AbiVersion"/> and expects <paramref name="count"/> of them.</summary>
    /// <returns>0, or the managed side's <see cref="AbiVersion"/> when it differs (the C side words the message).</returns>
    [UnmanagedCallersOnly]
    public static int GetEntryPoints(int abiVersion, nint* table, int count)
    {
        try
        {
            if (abiVersion != AbiVersion || count != Table.Length || table is null) return AbiVersion;
            for (int i = 0; i < Table.Length; i++) table[i] = Table[i];
            return 0;
        }
        catch
        {
            return -1;
        }
    }

    [UnmanagedCallersOnly]
    private static int LastError(byte* buffer, int capacity)
    {
        try
        {
            return NativeErrors.CopyLastError(buffer, capacity);
        }
        catch
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static int ContextCreate(byte* device, nint* context)
    {
        try
        {
            Out(context, "context");
            *context = 0;
            *context = HandleTable.Add(NativeContext.Create(Text(device, "device") ?? "cpu"));
            return 0;
        }
        catch (Exception e)
        {
            return NativeErrors.Fail(e);
        }
    }

    [UnmanagedCallersOnly]
    private static int ContextDevice(nint context, byte* name, int capacity)
    {
        try
        {
            var c = HandleTable.Get<NativeContext>(context, "context");
            if (name is null || capacity < 1) throw new NativeException(NativeStatus.InvalidArgument, "name is NULL or capacity < 1");
            NativeErrors.CopyUtf8(c.Device.Name, name, capacity);
            return 0;
        }
        catch (Exception e)
        {
            return NativeErrors.Fail(e);
        }
    }

    [UnmanagedCallersOnly]
    private static int ContextFree(nint context)
    {
        try
        {
            if (context != 0) HandleTable.Remove<NativeContext>(context, "context");
            return 0;
        }
        catch (Exception e)
        {
            return NativeErrors.Fail(e);
        }
    }

    [UnmanagedCallersOnly]
    private static int MatrixCreate(nint context, int n, int nnz, int* rowPointers, int* columnIndices, double* values, nint* matrix)
    {
        try
        {
            Out(matrix, "matrix");
            *matrix = 0;
            var c = HandleTable.Get<NativeContext>(context, "context");
            *matrix = HandleTable.Add(NativeMatrix.Create(c, n, nnz, rowPointers, columnIndices, values));
            return 0;
        }
        catch (Exception e)
        {
            return NativeErrors.Fail(e);
        }
    }

    [UnmanagedCallersOnly]
    private static int MatrixUpdateValues(nint matrix, int nnz, double* values)
    {
        try
        {
            HandleTable.Get<NativeMatrix>(matrix, "matrix").UpdateValues(nnz, values);
            return 0;
        }
        catch (Exception e)
        {
            return NativeErrors.Fail(e);
        }
    }

    [UnmanagedCallersOnly]
    private static int MatrixFree(nint matrix)
    {
        try
        {
            if (matrix != 0) HandleTable.Remove<NativeMatrix>(matrix, "matrix").Release();
            return 0;
        }
        catch (Exception e)
        {
            return NativeErrors.Fail(e);
        }
    }

    [UnmanagedCallersOnly]
    private static int SolverCreate(nint matrix, byte* method, byte* preconditioner, byte* options, nint* solver)
    {
        try
        {
            Out(solver, "solver");
            *solver = 0;
            var m = HandleTable.Get<NativeMatrix>(matrix, "matrix");
            string name = Text(method, "method") ?? throw new NativeException(NativeStatus.InvalidArgument, "method is NULL");
            *solver = HandleTable.Add(NativeSolver.Create(m, name, Text(preconditioner, "preconditioner"), Text(options, "options")));
            return 0;
        }
        catch (Exception e)
        {
            return NativeErrors.Fail(e);
        }
    }

    [UnmanagedCallersOnly]
    private static int Solve(nint solver, double* b, double* x, NativeResult* result)
    {
        try
        {
            var s = HandleTable.Get<NativeSolver>(solver, "solver");
            if (b is null || x is null) throw new NativeException(NativeStatus.InvalidArgument, b is null ? "b is NULL" : "x is NULL");
            int n = s.Rows;
            var r = s.Solve(new ReadOnlySpan<double>(b, n), new Span<double>(x, n));
            if (result is not null) *result = NativeResult.From(r, r.Elapsed);
            return 0;
        }
        catch (Exception e)
        {
            return NativeErrors.Fail(e);
        }
    }

    [UnmanagedCallersOnly]
    private static int SolveMany(nint solver, int k, double* b, double* x, NativeResult* results)
    {
        try
        {
            var s = HandleTable.Get<NativeSolver>(solver, "solver");
            if (k < 1) throw new NativeException(NativeStatus.InvalidArgument, $"k is {k}; give at least one right-hand side");
            if (b is null || x is null) throw new NativeException(NativeStatus.InvalidArgument, b is null ? "b is NULL" : "x is NULL");
            long length = (long)s.Rows * k;
            if (length > int.MaxValue) throw new NativeException(NativeStatus.InvalidArgument, $"n·k = {length} values exceed one block; solve fewer columns at a time");
            var r = s.Solve(k, new ReadOnlySpan<double>(b, (int)length), new Span<double>(x, (int)length));
            if (results is not null)
                for (int j = 0; j < k; j++) results[j] = NativeResult.From(r.Columns[j], r.Elapsed);
            return 0;
        }
        catch (Exception e)
        {
            return NativeErrors.Fail(e);
        }
    }

    [UnmanagedCallersOnly]
    private static int SolverFree(nint solver)
    {
        try
        {
            if (solver == 0) return 0;
            HandleTable.Get<NativeSolver>(solver, "solver").Dispose();
            HandleTable.Remove<NativeSolver>(solver, "solver");
            return 0;
        }
        catch (Exception e)
        {
            return NativeErrors.Fail(e);
        }
    }

    /// <summary>The names a kind of argument accepts, comma-separated: 0 methods, 1 preconditioners, 2 devices, 3 option keys.</summary>
    [UnmanagedCallersOnly]
    private static int Names(int kind, byte* buffer, int capacity)
    {
        try
        {
            IEnumerable<string> names = kind switch
            {
                0 => NativeSolver.Methods,
                1 => PreconditionerRegistry.Names,
                2 => Device.Names,
                3 => SolverSettings.SolverKeys.Concat(PreconditionerRegistry.SettingKeys),
                _ => throw new NativeException(NativeStatus.InvalidArgument, $"kind is {kind}; expected 0 (methods), 1 (preconditioners), 2 (devices) or 3 (option keys)"),
            };
            if (buffer is null || capacity < 1) throw new NativeException(NativeStatus.InvalidArgument, "buffer is NULL or capacity < 1");
            NativeErrors.CopyUtf8(string.Join(",", names), buffer, capacity);
            return 0;
        }
        catch (Exception e)
        {
            return NativeErrors.Fail(e);
        }
    }

    private static string? Text(byte* utf8, string argument)
    {
        if (utf8 is null) return null;
        try
        {
            return Marshal.PtrToStringUTF8((nint)utf8);
        }
        catch (ArgumentException)
        {
            throw new NativeException(NativeStatus.InvalidArgument, $"{argument} is not valid UTF-8");
        }
    }

    private static void Out(nint* handle, string argument)
    {
        if (handle is null) throw new NativeException(NativeStatus.InvalidArgument, $"the {argument} output pointer is NULL");
    }
}

/// <summary><c>ls_result</c>, field for field.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct NativeResult
{
    public int Converged;
    public int Reason;
    public int Iterations;
    public double RelativeResidual;
    public double Seconds;

    internal static NativeResult From(SolveResult r, TimeSpan elapsed) => new()
    {
        Converged = r.Converged ? 1 : 0,
        Reason = Code(r.Reason),
        Iterations = r.Iterations,
        RelativeResidual = r.RelativeResidual,
        Seconds = elapsed.TotalSeconds,
    };

    /// <summary>The <c>ls_stop_reason</c> codes. The numbers are the ABI; a new <see cref="StopReason"/> fails the build here until it has one.</summary>
    // CS8524 (an unnamed enum value) is off here so that CS8509, a named value without a code, still fails the build.
#pragma warning disable CS8524
    internal static int Code(StopReason reason) => reason switch
    {
        StopReason.ConvergedRelative => 0,
        StopReason.ConvergedAbsolute => 1,
        StopReason.MaxIterations => 2,
        StopReason.Breakdown => 3,
        StopReason.Diverged => 4,
        StopReason.NaNOrInfinity => 5,
        StopReason.IndefiniteMatrix => 6,
        StopReason.IndefinitePreconditioner => 7,
        StopReason.Stagnation => 8,
        StopReason.Singular => 9,
    };
#pragma warning restore CS8524
}
