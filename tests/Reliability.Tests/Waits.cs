using System.Diagnostics;

namespace Gateway.Reliability.Tests;

/// <summary>Waiting for evidence (a journal row, a write at a device), never for a fixed time.</summary>
internal static class Waits
{
    /// <summary>Checks <paramref name="condition"/> every 50 ms until it holds; fails naming <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what, GatewayProcess? gateway = null) =>
        UntilAsync(condition, timeout, () => what, gateway);

    /// <summary>As above, with <paramref name="what"/> written when the wait fails (it may name what the journal holds then).</summary>
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> what, GatewayProcess? gateway = null)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (gateway is { HasExited: true } && !condition())
                Assert.Fail($"the gateway exited ({gateway.ExitCode}) while waiting for {what()}:\n{gateway.Output}");
            if (watch.Elapsed > timeout)
                Assert.Fail($"no {what()} within {timeout.TotalSeconds:0} s{(gateway is null ? "" : ":\n" + gateway.Output)}");
            await Task.Delay(50);
        }
    }

    /// <summary>How long the slow parts of a loaded machine may take: generous, since the counts, not the speed, are asserted.</summary>
    public static TimeSpan Long => TimeSpan.FromSeconds(120);
}
