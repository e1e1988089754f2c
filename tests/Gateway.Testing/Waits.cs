using System.Diagnostics;

namespace Gateway.Testing;

/// <summary>Waiting for something another thread or process does, without a fixed sleep.</summary>
public static class Waits
{
    /// <summary>The default bound: generous, because a loaded 2-core CI machine is slow, and a pass returns at once.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Poll <paramref name="condition"/> every 10 ms until it holds; fail with "not reached within N s: what" when
    /// <paramref name="timeout"/> (default <see cref="DefaultTimeout"/>) passes first.
    /// </summary>
    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        UntilAsync(condition, () => what, timeout);

    /// <summary>As <see cref="UntilAsync(Func{bool}, string, TimeSpan?)"/>, describing the state only when it fails.</summary>
    public static async Task UntilAsync(Func<bool> condition, Func<string> describe, TimeSpan? timeout = null)
    {
        var bound = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > bound) throw new WaitTimeoutException($"not reached within {bound.TotalSeconds:0.#} s: {describe()}");
            await Task.Delay(10);
        }
    }

    /// <summary>As <see cref="UntilAsync(Func{bool}, Func{string}, TimeSpan?)"/> for a condition that must itself be awaited.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, Func<string> describe, TimeSpan? timeout = null)
    {
        var bound = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > bound) throw new WaitTimeoutException($"not reached within {bound.TotalSeconds:0.#} s: {describe()}");
            await Task.Delay(10);
        }
    }
}

/// <summary>A condition a test waited for did not come true in time.</summary>
public sealed class WaitTimeoutException(string message) : Exception(message);
