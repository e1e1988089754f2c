using System.Collections.Concurrent;
using Gateway.Drivers.Mqtt;
using Gateway.Drivers.Mqtt.Packets;

namespace Gateway.Drivers.Tests.Mqtt;

/// <summary>QoS 2 state across a lost connection, driven by a scripted broker that drops the line at the worst moment.</summary>
public sealed class MqttQos2HandshakeTests
{
    [Fact]
    public async Task After_pubrec_a_reconnect_resends_pubrel_not_the_publish()
    {
        var seen = new ConcurrentQueue<string>();
        var connection = 0;
        await using var broker = new FakeBroker(async (self, stream) =>
        {
            var n = Interlocked.Increment(ref connection);
            var connect = Assert.IsType<MqttConnectPacket>(await self.ReadPacketAsync(stream));
            Assert.False(connect.CleanSession);
            await stream.WriteAsync(FakeBroker.Encode(new MqttConnAckPacket(SessionPresent: n > 1, MqttConnectReturnCode.Accepted)));
            var packet = await self.ReadPacketAsync(stream);
            seen.Enqueue($"{n}:{packet.Type}");
            if (n == 1)
            {
                var publish = Assert.IsType<MqttPublishPacket>(packet);
                await stream.WriteAsync(FakeBroker.Encode(new MqttPubRecPacket(publish.PacketId)));
                var release = Assert.IsType<MqttPubRelPacket>(await self.ReadPacketAsync(stream));
                seen.Enqueue($"{n}:{release.Type}");
                return; // hang up before PUBCOMP
            }
            var resent = Assert.IsType<MqttPubRelPacket>(packet);
            await stream.WriteAsync(FakeBroker.Encode(new MqttPubCompPacket(resent.PacketId)));
            await self.ReadPacketAsync(stream); // DISCONNECT
        });
        await using var client = new MqttClient(new MqttClientOptions
        {
            Port = broker.Port, ClientId = "qos2", CleanSession = false,
            Reconnect = new MqttReconnectOptions { InitialDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(100) },
        });
        await client.ConnectAsync();
        await client.PublishAsync("ems/smes/setpoint_kw", "250"u8.ToArray(), MqttQos.ExactlyOnce, retain: false).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(new[] { "1:Publish", "1:PubRel", "2:PubRel" }, seen);
        Assert.Equal(0, client.PendingMessageCount);
    }

    [Fact]
    public async Task A_redelivered_qos2_publish_reaches_the_handler_once()
    {
        var answers = new ConcurrentQueue<MqttPacketType>();
        await using var broker = new FakeBroker(async (self, stream) =>
        {
            await self.ReadPacketAsync(stream);
            await stream.WriteAsync(FakeBroker.Encode(new MqttConnAckPacket(false, MqttConnectReturnCode.Accepted)));
            var subscribe = Assert.IsType<MqttSubscribePacket>(await self.ReadPacketAsync(stream));
            await stream.WriteAsync(FakeBroker.Encode(new MqttSubAckPacket(subscribe.PacketId, [MqttSubscribeReturnCode.GrantedQos2])));
            var publish = new MqttPublishPacket { Topic = "ems/price", Payload = "0.21"u8.ToArray(), Qos = MqttQos.ExactlyOnce, PacketId = 7 };
            await stream.WriteAsync(FakeBroker.Encode(publish));
            answers.Enqueue((await self.ReadPacketAsync(stream)).Type);
            await stream.WriteAsync(FakeBroker.Encode(publish with { Duplicate = true })); // as if our PUBREC was lost
            answers.Enqueue((await self.ReadPacketAsync(stream)).Type);
            await stream.WriteAsync(FakeBroker.Encode(new MqttPubRelPacket(7)));
            answers.Enqueue((await self.ReadPacketAsync(stream)).Type);
            await self.ReadPacketAsync(stream);
        });
        await using var client = new MqttClient(new MqttClientOptions { Port = broker.Port, ClientId = "qos2-in" });
        await client.ConnectAsync();
        var delivered = new ConcurrentQueue<MqttApplicationMessage>();
        await client.SubscribeAsync("ems/#", MqttQos.ExactlyOnce, (m, _) => { delivered.Enqueue(m); return ValueTask.CompletedTask; });
        for (var i = 0; i < 500 && answers.Count < 3; i++) await Task.Delay(10);
        Assert.Equal(new[] { MqttPacketType.PubRec, MqttPacketType.PubRec, MqttPacketType.PubComp }, answers);
        var only = Assert.Single(delivered);
        Assert.Equal("0.21"u8.ToArray(), only.Payload.ToArray());
    }
}
