using System.Diagnostics;

namespace Gateway.Testing;

/// <summary>
/// A Python peer script run with /usr/bin/python3 for the duration of a test. Waits for the
/// script's "READY ..." line instead of sleeping; killed (with its children) on dispose, also
/// when the test failed. The scripts exit by themselves when their stdin closes.
/// </summary>
public sealed class PythonPeer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _errors = [];

    private PythonPeer(Process process)
    {
        this._process = process;
    }

    /// <summary>What the script printed after READY (a port or a device path).</summary>
    public string Ready { get; private set; } = "";

    public static string ScriptPath(string name) => Path.Combine(AppContext.BaseDirectory, "Peers", name);

    public static async Task<PythonPeer> StartAsync(string script, params string[] args)
    {
        var process = Start(script, args, redirectInput: true);
        var peer = new PythonPeer(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (peer._errors)
                {
                    peer._errors.Add(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (true)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
                if (line is null)
                {
                    await process.WaitForExitAsync(timeout.Token);
                    throw new InvalidOperationException($"{script} exited with {process.ExitCode} before READY: {string.Join('\n', peer._errors)}");
                }

                if (line.StartsWith("READY ", StringComparison.Ordinal))
                {
                    peer.Ready = line["READY ".Length..].Trim();
                    return peer;
                }
            }
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs a script to completion and returns its standard output.</summary>
    public static async Task<string> RunAsync(TimeSpan timeout, string script, params string[] args)
    {
        using var process = Start(script, args, redirectInput: false);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script} did not finish in {timeout}: {await error}");
        }

        string stdout = await output;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} failed ({process.ExitCode}): {stdout} {await error}");
        }

        return stdout;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.Close();
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        finally
        {
            _process.Dispose();
        }
    }

    private static Process Start(string script, string[] args, bool redirectInput)
    {
        var info = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-u");
        info.ArgumentList.Add(ScriptPath(script));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("python3 did not start");
    }
}
