using System.Net;
using System.Net.Sockets;
using MQTTnet.Channel;

namespace Gateway.Testing;

/// <summary>
/// Opens real TCP connections for the MQTT client and can close the current one without an MQTT goodbye (the gateway
/// "dies" to the broker, which then publishes its will).
/// </summary>
public sealed class CuttableStreamProvider : IMqttClientStreamProvider
{
    private Socket? _last;

    public int Connections { get; private set; }

    public async Task<Stream> ConnectAsync(EndPoint brokerEndPoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(brokerEndPoint, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        _last = socket;
        Connections++;
        return new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>Close the socket of the newest connection, as a crash or a pulled cable would.</summary>
    public Task CutAsync()
    {
        if (_last is { } socket)
        {
            // RST instead of FIN, so the broker sees an error at once, not a half-closed stream.
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        return Task.CompletedTask;
    }
}
