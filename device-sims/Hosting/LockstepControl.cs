using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.DeviceSims.Devices;

namespace Gateway.DeviceSims.Hosting;

/// <summary>
/// The clock of a stepped rig, served on a loopback TCP port so a gateway can step the plant in lockstep with its rounds.
/// One command per line, one reply line each:
/// <code>
/// advance 2026-06-01T01:05:00Z   → at 2026-06-01T01:05:00Z   (every device advanced there; never backwards)
/// now                            → at 2026-06-01T01:05:00Z
/// </code>
/// A bad line gets "error: …" and the connection stays open.
/// </summary>
public sealed class LockstepControl : IAsyncDisposable
{
    private readonly SimulatedRig _rig;
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _sessions = [];
    private Task? _accept;

    private LockstepControl(SimulatedRig rig, TcpListener listener)
    {
        _rig = rig;
        _listener = listener;
    }

    /// <summary>Where the control listens: tcp://127.0.0.1:PORT.</summary>
    public string Uri => $"tcp://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Starts serving the clock of <paramref name="rig"/> (which must be stepped) on a free loopback port.</summary>
    public static LockstepControl Start(SimulatedRig rig)
    {
        if (!rig.Clock.IsStepped) throw new InvalidOperationException("lockstep control needs a stepped rig (device-sims --clock stepped)");
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var control = new LockstepControl(rig, listener);
        control._accept = control.AcceptAsync(control._stop.Token);
        return control;
    }

    /// <summary>Runs one command line and returns its reply.</summary>
    public string Execute(string line)
    {
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words is ["now"]) return "at " + Format(_rig.StepTo(_rig.Clock.Now));
        if (words is ["advance", var text])
        {
            if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
                return $"error: '{text}' is not an ISO 8601 time";
            return "at " + Format(_rig.StepTo(time));
        }

        return "error: commands are 'advance TIME' and 'now'";
    }

    private static string Format(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            lock (_sessions) _sessions.Add(ServeAsync(client, cancellationToken));
        }
    }

    private async Task ServeAsync(TcpClient client, CancellationToken cancellationToken)
    {
        using (client)
        {
            client.NoDelay = true;
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
            try
            {
                while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
                    await writer.WriteLineAsync(Execute(line)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        if (_accept is not null) await _accept.ConfigureAwait(false);
        Task[] sessions;
        lock (_sessions) sessions = [.. _sessions];
        await Task.WhenAll(sessions).ConfigureAwait(false);
        _stop.Dispose();
    }
}
