using System.Collections.Concurrent;
using System.Text;
using Gateway.Drivers.Mqtt;
using MQTTnet.Channel;
using MQTTnet.Formatter;

namespace Gateway.Drivers.Tests.Mqtt;

internal static class MqttTestSupport
{
    public static string UniqueId(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..10]}";

    public static MqttClientOptions Options(MosquittoBroker broker, string clientId, bool cleanSession = true, MqttProtocolVersion version = MqttProtocolVersion.V500) => new()
    {
        ProtocolVersion = version,
        Host = "127.0.0.1",
        Port = broker.Port,
        ClientId = clientId,
        CleanSession = cleanSession,
        KeepAlive = TimeSpan.FromSeconds(30),
        ConnectTimeout = TimeSpan.FromSeconds(5),
        OperationTimeout = TimeSpan.FromSeconds(5),
        Reconnect = new MqttReconnectOptions { InitialDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(1) },
    };

    public static async Task<MqttClient> ConnectedAsync(MqttClientOptions options, IMqttClientStreamProvider? streamProvider = null)
    {
        var client = new MqttClient(options, streamProvider: streamProvider);
        await client.ConnectAsync();
        return client;
    }


    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public static string Text(MqttApplicationMessage message) => Encoding.UTF8.GetString(message.Payload.Span);

    /// <summary>A handler that records every message.</summary>
    public static MqttMessageHandler Collect(ConcurrentQueue<MqttApplicationMessage> into) => (message, _) =>
    {
        into.Enqueue(message);
        return ValueTask.CompletedTask;
    };
}
