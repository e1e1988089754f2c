using System.Diagnostics;

namespace Gateway.DeviceSims.Hosting;

/// <summary>
/// Two linked pseudo-terminals made by socat: the gateway opens <see cref="GatewayPath"/>, the
/// simulator serves RTU on <see cref="SimulatorPath"/>, and bytes written to one come out of the
/// other as on a serial cable.
/// </summary>
public sealed class PseudoTerminalPair : IAsyncDisposable
{
    private readonly Process _socat;

    private PseudoTerminalPair(Process socat, string gatewayPath, string simulatorPath)
    {
        _socat = socat;
        GatewayPath = gatewayPath;
        SimulatorPath = simulatorPath;
    }

    /// <summary>The tty path the gateway (or the probe) opens.</summary>
    public string GatewayPath { get; }

    /// <summary>The tty path the simulator serves on.</summary>
    public string SimulatorPath { get; }

    /// <summary>Starts socat and waits until both links exist.</summary>
    /// <exception cref="IOException">socat is missing, failed, or did not create the links within 5 s.</exception>
    public static async Task<PseudoTerminalPair> StartAsync(string gatewayPath, CancellationToken cancellationToken = default)
    {
        var simulatorPath = gatewayPath + ".sim";
        var info = new ProcessStartInfo("socat") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        info.ArgumentList.Add($"pty,raw,echo=0,link={gatewayPath}");
        info.ArgumentList.Add($"pty,raw,echo=0,link={simulatorPath}");
        Process socat;
        try
        {
            socat = Process.Start(info) ?? throw new IOException("socat did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new IOException($"cannot run socat (install it: scripts/setup.sh): {e.Message}", e);
        }
        var pair = new PseudoTerminalPair(socat, gatewayPath, simulatorPath);
        for (var i = 0; i < 100 && !(File.Exists(gatewayPath) && File.Exists(simulatorPath)); i++)
        {
            if (socat.HasExited)
            {
                var why = await socat.StandardError.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
                await pair.DisposeAsync().ConfigureAwait(false);
                throw new IOException($"socat could not create {gatewayPath}: {why.Trim()}");
            }
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
        if (!(File.Exists(gatewayPath) && File.Exists(simulatorPath)))
        {
            await pair.DisposeAsync().ConfigureAwait(false);
            throw new IOException($"socat did not create {gatewayPath} within 5 s");
        }
        return pair;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_socat.HasExited)
            {
                _socat.Kill();
                await _socat.WaitForExitAsync().ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        _socat.Dispose();
    }
}
