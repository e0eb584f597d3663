using System.Collections.Concurrent;

namespace LearnedSolvers.Native;

/// <summary>
/// The objects C holds, by number. A number is never reused, and a lookup checks presence and type, so a freed,
/// foreign or mistyped handle is reported as <see cref="NativeStatus.InvalidHandle"/>; a GCHandle made from such a
/// pointer would crash the process instead.
/// </summary>
internal static class HandleTable
{
    private static readonly ConcurrentDictionary<nint, object> Objects = new();
    private static long _last;

    public static nint Add(object value)
    {
        // Multiples of 16 look like the aligned pointers C code expects to see in a struct pointer.
        nint handle = (nint)(Interlocked.Increment(ref _last) << 4);
        Objects[handle] = value;
        return handle;
    }

    public static T Get<T>(nint handle, string argument) where T : class
    {
        if (handle == 0) throw new NativeException(NativeStatus.InvalidArgument, $"{argument} is NULL.");
        return Objects.TryGetValue(handle, out var value) && value is T typed
            ? typed
            : throw new NativeException(NativeStatus.InvalidHandle, $"{argument} is not a live {KindOf<T>()} handle (freed already, or never made by learnedsolvers).");
    }

    /// <summary>Takes the object out of the table: the handle is dead from here on.</summary>
    public static T Remove<T>(nint handle, string argument) where T : class
    {
        var value = Get<T>(handle, argument);
        if (!Objects.TryRemove(new KeyValuePair<nint, object>(handle, value)))
            throw new NativeException(NativeStatus.InvalidHandle, $"{argument} was freed by another thread meanwhile.");
        return value;
    }

    private static string KindOf<T>() => typeof(T).Name switch
    {
        nameof(NativeContext) => "ls_context",
        nameof(NativeMatrix) => "ls_matrix",
        nameof(NativeSolver) => "ls_solver",
        var other => other,
    };
}
