using System.Diagnostics;

namespace Gateway.LedgerClient.Tests.Outbox;

/// <summary>Starts the crash-test helper (tests/LedgerClient.Crasher) as a real child process.</summary>
internal sealed class CrasherProcess : IDisposable
{
    /// <summary>Exit code of a process killed by SIGKILL (128 + 9).</summary>
    public const int KilledExitCode = 137;

    private readonly Process _process;

    private CrasherProcess(Process process) => _process = process;

    public static CrasherProcess Start(string workingDirectory, params string[] arguments)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Gateway.LedgerClient.Crasher.dll");
        Assert.True(File.Exists(dll), $"crash helper not built: {dll}");
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        return new CrasherProcess(Process.Start(info) ?? throw new InvalidOperationException("could not start the crash helper"));
    }

    /// <summary>Waits until the helper prints "ready" (its files are open and the work starts).</summary>
    public async Task WaitUntilReadyAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await _process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line == "ready") return;
        }
        throw new InvalidOperationException("the crash helper exited before it was ready");
    }

    /// <summary>Waits until the helper has reported <paramref name="ticks"/> ticks that did work (false if it ended first).</summary>
    public async Task<bool> WaitForTicksAsync(int ticks)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var seen = 0;
        while (await _process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("tick ", StringComparison.Ordinal) && ++seen >= ticks) return true;
        }
        return false;
    }

    /// <summary>Waits for the exit (at most 60 s) and returns the exit code and what it printed.</summary>
    public async Task<(int ExitCode, string Output)> WaitAsync()
    {
        var stdout = _process.StandardOutput.ReadToEndAsync();
        var stderr = _process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(timeout.Token);
        return (_process.ExitCode, (await stdout) + (await stderr));
    }

    /// <summary>SIGKILL from outside, at whatever point the helper has reached.</summary>
    public void Kill()
    {
        try { _process.Kill(); } catch (InvalidOperationException) { /* already exited */ }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
