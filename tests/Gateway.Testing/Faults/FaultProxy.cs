using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Gateway.Drivers.Modbus.Tcp;

namespace Gateway.Testing;

/// <summary>
/// A TCP proxy on loopback that puts a real link's faults between a client and its server, for
/// tests (this kernel has no netem qdisc): latency and jitter, lost, corrupted and reordered frames,
/// a stall, a half-open connection, a partition and its healing, and abrupt disconnects. Faults are
/// set per direction (<see cref="ToServer"/>, <see cref="ToClient"/>) and may change while traffic
/// flows. With a <see cref="StreamFraming"/> (e.g. <see cref="Framings.ModbusTcp"/>) they hit whole
/// protocol frames; without one, whatever chunk the socket delivered. Random choices come from a
/// generator seeded with <see cref="Seed"/>, which a test prints so that a failure can be replayed.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly ConcurrentDictionary<ProxyConnection, byte> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _sync = new();
    private TaskCompletionSource? _partition;
    private bool _blackhole;
    private Socket? _listener;
    private Task _acceptLoop = Task.CompletedTask;

    /// <summary>Creates a proxy in front of <paramref name="upstream"/>; nothing listens until <see cref="Start"/>.</summary>
    /// <param name="upstream">The real server.</param>
    /// <param name="framing">How to cut the byte stream into frames; <see cref="Framings.Chunks"/> when null.</param>
    /// <param name="seed">Seed of the random faults; a fresh one when null (see <see cref="Seed"/>).</param>
    public FaultProxy(IPEndPoint upstream, StreamFraming? framing = null, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        Upstream = upstream;
        Framing = framing ?? Framings.Chunks;
        Seed = seed ?? Random.Shared.Next();
        ToServer = new LinkFaults(FaultDirection.ToServer, new Random(Seed));
        ToClient = new LinkFaults(FaultDirection.ToClient, new Random(unchecked(Seed * 31 + 7)));
    }

    /// <summary>The seed of every random fault decision of this proxy.</summary>
    public int Seed { get; }

    /// <summary>The real server behind the proxy; a change applies to connections made after it.</summary>
    public IPEndPoint Upstream { get; set; }

    /// <summary>Faults on the way to the server.</summary>
    public LinkFaults ToServer { get; }

    /// <summary>Faults on the way back to the client.</summary>
    public LinkFaults ToClient { get; }

    /// <summary>What the proxy did so far.</summary>
    public FaultProxyCounters Counters { get; } = new();

    /// <summary>How long a frame to be reordered waits for a successor to overtake it; then it goes alone. Default 200 ms.</summary>
    public TimeSpan ReorderHold { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Where clients connect (the actual port once started).</summary>
    /// <exception cref="InvalidOperationException">The proxy was not started.</exception>
    public IPEndPoint LocalEndpoint => (IPEndPoint?)_listener?.LocalEndPoint ?? throw new InvalidOperationException("The proxy is not started.");

    /// <summary>Client connections open right now (half-open ones included).</summary>
    public int OpenConnections => _connections.Count;

    internal StreamFraming Framing { get; }

    /// <summary>Listens on 127.0.0.1 (a free port) and starts forwarding.</summary>
    public void Start()
    {
        if (_listener is not null)
        {
            throw new InvalidOperationException("The proxy is already started.");
        }

        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.Listen(128);
        _listener = socket;
        _acceptLoop = AcceptLoopAsync(socket, _stopping.Token);
    }

    /// <summary>Holds every byte in both directions until <see cref="Resume"/> (nothing is lost).</summary>
    public void Stall()
    {
        ToServer.Stall();
        ToClient.Stall();
    }

    /// <summary>Ends a <see cref="Stall"/>: what was held is delivered.</summary>
    public void Resume()
    {
        ToServer.Resume();
        ToClient.Resume();
    }

    /// <summary>
    /// Cuts the path between client and server without closing anything: open connections carry no byte
    /// either way, new connections are accepted but reach the server only after <see cref="Heal"/>. What
    /// was sent meanwhile is delivered on healing, as TCP would retransmit it.
    /// </summary>
    public void Partition()
    {
        lock (_sync)
        {
            _partition ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        Stall();
    }

    /// <summary>Ends a partition and every fault: all settings of both directions are cleared, new connections reach the server again.</summary>
    public void Heal()
    {
        TaskCompletionSource? healed;
        lock (_sync)
        {
            healed = _partition;
            _partition = null;
            _blackhole = false;
        }

        ToServer.Clear();
        ToClient.Clear();
        healed?.TrySetResult();
    }

    /// <summary>
    /// Leaves every open connection half-open: the server's side is closed, the client's side stays open
    /// and silent — no answer, no FIN, no reset — and swallows what the client sends (a peer that lost
    /// power). Connections made until <see cref="Heal"/> get the same treatment.
    /// </summary>
    public void HalfOpen()
    {
        lock (_sync)
        {
            _blackhole = true;
        }

        foreach (var connection in _connections.Keys)
        {
            connection.GoHalfOpen();
        }
    }

    /// <summary>Closes every open connection on both sides, with a reset (RST) or an orderly close (FIN).</summary>
    public void Disconnect(bool reset = false)
    {
        foreach (var connection in _connections.Keys)
        {
            connection.Disconnect(reset);
        }
    }

    /// <summary>Stops listening and closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        _stopping.Cancel();
        _listener?.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        Heal();
        foreach (var connection in _connections.Keys)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    internal Task WhenReachableAsync(CancellationToken cancellationToken)
    {
        Task reachable;
        lock (_sync)
        {
            reachable = _partition?.Task ?? Task.CompletedTask;
        }

        return reachable.WaitAsync(cancellationToken);
    }

    private async Task AcceptLoopAsync(Socket socket, CancellationToken cancellationToken)
    {
        while (await TcpAccept.NextClientAsync(socket, cancellationToken).ConfigureAwait(false) is { } client)
        {
            Counters.CountConnection();
            var connection = new ProxyConnection(client, this);
            _connections[connection] = 0;
            bool swallow;
            lock (_sync)
            {
                swallow = _blackhole;
            }

            connection.Start(Upstream, swallow);
            _ = connection.Completion.ContinueWith(_ => _connections.TryRemove(connection, out byte _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }
}
