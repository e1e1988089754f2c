using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Gateway.Drivers.Mqtt.Codec;
using Gateway.Drivers.Mqtt.Packets;

namespace Gateway.Drivers.Tests.Mqtt;

/// <summary>
/// A scripted "broker" on a loopback TcpListener: it reads the client's CONNECT, then sends whatever bytes the
/// test dictates, including garbage a real broker never would.
/// </summary>
internal sealed class FakeBroker : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly MqttPacketCodec _codec = new();
    private readonly Func<FakeBroker, NetworkStream, Task> _script;
    private readonly Task _serve;
    private readonly CancellationTokenSource _stopping = new();

    public FakeBroker(Func<FakeBroker, NetworkStream, Task> script)
    {
        _script = script;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _serve = ServeAsync();
    }

    public int Port { get; }

    public int Connections { get; private set; }

    public static byte[] Encode(MqttPacket packet)
    {
        var buffer = new ArrayBufferWriter<byte>();
        new MqttPacketCodec().Encode(packet, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Read one whole packet from the client.</summary>
    public async Task<MqttPacket> ReadPacketAsync(NetworkStream stream)
    {
        var buffer = new byte[4096];
        var filled = 0;
        while (true)
        {
            if (filled > 0 && _codec.TryDecode(buffer.AsSpan(0, filled), out var packet, out _) == OperationStatus.Done) return packet!;
            var read = await stream.ReadAsync(buffer.AsMemory(filled));
            if (read == 0) throw new EndOfStreamException("client closed");
            filled += read;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        _listener.Stop();
        try { await _serve; } catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException or IOException or EndOfStreamException or InvalidOperationException) { }
    }

    private async Task ServeAsync()
    {
        while (true)
        {
            using var client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            Connections++;
            await using var stream = client.GetStream();
            try
            {
                await _script(this, stream);
            }
            catch (Exception ex) when (ex is IOException or EndOfStreamException or SocketException || _stopping.IsCancellationRequested)
            {
                // the client hung up, which is what the test is about
            }
        }
    }
}
