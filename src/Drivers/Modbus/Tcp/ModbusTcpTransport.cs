using System.Net.Sockets;

namespace Gateway.Drivers.Modbus.Tcp;

/// <summary>
/// Owns the client's current <see cref="ModbusTcpConnection"/>: opens it lazily, replaces it
/// after it failed, and limits how many requests share it at once.
/// </summary>
internal sealed class ModbusTcpTransport : IModbusTransport
{
    private readonly string host;
    private readonly int port;
    private readonly ModbusClientOptions options;
    private readonly SemaphoreSlim connectLock = new(1, 1);
    private readonly SemaphoreSlim inFlight;
    private ModbusTcpConnection? connection;
    private bool disposed;

    public ModbusTcpTransport(string host, int port, ModbusClientOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        this.host = host;
        this.port = port;
        this.options = options;
        inFlight = new SemaphoreSlim(options.MaxConcurrentRequests, options.MaxConcurrentRequests);
    }

    public string Peer => $"{host}:{port}";

    public async Task<ReadOnlyMemory<byte>> TransactAsync(byte unitId, ReadOnlyMemory<byte> requestPdu, CancellationToken cancellationToken)
    {
        await inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = await GetConnectionAsync(cancellationToken).ConfigureAwait(false);
            var response = await current.TransactAsync(unitId, requestPdu, options.RequestTimeout, options.TimeProvider, cancellationToken).ConfigureAwait(false);
            return response.AsMemory(1);
        }
        finally
        {
            inFlight.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await connectLock.WaitAsync().ConfigureAwait(false);
        try
        {
            disposed = true;
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                connection = null;
            }
        }
        finally
        {
            connectLock.Release();
        }
    }

    private async ValueTask<ModbusTcpConnection> GetConnectionAsync(CancellationToken cancellationToken)
    {
        var current = connection;
        if (current is { IsFaulted: false })
        {
            return current;
        }

        await connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (connection is { IsFaulted: false })
            {
                return connection;
            }

            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                connection = null;
            }

            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            using var connectTimeout = new CancellationTokenSource(options.ConnectTimeout, options.TimeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(connectTimeout.Token, cancellationToken);
            try
            {
                await socket.ConnectAsync(host, port, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (connectTimeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                socket.Dispose();
                throw new ModbusCommunicationException($"Cannot connect to {Peer}: no answer within {options.ConnectTimeout.TotalMilliseconds:0} ms (unreachable).");
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                throw new ModbusCommunicationException($"Cannot connect to {Peer}: {ex.Message} (unreachable).", ex);
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            connection = new ModbusTcpConnection(socket, Peer);
            return connection;
        }
        finally
        {
            connectLock.Release();
        }
    }
}
