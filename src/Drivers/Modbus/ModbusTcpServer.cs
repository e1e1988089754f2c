using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Gateway.Drivers.Modbus.Server;
using Gateway.Drivers.Modbus.Tcp;

namespace Gateway.Drivers.Modbus;

/// <summary>
/// Modbus TCP server: serves any number of concurrent connections, each handled in order
/// (pipelined requests are answered one after the other). The unit id of each request selects
/// the <see cref="IModbusServerUnit"/> through the resolver.
/// </summary>
/// <remarks>
/// A unit id the resolver does not know is answered with exception 0x0B (gateway target device
/// failed to respond), as a TCP-to-RTU gateway would: the client learns at once that the unit
/// is absent instead of waiting for its timeout. A frame with a bad MBAP protocol id or length
/// cannot be resynchronised, so that connection is closed and counted in
/// <see cref="ModbusServerCounters.MalformedFrames"/>; other connections are not affected.
/// </remarks>
public sealed class ModbusTcpServer : IAsyncDisposable
{
    private readonly IPEndPoint _endpoint;
    private readonly ModbusRequestHandler _handler;
    private readonly ConcurrentDictionary<Socket, Task> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private Socket? _listener;
    private Task _acceptLoop = Task.CompletedTask;

    /// <summary>Creates a server; nothing listens until <see cref="StartAsync"/>.</summary>
    /// <param name="endpoint">Where to listen; port 0 picks a free port (see <see cref="LocalEndpoint"/>).</param>
    /// <param name="resolveUnit">The unit behind a unit id, or null when there is none.</param>
    /// <param name="faults">Optional misbehaviour for tests; asked once per decoded request.</param>
    public ModbusTcpServer(IPEndPoint endpoint, Func<byte, IModbusServerUnit?> resolveUnit, IModbusFaultPlan? faults = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(resolveUnit);
        this._endpoint = endpoint;
        _handler = new ModbusRequestHandler(resolveUnit, faults, Counters);
    }

    /// <summary>The clock behind slow-answer faults.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Requests, responses and rejected frames so far.</summary>
    internal ModbusServerCounters Counters { get; } = new();

    /// <summary>The bound endpoint (with the actual port when bound to port 0).</summary>
    /// <exception cref="InvalidOperationException">The server was not started.</exception>
    public IPEndPoint LocalEndpoint => (IPEndPoint?)_listener?.LocalEndPoint ?? throw new InvalidOperationException("The server is not started.");

    /// <summary>Number of connections open right now.</summary>
    public int OpenConnections => _connections.Count;

    /// <summary>Binds, listens and starts accepting connections in the background.</summary>
    /// <exception cref="ModbusCommunicationException">The endpoint cannot be bound.</exception>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_listener is not null)
        {
            throw new InvalidOperationException("The server is already started.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var socket = new Socket(_endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(_endpoint);
            socket.Listen(512);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new ModbusCommunicationException($"Cannot listen on {_endpoint}: {ex.Message}", ex);
        }

        _listener = socket;
        _acceptLoop = AcceptLoopAsync(socket, _stopping.Token);
        return Task.CompletedTask;
    }

    /// <summary>Stops listening, closes every connection and waits for their handlers to end.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        _stopping.Cancel();
        _listener?.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        foreach (var socket in _connections.Keys)
        {
            try
            {
                // Wakes the connection's thread out of recv(2); closing the descriptor alone would not.
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }

            socket.Dispose();
        }

        await Task.WhenAll(_connections.Values).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync(Socket socket, CancellationToken cancellationToken)
    {
        while (await TcpAccept.NextClientAsync(socket, cancellationToken).ConfigureAwait(false) is { } client)
        {
            Counters.CountConnection();
            var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _connections[client] = ended.Task;
            new Thread(() => Serve(client, ended, cancellationToken)) { IsBackground = true, Name = "Modbus TCP serve" }.Start();
        }
    }

    /// <summary>
    /// Serves one connection on a thread of its own, blocked in recv(2) between requests: the kernel wakes it
    /// directly when a request arrives, with no detour through the runtime's epoll thread and thread pool (whose
    /// hand-offs and spinning cost more CPU per request than the request itself). DisposeAsync ends it by shutting
    /// the socket down.
    /// </summary>
    private void Serve(Socket client, TaskCompletionSource ended, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        var response = new byte[MbapHeader.Size + ModbusLimits.MaxPduLength];
        int start = 0;
        int end = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                while (end - start >= MbapHeader.Size)
                {
                    var header = MbapHeader.Read(buffer.AsSpan(start));
                    if (header.Problem() is not null)
                    {
                        Counters.CountMalformed();
                        return;
                    }

                    int frameLength = MbapHeader.Size + header.PduLength;
                    if (end - start < frameLength)
                    {
                        break;
                    }

                    var request = buffer.AsSpan(start + MbapHeader.Size, header.PduLength);
                    start += frameLength;
                    var reply = _handler.Handle(header.UnitId, request, response.AsSpan(MbapHeader.Size), ModbusExceptionCode.GatewayTargetDeviceFailedToRespond);
                    switch (reply.Action)
                    {
                        case ModbusFaultKind.NoAnswer:
                            continue;
                        case ModbusFaultKind.Disconnect:
                            return;
                        case ModbusFaultKind.SlowAnswer:
                            if (!Wait(reply.Delay, cancellationToken))
                            {
                                return;
                            }

                            break;
                        case ModbusFaultKind.CorruptFrame:
                            // The MBAP framing stays intact so the stream survives; the PDU carries a function code nobody asked for.
                            response[MbapHeader.Size] ^= 0x40;
                            break;
                    }

                    MbapHeader.Write(response, header.TransactionId, header.UnitId, reply.Length);
                    var data = response.AsSpan(0, MbapHeader.Size + reply.Length);
                    while (!data.IsEmpty)
                    {
                        data = data[client.Send(data, SocketFlags.None)..];
                    }
                }

                MbapHeader.MakeRoomForFrame(buffer, ref start, ref end);

                int read = client.Receive(buffer, end, buffer.Length - end, SocketFlags.None);
                if (read == 0)
                {
                    return;
                }

                end += read;
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // The peer went away or the server is stopping: this connection ends, the server goes on.
        }
        finally
        {
            _connections.TryRemove(client, out _);
            client.Dispose();
            ended.TrySetResult();
        }
    }

    /// <summary>Waits on the connection's own thread for a slow-answer fault; false when the server stops meanwhile.</summary>
    private bool Wait(TimeSpan delay, CancellationToken cancellationToken)
    {
        using var due = new ManualResetEventSlim();
        using var timer = TimeProvider.CreateTimer(static state => ((ManualResetEventSlim)state!).Set(), due, delay, Timeout.InfiniteTimeSpan);
        try
        {
            due.Wait(cancellationToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
