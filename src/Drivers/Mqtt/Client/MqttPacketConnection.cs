using System.Buffers;
using Gateway.Drivers.Mqtt.Channel;
using Gateway.Drivers.Mqtt.Codec;
using Gateway.Drivers.Mqtt.Packets;

namespace Gateway.Drivers.Mqtt.Client;

/// <summary>
/// One live connection: frames packets over an <see cref="IMqttChannel"/> with the codec. Writes are serialised;
/// reads are done by one reader. The first failure closes it for good and is kept as <see cref="CloseReason"/>.
/// </summary>
internal sealed class MqttPacketConnection : IAsyncDisposable
{
    private readonly IMqttChannel _channel;
    private readonly IMqttPacketCodec _codec;
    private readonly TimeProvider _timeProvider;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ArrayBufferWriter<byte> _writeBuffer = new(4096);
    private readonly CancellationTokenSource _closed = new();
    private byte[] _readBuffer = new byte[8192];
    private int _readStart;
    private int _readEnd;
    private long _lastSendTimestamp;
    private Exception? _closeReason;

    public MqttPacketConnection(IMqttChannel channel, IMqttPacketCodec codec, TimeProvider timeProvider)
    {
        _channel = channel;
        _codec = codec;
        _timeProvider = timeProvider;
        _lastSendTimestamp = timeProvider.GetTimestamp();
    }

    /// <summary>Timestamp of an unanswered PINGREQ, or 0 when none is outstanding.</summary>
    public long PingOutstandingSince;

    /// <summary>The keep-alive timer of this connection, stopped when it closes.</summary>
    public ITimer? KeepAliveTimer { get; set; }

    /// <summary>Cancelled when the connection is closed, for any reason.</summary>
    public CancellationToken Closed => _closed.Token;

    public bool IsClosed => _closed.IsCancellationRequested;

    public Exception? CloseReason => Volatile.Read(ref _closeReason);

    /// <summary>Time since the last packet was written, for the keep-alive.</summary>
    public TimeSpan IdleSendTime => _timeProvider.GetElapsedTime(Interlocked.Read(ref _lastSendTimestamp));

    public async ValueTask SendAsync(MqttPacket packet, CancellationToken cancellationToken = default)
    {
        if (IsClosed) throw ClosedException();
        try
        {
            await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            throw ClosedException();
        }
        try
        {
            if (IsClosed) throw ClosedException();
            _writeBuffer.ResetWrittenCount();
            _codec.Encode(packet, _writeBuffer);
            // A write abandoned half-way would corrupt the stream, so only closing the connection stops it.
            await _channel.WriteAsync(_writeBuffer.WrittenMemory, _closed.Token).ConfigureAwait(false);
            Interlocked.Exchange(ref _lastSendTimestamp, _timeProvider.GetTimestamp());
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or System.Net.Sockets.SocketException)
        {
            var failure = new MqttCommunicationException($"sending {packet.Type.ToString().ToUpperInvariant()} failed: {ex.Message}", ex);
            Close(failure);
            throw CloseReason as MqttCommunicationException ?? failure;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Read the next packet. Throws <see cref="MqttCommunicationException"/> (or its subclass
    /// <see cref="MqttProtocolException"/>) when the stream ends, breaks or carries a malformed packet.</summary>
    public async ValueTask<MqttPacket> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closed.Token);
        while (true)
        {
            if (_readEnd > _readStart)
            {
                MqttPacket? packet;
                int consumed;
                try
                {
                    if (_codec.TryDecode(_readBuffer.AsSpan(_readStart, _readEnd - _readStart), out packet, out consumed) == OperationStatus.Done)
                    {
                        _readStart += consumed;
                        if (_readStart == _readEnd) _readStart = _readEnd = 0;
                        return packet!;
                    }
                }
                catch (MqttProtocolException ex)
                {
                    Close(ex);
                    throw;
                }
                MakeRoomForRead();
            }
            else
            {
                _readStart = _readEnd = 0;
            }

            int read;
            try
            {
                read = await _channel.ReadAsync(_readBuffer.AsMemory(_readEnd), linked.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or System.Net.Sockets.SocketException)
            {
                if (cancellationToken.IsCancellationRequested && !IsClosed) throw new OperationCanceledException(cancellationToken);
                Close(new MqttCommunicationException($"connection to the broker lost: {ex.Message}", ex));
                throw ClosedException();
            }
            if (read == 0)
            {
                var pending = _readEnd - _readStart;
                Exception reason = pending == 0
                    ? new MqttCommunicationException("the broker closed the connection")
                    : new MqttProtocolException(
                        $"the broker closed the connection in the middle of a packet (truncated: {pending} byte(s) of {DescribeExpected()} received)",
                        "MQTT-2.2.3");
                Close(reason);
                throw reason;
            }
            _readEnd += read;
        }
    }

    public void Close(Exception reason)
    {
        Interlocked.CompareExchange(ref _closeReason, reason, null);
        KeepAliveTimer?.Dispose();
        try { _closed.Cancel(); } catch (ObjectDisposedException) { /* already disposed */ }
    }

    public async ValueTask DisposeAsync()
    {
        Close(new MqttCommunicationException("connection closed by the client"));
        await _channel.DisposeAsync().ConfigureAwait(false);
    }

    private MqttCommunicationException ClosedException() =>
        CloseReason as MqttCommunicationException ?? new MqttCommunicationException("connection closed", CloseReason);

    private string DescribeExpected()
    {
        var span = _readBuffer.AsSpan(_readStart, _readEnd - _readStart);
        if (span.Length >= 2 && MqttRemainingLength.TryRead(span[1..], out var remaining, out var lengthBytes) == OperationStatus.Done)
            return $"a {1 + lengthBytes + remaining}-byte {(MqttPacketType)(span[0] >> 4)} packet";
        return "an incomplete fixed header";
    }

    private void MakeRoomForRead()
    {
        if (_readEnd < _readBuffer.Length) return;
        var pending = _readEnd - _readStart;
        if (_readStart > 0 && pending < _readBuffer.Length / 2)
        {
            _readBuffer.AsSpan(_readStart, pending).CopyTo(_readBuffer);
        }
        else
        {
            // The codec has already refused any header announcing more than the maximum packet size.
            var bigger = new byte[_readBuffer.Length * 2];
            _readBuffer.AsSpan(_readStart, pending).CopyTo(bigger);
            _readBuffer = bigger;
        }
        _readStart = 0;
        _readEnd = pending;
    }
}
