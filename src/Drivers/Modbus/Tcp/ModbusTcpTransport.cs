using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

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

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ReadOnlyMemory<byte>> TransactAsync(byte unitId, ReadOnlyMemory<byte> requestPdu, CancellationToken cancellationToken)
    {
        await inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = await GetConnectionAsync(cancellationToken).ConfigureAwait(false);
            var response = await current.TransactAsync(unitId, requestPdu, cancellationToken).ConfigureAwait(false);
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

            IPAddress[] addresses;
            try
            {
                addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException ex)
            {
                throw new ModbusCommunicationException($"Cannot connect to {Peer}: {ex.Message} (unreachable).", ex);
            }

            connection = await ModbusTcpConnection.OpenAsync(addresses, port, Peer, options, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        finally
        {
            connectLock.Release();
        }
    }
}
