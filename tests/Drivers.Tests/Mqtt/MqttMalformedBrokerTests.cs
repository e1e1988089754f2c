using System.Collections.Concurrent;
using Gateway.Drivers.Mqtt;
using Gateway.Drivers.Mqtt.Packets;

namespace Gateway.Drivers.Tests.Mqtt;

/// <summary>A broker that sends malformed packets: the client closes the connection with a clear error and lives on.</summary>
public sealed class MqttMalformedBrokerTests
{
    private static readonly byte[] ConnAckAccepted = [0x20, 0x02, 0x00, 0x00];

    private static MqttClientOptions Options(int port) => new()
    {
        Port = port,
        ClientId = "victim",
        ConnectTimeout = TimeSpan.FromSeconds(5),
        Reconnect = new MqttReconnectOptions { Enabled = false },
    };

    private static async Task<MqttConnectionStateChangedEventArgs> DisconnectionAfterConnectAsync(byte[] afterConnAck, bool closeAfter)
    {
        await using var broker = new FakeBroker(async (self, stream) =>
        {
            Assert.IsType<MqttConnectPacket>(await self.ReadPacketAsync(stream));
            await stream.WriteAsync(ConnAckAccepted);
            await Task.Delay(50);
            await stream.WriteAsync(afterConnAck);
            if (!closeAfter) await self.ReadPacketAsync(stream); // waits until the client hangs up
        });
        await using var client = new MqttClient(Options(broker.Port));
        var down = new TaskCompletionSource<MqttConnectionStateChangedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ConnectionStateChanged += (_, e) => { if (e.State == MqttConnectionState.Disconnected) down.TrySetResult(e); };
        await client.ConnectAsync();
        var result = await down.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(MqttConnectionState.Disconnected, client.State);
        return result;
    }

    [Fact]
    public async Task Five_byte_remaining_length_closes_the_connection_citing_the_spec()
    {
        var down = await DisconnectionAfterConnectAsync([0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F], closeAfter: false);
        var violation = Assert.IsType<MqttProtocolException>(down.Reason);
        Assert.Equal("MQTT-2.2.3", violation.Clause);
        Assert.Contains("remaining length", violation.Message);
    }

    [Fact]
    public async Task Truncated_packet_closes_the_connection_with_a_clear_error()
    {
        // PUBLISH announcing 10 bytes, 3 sent, then the broker hangs up.
        var down = await DisconnectionAfterConnectAsync([0x30, 0x0A, 0x00, 0x03, 0x61], closeAfter: true);
        var violation = Assert.IsType<MqttProtocolException>(down.Reason);
        Assert.Contains("truncated", violation.Message);
        Assert.Contains("12-byte Publish packet", violation.Message);
    }

    [Fact]
    public async Task Invalid_flags_from_the_broker_close_the_connection()
    {
        var down = await DisconnectionAfterConnectAsync([0x36, 0x05, 0x00, 0x01, 0x61, 0x00, 0x01], closeAfter: false); // QoS 3
        Assert.Equal("MQTT-3.3.1-4", Assert.IsType<MqttProtocolException>(down.Reason).Clause);
    }

    [Fact]
    public async Task Malformed_connack_fails_connect_and_the_client_can_try_again()
    {
        var attempt = 0;
        await using var broker = new FakeBroker(async (self, stream) =>
        {
            await self.ReadPacketAsync(stream);
            if (Interlocked.Increment(ref attempt) == 1)
            {
                await stream.WriteAsync(new byte[] { 0x20, 0x03, 0x00, 0x00, 0x00 }); // CONNACK with a wrong length
            }
            else
            {
                await stream.WriteAsync(ConnAckAccepted);
                await self.ReadPacketAsync(stream); // DISCONNECT
            }
        });
        await using var client = new MqttClient(Options(broker.Port));
        var first = await Assert.ThrowsAsync<MqttProtocolException>(() => client.ConnectAsync());
        Assert.Equal("MQTT-2.2.3", first.Clause);
        Assert.Equal(MqttConnectionState.Disconnected, client.State);
        await client.ConnectAsync();
        Assert.Equal(MqttConnectionState.Connected, client.State);
    }

    [Fact]
    public async Task A_first_packet_other_than_connack_is_refused()
    {
        await using var broker = new FakeBroker(async (self, stream) =>
        {
            await self.ReadPacketAsync(stream);
            await stream.WriteAsync(FakeBroker.Encode(MqttPingRespPacket.Instance));
            await self.ReadPacketAsync(stream);
        });
        await using var client = new MqttClient(Options(broker.Port));
        var ex = await Assert.ThrowsAsync<MqttProtocolException>(() => client.ConnectAsync());
        Assert.Equal("MQTT-3.2.0-1", ex.Clause);
    }

    [Fact]
    public async Task Reconnects_after_a_malformed_packet_and_keeps_the_unacknowledged_message()
    {
        var publishes = new ConcurrentQueue<MqttPublishPacket>();
        var connection = 0;
        await using var broker = new FakeBroker(async (self, stream) =>
        {
            await self.ReadPacketAsync(stream);
            await stream.WriteAsync(ConnAckAccepted);
            var publish = Assert.IsType<MqttPublishPacket>(await self.ReadPacketAsync(stream));
            publishes.Enqueue(publish);
            if (Interlocked.Increment(ref connection) == 1)
            {
                await stream.WriteAsync(new byte[] { 0x40, 0x03, 0x00, 0x01, 0x00 }); // PUBACK with a bad length
                await self.ReadPacketAsync(stream);
            }
            else
            {
                await stream.WriteAsync(FakeBroker.Encode(new MqttPubAckPacket(publish.PacketId)));
                await self.ReadPacketAsync(stream);
            }
        });
        var options = Options(broker.Port);
        await using var client = new MqttClient(new MqttClientOptions
        {
            Port = options.Port, ClientId = "victim", CleanSession = false,
            Reconnect = new MqttReconnectOptions { InitialDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(200) },
        });
        await client.ConnectAsync();
        await client.PublishAsync("a/b", "x"u8.ToArray(), MqttQos.AtLeastOnce, retain: false).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, publishes.Count);
        var (first, again) = (publishes.First(), publishes.Last());
        Assert.False(first.Duplicate);
        Assert.True(again.Duplicate);
        Assert.Equal(first.PacketId, again.PacketId);
    }
}
