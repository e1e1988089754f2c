using System.Net;
using System.Net.Sockets;

namespace Gateway.Drivers.Tests.Mqtt;

/// <summary>
/// A loopback TCP relay the test can freeze and cut. Freezing it lets the broker go idle (and save its state)
/// while the clients keep publishing into it; cutting it drops whatever was in transit, as a network outage would.
/// </summary>
internal sealed class PausableTcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stopped = new();
    private readonly List<(TcpClient Client, TcpClient Upstream, CancellationTokenSource Cut)> _links = new();
    private readonly object _gate = new();
    private TaskCompletionSource _running = NewOpenGate();
    private readonly Task _acceptLoop;

    public PausableTcpProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port { get; }

    /// <summary>Stop moving bytes in both directions (connections stay open).</summary>
    public void Pause()
    {
        lock (_gate) if (_running.Task.IsCompleted) _running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public void Resume()
    {
        lock (_gate) _running.TrySetResult();
    }

    /// <summary>Close every relayed connection, dropping bytes in transit.</summary>
    public void CutAll()
    {
        lock (_gate)
        {
            foreach (var link in _links)
            {
                link.Cut.Cancel();
                link.Client.Client.Close(0);
                link.Upstream.Dispose();
            }
            _links.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopped.Cancel();
        _listener.Stop();
        CutAll();
        Resume();
        try { await _acceptLoop; } catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException) { }
    }

    private static TaskCompletionSource NewOpenGate()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.SetResult();
        return gate;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopped.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stopped.Token);
            var upstream = new TcpClient();
            try
            {
                await WaitRunningAsync();
                await upstream.ConnectAsync(IPAddress.Loopback, _targetPort, _stopped.Token);
            }
            catch (SocketException)
            {
                client.Dispose();
                upstream.Dispose();
                continue;
            }
            var cut = CancellationTokenSource.CreateLinkedTokenSource(_stopped.Token);
            lock (_gate) _links.Add((client, upstream, cut));
            _ = RelayAsync(client.GetStream(), upstream.GetStream(), cut.Token);
            _ = RelayAsync(upstream.GetStream(), client.GetStream(), cut.Token);
        }
    }

    private Task WaitRunningAsync()
    {
        lock (_gate) return _running.Task;
    }

    private async Task RelayAsync(NetworkStream from, NetworkStream to, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                await WaitRunningAsync().WaitAsync(cancellationToken);
                var read = await from.ReadAsync(buffer, cancellationToken);
                if (read == 0) break;
                await WaitRunningAsync().WaitAsync(cancellationToken);
                await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // One side went away; the other is closed below.
        }
        try { to.Socket.Shutdown(SocketShutdown.Both); } catch (Exception ex) when (ex is SocketException or ObjectDisposedException) { }
    }
}
