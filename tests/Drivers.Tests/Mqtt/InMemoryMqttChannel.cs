using System.Threading.Channels;
using Gateway.Drivers.Mqtt;
using Gateway.Drivers.Mqtt.Channel;

namespace Gateway.Drivers.Tests.Mqtt;

/// <summary>One end of an in-memory duplex byte pipe; <see cref="CreatePair"/> makes both ends.</summary>
internal sealed class InMemoryMqttChannel : IMqttChannel
{
    private readonly Channel<byte[]> _incoming;
    private readonly Channel<byte[]> _outgoing;
    private byte[] _pending = [];
    private int _pendingOffset;

    private InMemoryMqttChannel(Channel<byte[]> incoming, Channel<byte[]> outgoing)
    {
        _incoming = incoming;
        _outgoing = outgoing;
    }

    public static (InMemoryMqttChannel Client, InMemoryMqttChannel Server) CreatePair()
    {
        var toServer = Channel.CreateUnbounded<byte[]>();
        var toClient = Channel.CreateUnbounded<byte[]>();
        return (new InMemoryMqttChannel(toClient, toServer), new InMemoryMqttChannel(toServer, toClient));
    }

    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_pendingOffset >= _pending.Length)
        {
            if (!await _incoming.Reader.WaitToReadAsync(cancellationToken)) return 0;
            if (!_incoming.Reader.TryRead(out var next)) return 0;
            _pending = next;
            _pendingOffset = 0;
        }
        var count = Math.Min(buffer.Length, _pending.Length - _pendingOffset);
        _pending.AsSpan(_pendingOffset, count).CopyTo(buffer.Span);
        _pendingOffset += count;
        return count;
    }

    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        if (!_outgoing.Writer.TryWrite(data.ToArray())) throw new IOException("the other end is closed");
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _outgoing.Writer.TryComplete();
        _incoming.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Hands the client the client end of a fresh pair and keeps the server end for the test.</summary>
internal sealed class InMemoryChannelFactory : IMqttChannelFactory
{
    public Channel<InMemoryMqttChannel> ServerEnds { get; } = Channel.CreateUnbounded<InMemoryMqttChannel>();

    public ValueTask<IMqttChannel> ConnectAsync(MqttClientOptions options, CancellationToken cancellationToken = default)
    {
        var (client, server) = InMemoryMqttChannel.CreatePair();
        ServerEnds.Writer.TryWrite(server);
        return ValueTask.FromResult<IMqttChannel>(client);
    }
}
