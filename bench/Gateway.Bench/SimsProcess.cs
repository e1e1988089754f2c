using System.Diagnostics;

namespace Gateway.Bench;

/// <summary>
/// device-sims as a process of its own serving a rig file on free loopback ports: started, its endpoints read from the
/// file it writes, stopped with "quit" on stdin (killed if it does not end).
/// </summary>
internal sealed class SimsProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task<string> _output;

    private SimsProcess(Process process, Task<string> output, string endpointsFile)
    {
        _process = process;
        _output = output;
        EndpointsFile = endpointsFile;
    }

    /// <summary>The endpoints file device-sims wrote (device id → host:port).</summary>
    public string EndpointsFile { get; }

    /// <summary>The process, for its CPU time.</summary>
    public Process Process => _process;

    /// <summary>Start device-sims (<paramref name="simsDll"/>) on <paramref name="rigPath"/> and wait until it serves.</summary>
    public static async Task<SimsProcess> StartAsync(string simsDll, string rigPath)
    {
        var endpointsFile = Path.Combine(Path.GetDirectoryName(rigPath)!, "endpoints.json");
        var process = Process.Start(new ProcessStartInfo("dotnet") { ArgumentList = { simsDll, "--rig", rigPath, "--port-base", "0", "--endpoints-out", endpointsFile }, RedirectStandardOutput = true, RedirectStandardInput = true })!;
        // Drained so that device-sims never blocks on a full pipe.
        var output = process.StandardOutput.ReadToEndAsync();
        var sims = new SimsProcess(process, output, endpointsFile);
        while (!File.Exists(endpointsFile))
        {
            if (process.HasExited)
            {
                await sims.DisposeAsync();
                throw new InvalidOperationException("device-sims exited: " + await output);
            }
            await Task.Delay(100);
        }
        return sims;
    }

    /// <summary>CPU time (user + system) the process has used so far.</summary>
    public TimeSpan Cpu()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _process.StandardInput.WriteLineAsync("quit");
            if (!_process.WaitForExit(10000)) _process.Kill(true);
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
