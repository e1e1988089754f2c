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
    private readonly string _host;
    private readonly int _port;
    private readonly ModbusClientOptions _options;
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private readonly SemaphoreSlim _inFlight;
    private ModbusTcpConnection? _connection;
    private bool _disposed;

    public ModbusTcpTransport(string host, int port, ModbusClientOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        this._host = host;
        this._port = port;
        this._options = options;
        _inFlight = new SemaphoreSlim(options.MaxConcurrentRequests, options.MaxConcurrentRequests);
    }

    public string Peer => $"{_host}:{_port}";

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ReadOnlyMemory<byte>> TransactAsync(byte unitId, ReadOnlyMemory<byte> requestPdu, CancellationToken cancellationToken)
    {
        await _inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = await GetConnectionAsync(cancellationToken).ConfigureAwait(false);
            var response = await current.TransactAsync(unitId, requestPdu, cancellationToken).ConfigureAwait(false);
            return response.AsMemory(1);
        }
        finally
        {
            _inFlight.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _connectLock.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            if (_connection is not null)
            {
                await _connection.DisposeAsync().ConfigureAwait(false);
                _connection = null;
            }
        }
        finally
        {
            _connectLock.Release();
        }
    }

    private async ValueTask<ModbusTcpConnection> GetConnectionAsync(CancellationToken cancellationToken)
    {
        var current = _connection;
        if (current is { IsFaulted: false })
        {
            return current;
        }

        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_connection is { IsFaulted: false })
            {
                return _connection;
            }

            if (_connection is not null)
            {
                await _connection.DisposeAsync().ConfigureAwait(false);
                _connection = null;
            }

            IPAddress[] addresses;
            try
            {
                addresses = IPAddress.TryParse(_host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(_host, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException ex)
            {
                throw new ModbusCommunicationException($"Cannot connect to {Peer}: {ex.Message} (unreachable).", ex);
            }

            _connection = await ModbusTcpConnection.OpenAsync(addresses, _port, Peer, _options, cancellationToken).ConfigureAwait(false);
            return _connection;
        }
        finally
        {
            _connectLock.Release();
        }
    }
}
