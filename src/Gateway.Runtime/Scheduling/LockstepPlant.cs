using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Gateway.Runtime.Devices;
using Gateway.Runtime.Worker;

namespace Gateway.Runtime.Scheduling;

/// <summary>
/// Runs the gateway in lockstep with simulators whose clock is stepped (<c>device-sims --clock stepped</c>): simulated
/// time moves only when this says so, through every instant something happens — each device's poll (as the real-time
/// poller would, watchdog refresh included), the start and the end of each round — and at each one the simulators advance
/// their physics there first, then the gateway reads. Two runs of the same rig therefore see the same day to the last
/// digit, however loaded the machine; a study of the market can compare runs with and without the SMES on the same inputs.
/// The real-time mode (accelerated clock, background polling) stays for HIL benches with real devices.
/// </summary>
/// <remarks>Public: <c>gateway run --lockstep</c> connects it (and reports a refused connection) before it starts the gateway; stepping is internal.</remarks>
public sealed class LockstepPlant : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly StreamReader _reader;
    private readonly StreamWriter _writer;
    private readonly SemaphoreSlim _armed = new(0);
    private readonly Dictionary<string, DateTimeOffset> _nextPoll = new(StringComparer.Ordinal);

    private LockstepPlant(TcpClient client, DateTimeOffset now)
    {
        _client = client;
        var stream = client.GetStream();
        _reader = new StreamReader(stream, Encoding.ASCII);
        _writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
        Clock = new SteppedTimeProvider(now);
        Clock.DriverWake += () => _armed.Release();
    }

    /// <summary>The plant clock the gateway runs on.</summary>
    internal SteppedTimeProvider Clock { get; }

    /// <summary>Connects to the simulators' lockstep control at <paramref name="hostPort"/> and starts the clock where theirs stands.</summary>
    /// <exception cref="IOException">The control port cannot be reached or answers nonsense.</exception>
    public static async Task<LockstepPlant> ConnectAsync(string hostPort, CancellationToken cancellationToken = default)
    {
        var colon = hostPort.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(hostPort[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port))
            throw new IOException($"lockstep control '{hostPort}' is not host:port");
        var client = new TcpClient { NoDelay = true };
        try
        {
            await client.ConnectAsync(hostPort[..colon].Trim('[', ']'), port, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            client.Dispose();
            throw new IOException($"lockstep control {hostPort} not reachable: {e.Message}", e);
        }

        var plant = new LockstepPlant(client, DateTimeOffset.MinValue);
        var now = await plant.AskAsync("now", cancellationToken).ConfigureAwait(false);
        plant.Clock.AdvanceTo(now);
        return plant;
    }

    /// <summary>Polls every device once, now (the first reading of the run).</summary>
    internal async Task PollAllAsync(GatewayRuntime runtime, CancellationToken cancellationToken = default)
    {
        foreach (var link in runtime.Links.OrderBy(l => l.Device.Id, StringComparer.Ordinal))
        {
            await runtime.Poller.PollOnceAsync(link, cancellationToken).ConfigureAwait(false);
            _nextPoll[link.Device.Id] = Clock.GetUtcNow() + link.Device.PollPeriod;
        }
    }

    /// <summary>
    /// The round of the interval starting at <paramref name="intervalStart"/>, in lockstep: time steps (polling as it
    /// goes) to the interval's start if it is not there yet, the round runs, and whenever the round waits for its interval
    /// to end, time steps there. The round always runs to its end: nothing real is waited for.
    /// </summary>
    internal async Task<RoundOutcome> RunRoundAsync(GatewayRuntime runtime, DateTimeOffset intervalStart, CancellationToken cancellationToken = default)
    {
        await AdvanceToAsync(runtime, intervalStart, cancellationToken).ConfigureAwait(false);
        var end = intervalStart + runtime.Rig.Market.Interval;
        var round = runtime.Runner.RunAsync(intervalStart, cancellationToken);
        while (!round.IsCompleted)
        {
            // The round waits on the plant clock only for its interval to end: step there once it does.
            if (Clock.NextDue() is { } due && due >= end)
            {
                await AdvanceToAsync(runtime, due, cancellationToken).ConfigureAwait(false);
                continue;
            }

            // The wait is withdrawn when the round ends first: a waiter left queued on the semaphore would take the
            // next round's wake-up, and that round would then wait forever for its interval's end (a test hung so).
            using var withdraw = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var armed = _armed.WaitAsync(withdraw.Token);
            await Task.WhenAny(round, armed).ConfigureAwait(false);
            if (!armed.IsCompleted)
            {
                await withdraw.CancelAsync().ConfigureAwait(false);
                try { await armed.ConfigureAwait(false); }
                catch (OperationCanceledException) { }
            }
        }

        return await round.ConfigureAwait(false);
    }

    /// <summary>
    /// Steps simulators and clock to <paramref name="target"/> through every poll due on the way (every device is polled
    /// once first if none has been). <paramref name="stopToken"/> ends the walk between two steps (a requested stop).
    /// </summary>
    internal async Task AdvanceToAsync(GatewayRuntime runtime, DateTimeOffset target, CancellationToken cancellationToken = default, CancellationToken stopToken = default)
    {
        if (_nextPoll.Count == 0) await PollAllAsync(runtime, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            stopToken.ThrowIfCancellationRequested();
            var next = target;
            foreach (var due in _nextPoll.Values) if (due < next) next = due;
            if (next < Clock.GetUtcNow()) next = Clock.GetUtcNow();
            var at = await AskAsync("advance " + next.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
            if (at != next) throw new IOException($"lockstep: the simulators stand at {at:O}, not {next:O} (another gateway stepping them?)");
            Clock.AdvanceTo(next);
            foreach (var link in runtime.Links.OrderBy(l => l.Device.Id, StringComparer.Ordinal))
            {
                if (!_nextPoll.TryGetValue(link.Device.Id, out var due) || due > next) continue;
                await runtime.Poller.PollOnceAsync(link, cancellationToken).ConfigureAwait(false);
                _nextPoll[link.Device.Id] = next + link.Device.PollPeriod;
            }

            if (next >= target) return;
        }
    }

    private async Task<DateTimeOffset> AskAsync(string command, CancellationToken cancellationToken)
    {
        await _writer.WriteLineAsync(command.AsMemory(), cancellationToken).ConfigureAwait(false);
        var reply = await _reader.ReadLineAsync(cancellationToken).ConfigureAwait(false)
                    ?? throw new IOException("lockstep: the simulators closed the control connection");
        if (!reply.StartsWith("at ", StringComparison.Ordinal)
            || !DateTimeOffset.TryParse(reply[3..], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
            throw new IOException($"lockstep: the simulators answered '{reply}' to '{command}'");
        return time;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _writer.Dispose();
        _client.Dispose();
        _armed.Dispose();
        return ValueTask.CompletedTask;
    }
}
