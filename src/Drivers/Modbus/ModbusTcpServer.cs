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
    private readonly IPEndPoint endpoint;
    private readonly ModbusRequestHandler handler;
    private readonly ConcurrentDictionary<Socket, Task> connections = new();
    private readonly CancellationTokenSource stopping = new();
    private Socket? listener;
    private Task acceptLoop = Task.CompletedTask;

    /// <summary>Creates a server; nothing listens until <see cref="StartAsync"/>.</summary>
    /// <param name="endpoint">Where to listen; port 0 picks a free port (see <see cref="LocalEndpoint"/>).</param>
    /// <param name="resolveUnit">The unit behind a unit id, or null when there is none.</param>
    /// <param name="faults">Optional misbehaviour for tests; asked once per decoded request.</param>
    public ModbusTcpServer(IPEndPoint endpoint, Func<byte, IModbusServerUnit?> resolveUnit, IModbusFaultPlan? faults = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(resolveUnit);
        this.endpoint = endpoint;
        handler = new ModbusRequestHandler(resolveUnit, faults, Counters);
    }

    /// <summary>The clock behind slow-answer faults.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Requests, responses and rejected frames so far.</summary>
    public ModbusServerCounters Counters { get; } = new();

    /// <summary>The bound endpoint (with the actual port when bound to port 0).</summary>
    /// <exception cref="InvalidOperationException">The server was not started.</exception>
    public IPEndPoint LocalEndpoint => (IPEndPoint?)listener?.LocalEndPoint ?? throw new InvalidOperationException("The server is not started.");

    /// <summary>Number of connections open right now.</summary>
    public int OpenConnections => connections.Count;

    /// <summary>Binds, listens and starts accepting connections in the background.</summary>
    /// <exception cref="ModbusCommunicationException">The endpoint cannot be bound.</exception>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (listener is not null)
        {
            throw new InvalidOperationException("The server is already started.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(endpoint);
            socket.Listen(512);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new ModbusCommunicationException($"Cannot listen on {endpoint}: {ex.Message}", ex);
        }

        listener = socket;
        acceptLoop = AcceptLoopAsync(socket, stopping.Token);
        return Task.CompletedTask;
    }

    /// <summary>Stops listening, closes every connection and waits for their handlers to end.</summary>
    public async ValueTask DisposeAsync()
    {
        if (stopping.IsCancellationRequested)
        {
            return;
        }

        stopping.Cancel();
        listener?.Dispose();
        await acceptLoop.ConfigureAwait(false);
        foreach (var socket in connections.Keys)
        {
            socket.Dispose();
        }

        await Task.WhenAll(connections.Values).ConfigureAwait(false);
        stopping.Dispose();
    }

    private async Task AcceptLoopAsync(Socket socket, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await socket.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // A connection that died in the accept queue (reset by its peer) is not the listener's problem.
                continue;
            }

            client.NoDelay = true;
            Counters.CountConnection();
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            connections[client] = ServeAsync(client, gate.Task, cancellationToken);
            gate.SetResult();
        }
    }

    private async Task ServeAsync(Socket client, Task registered, CancellationToken cancellationToken)
    {
        await registered.ConfigureAwait(false);
        var request = new byte[MbapHeader.Size + ModbusLimits.MaxPduLength];
        var response = new byte[MbapHeader.Size + ModbusLimits.MaxPduLength];
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (!await ReceiveExactlyAsync(client, request.AsMemory(0, MbapHeader.Size), cancellationToken).ConfigureAwait(false))
                {
                    return;
                }

                var header = MbapHeader.Read(request);
                if (header.Problem() is not null)
                {
                    Counters.CountMalformed();
                    return;
                }

                if (!await ReceiveExactlyAsync(client, request.AsMemory(MbapHeader.Size, header.PduLength), cancellationToken).ConfigureAwait(false))
                {
                    return;
                }

                var reply = handler.Handle(header.UnitId, request.AsSpan(MbapHeader.Size, header.PduLength), response.AsSpan(MbapHeader.Size), ModbusExceptionCode.GatewayTargetDeviceFailedToRespond);
                switch (reply.Action)
                {
                    case ModbusFaultKind.NoAnswer:
                        continue;
                    case ModbusFaultKind.Disconnect:
                        return;
                    case ModbusFaultKind.SlowAnswer:
                        await Task.Delay(reply.Delay, TimeProvider, cancellationToken).ConfigureAwait(false);
                        break;
                    case ModbusFaultKind.CorruptFrame:
                        // The MBAP framing stays intact so the stream survives; the PDU carries a function code nobody asked for.
                        response[MbapHeader.Size] ^= 0x40;
                        break;
                }

                MbapHeader.Write(response, header.TransactionId, header.UnitId, reply.Length);
                await SendAsync(client, response.AsMemory(0, MbapHeader.Size + reply.Length), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The peer went away or the server is stopping: this connection ends, the server goes on.
        }
        finally
        {
            connections.TryRemove(client, out _);
            client.Dispose();
        }
    }

    private static async Task<bool> ReceiveExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (!buffer.IsEmpty)
        {
            int read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return false;
            }

            buffer = buffer[read..];
        }

        return true;
    }

    private static async Task SendAsync(Socket socket, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            int sent = await socket.SendAsync(data, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            data = data[sent..];
        }
    }
}
