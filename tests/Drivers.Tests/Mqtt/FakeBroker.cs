using System.Net;
using System.Net.Sockets;

namespace Gateway.Drivers.Tests.Mqtt;

/// <summary>
/// A scripted "broker" on a loopback TcpListener: it reads the client's packets by their fixed header only and
/// sends whatever bytes the test dictates, including garbage a real broker never would.
/// </summary>
internal sealed class FakeBroker : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
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

    /// <summary>Read one whole packet from the client: its first byte (type and flags) and its body.</summary>
    public static async Task<(byte Header, byte[] Body)> ReadPacketAsync(NetworkStream stream)
    {
        var header = await ReadByteAsync(stream);
        int length = 0, shift = 0;
        byte next;
        do
        {
            next = await ReadByteAsync(stream);
            length |= (next & 0x7F) << shift;
            shift += 7;
        } while ((next & 0x80) != 0 && shift < 28);
        var body = new byte[length];
        await stream.ReadExactlyAsync(body);
        return (header, body);
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        _listener.Stop();
        try { await _serve; } catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException or IOException or EndOfStreamException or InvalidOperationException) { }
    }

    private static async Task<byte> ReadByteAsync(NetworkStream stream)
    {
        var one = new byte[1];
        await stream.ReadExactlyAsync(one);
        return one[0];
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
