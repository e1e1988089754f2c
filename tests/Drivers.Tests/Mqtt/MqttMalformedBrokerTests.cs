using System.Collections.Concurrent;
using Gateway.Drivers.Mqtt;
using MQTTnet.Formatter;

namespace Gateway.Drivers.Tests.Mqtt;

/// <summary>
/// A broker that sends malformed packets (speaking MQTT 3.1.1): the client closes the connection with a clear error,
/// never crashes, and reconnects with its unacknowledged message.
/// </summary>
public sealed class MqttMalformedBrokerTests
{
    private static readonly byte[] ConnAckAccepted = [0x20, 0x02, 0x00, 0x00];

    private static MqttClientOptions Options(int port) => new()
    {
        Port = port,
        ClientId = "victim",
        ProtocolVersion = MqttProtocolVersion.V311,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        Reconnect = new MqttReconnectOptions { Enabled = false },
    };

    private static async Task<MqttConnectionStateChangedEventArgs> DisconnectionAfterConnectAsync(byte[] afterConnAck, bool closeAfter)
    {
        await using var broker = new FakeBroker(async (_, stream) =>
        {
            Assert.Equal(0x10, (await FakeBroker.ReadPacketAsync(stream)).Header); // CONNECT
            await stream.WriteAsync(ConnAckAccepted);
            await Task.Delay(50);
            await stream.WriteAsync(afterConnAck);
            if (!closeAfter) await FakeBroker.ReadPacketAsync(stream); // waits until the client hangs up
        });
        await using var client = new MqttClient(Options(broker.Port));
        var down = new TaskCompletionSource<MqttConnectionStateChangedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ConnectionStateChanged += (_, e) => { if (e.State == MqttConnectionState.Disconnected) down.TrySetResult(e); };
        await client.ConnectAsync();
        var result = await down.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(MqttConnectionState.Disconnected, client.State);
        return result;
    }

    [Fact]
    public async Task Five_byte_remaining_length_closes_the_connection_with_a_protocol_error()
    {
        var down = await DisconnectionAfterConnectAsync([0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F], closeAfter: false);
        var error = Assert.IsAssignableFrom<MqttCommunicationException>(down.Reason);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Fact]
    public async Task Truncated_packet_closes_the_connection_with_a_clear_error()
    {
        // PUBLISH announcing 10 bytes, 3 sent, then the broker hangs up.
        var down = await DisconnectionAfterConnectAsync([0x30, 0x0A, 0x00, 0x03, 0x61], closeAfter: true);
        var error = Assert.IsAssignableFrom<MqttCommunicationException>(down.Reason);
        Assert.Contains("lost", error.Message);
    }

    [Fact]
    public async Task Malformed_connack_fails_connect_and_the_client_can_try_again()
    {
        var attempt = 0;
        await using var broker = new FakeBroker(async (_, stream) =>
        {
            await FakeBroker.ReadPacketAsync(stream);
            if (Interlocked.Increment(ref attempt) == 1)
            {
                await stream.WriteAsync(new byte[] { 0x20, 0x01, 0x00 }); // CONNACK one byte short
                await FakeBroker.ReadPacketAsync(stream);
            }
            else
            {
                await stream.WriteAsync(ConnAckAccepted);
                await FakeBroker.ReadPacketAsync(stream); // DISCONNECT
            }
        });
        await using var client = new MqttClient(Options(broker.Port));
        var first = await Assert.ThrowsAnyAsync<MqttCommunicationException>(() => client.ConnectAsync());
        Assert.Contains($"127.0.0.1:{broker.Port}", first.Message);
        Assert.Equal(MqttConnectionState.Disconnected, client.State);
        await client.ConnectAsync();
        Assert.Equal(MqttConnectionState.Connected, client.State);
    }

    [Fact]
    public async Task A_first_packet_other_than_connack_is_refused()
    {
        await using var broker = new FakeBroker(async (_, stream) =>
        {
            await FakeBroker.ReadPacketAsync(stream);
            await stream.WriteAsync(new byte[] { 0xD0, 0x00 }); // PINGRESP
            await FakeBroker.ReadPacketAsync(stream);
        });
        await using var client = new MqttClient(Options(broker.Port));
        await Assert.ThrowsAnyAsync<MqttCommunicationException>(() => client.ConnectAsync());
        Assert.Equal(MqttConnectionState.Disconnected, client.State);
    }

    [Fact]
    public async Task Reconnects_after_a_malformed_packet_and_resends_the_unacknowledged_message_as_duplicate()
    {
        var publishes = new ConcurrentQueue<(byte Header, byte[] Body)>();
        var connection = 0;
        await using var broker = new FakeBroker(async (_, stream) =>
        {
            await FakeBroker.ReadPacketAsync(stream);
            await stream.WriteAsync(ConnAckAccepted);
            var publish = await FakeBroker.ReadPacketAsync(stream);
            Assert.Equal(0x30, publish.Header & 0xF0);
            publishes.Enqueue(publish);
            var id = publish.Body.AsSpan(2 + (publish.Body[0] << 8 | publish.Body[1]), 2).ToArray();
            if (Interlocked.Increment(ref connection) == 1)
            {
                await stream.WriteAsync(new byte[] { 0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F }); // no PUBACK: a five-byte remaining length
                await FakeBroker.ReadPacketAsync(stream);
            }
            else
            {
                await stream.WriteAsync(new byte[] { 0x40, 0x02, id[0], id[1] });
                await FakeBroker.ReadPacketAsync(stream);
            }
        });
        await using var client = new MqttClient(new MqttClientOptions
        {
            Port = broker.Port, ClientId = "victim", CleanSession = false, ProtocolVersion = MqttProtocolVersion.V311,
            Reconnect = new MqttReconnectOptions { InitialDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(200) },
        });
        await client.ConnectAsync();
        await client.PublishAsync("a/b", "x"u8.ToArray(), MqttQos.AtLeastOnce, retain: false).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, publishes.Count);
        var (first, again) = (publishes.First(), publishes.Last());
        Assert.Equal(0, first.Header & 0x08);   // DUP = 0
        Assert.Equal(0x08, again.Header & 0x08); // DUP = 1
        Assert.Equal(0, client.PendingMessageCount);
    }
}
