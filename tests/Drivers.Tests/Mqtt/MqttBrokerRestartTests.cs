using System.Collections.Concurrent;
using Gateway.Drivers.Mqtt;
using MQTTnet.Formatter;
using static Gateway.Drivers.Tests.Mqtt.MqttTestSupport;

namespace Gateway.Drivers.Tests.Mqtt;

/// <summary>
/// kill -9 of the broker in the middle of a QoS 1 stream: with persistent sessions nothing is lost.
/// </summary>
/// <remarks>
/// mosquitto sends PUBACK before its next database save, so a kill -9 landing in between loses a message the broker
/// itself acknowledged: that is the broker's durability window, not the client's, and no client can close it.
/// The clients therefore reach the broker through a relay that is frozen first: they keep publishing into it, the
/// broker goes idle and saves, then it is killed, every connection is cut (bytes in transit are lost), and it is
/// restarted on the same port and database. Everything our clients had not seen acknowledged must be resent.
/// </remarks>
[Trait(PeerTraits.Name, PeerTraits.Mosquitto)]
public sealed class MqttBrokerRestartTests
{
    [Theory]
    [InlineData(MqttProtocolVersion.V500)]
    [InlineData(MqttProtocolVersion.V311)]
    public async Task Broker_killed_and_restarted_mid_stream_loses_no_qos1_message(MqttProtocolVersion version)
    {
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoSettings { Persistence = true });
        var topic = UniqueId("stream") + "/setpoints";
        const int count = 500;

        await using var relay = new PausableTcpProxy(broker.Port);
        MqttClientOptions ViaRelay(string clientId)
        {
            var direct = Options(broker, clientId, cleanSession: false, version);
            return new MqttClientOptions
            {
                ProtocolVersion = version, Host = direct.Host, Port = relay.Port, ClientId = clientId, CleanSession = false,
                ConnectTimeout = direct.ConnectTimeout, OperationTimeout = direct.OperationTimeout, Reconnect = direct.Reconnect,
            };
        }

        var received = new ConcurrentDictionary<int, int>();
        await using var subscriber = new MqttClient(ViaRelay(UniqueId("sub")));
        await subscriber.ConnectAsync();
        await subscriber.SubscribeAsync(topic, MqttQos.AtLeastOnce, (message, _) =>
        {
            received.AddOrUpdate(int.Parse(Text(message)), 1, (_, n) => n + 1);
            return ValueTask.CompletedTask;
        });
        await using var publisher = new MqttClient(ViaRelay(UniqueId("pub")));
        var reconnects = 0;
        publisher.ConnectionStateChanged += (_, e) => { if (e.State == MqttConnectionState.Reconnecting) Interlocked.Increment(ref reconnects); };
        await publisher.ConnectAsync();
        await Task.Delay(1100); // let the broker save the subscriber's session once before the storm

        var publishes = new List<Task>(count);
        Task? restart = null;
        var pendingAtKill = 0;
        for (var i = 0; i < count; i++)
        {
            publishes.Add(publisher.PublishAsync(topic, Utf8(i.ToString()), MqttQos.AtLeastOnce, retain: false));
            if (i % 25 == 0) await Task.Delay(2);
            if (i == count / 2)
            {
                relay.Pause();
                restart = Task.Run(async () =>
                {
                    await Task.Delay(500); // the broker saves after every change; idle, it has saved everything
                    pendingAtKill = publisher.PendingMessageCount;
                    broker.Kill();
                    relay.CutAll();
                    await Task.Delay(300);
                    await broker.RestartAsync();
                    relay.Resume();
                });
            }
        }
        await restart!;
        var all = Task.WhenAll(publishes);
        Assert.Same(all, await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(30))));
        await all; // every publish was acknowledged, some only after the restart

        await Waits.UntilAsync(() => received.Count == count,
            () => $"{received.Count} of {count} distinct messages arrived; missing: {string.Join(",", Enumerable.Range(0, count).Where(i => !received.ContainsKey(i)).Take(20))}",
            TimeSpan.FromSeconds(20));
        Assert.True(reconnects >= 1, "the publisher never noticed the broker going away");
        Assert.True(pendingAtKill > 0, "nothing was in flight when the broker died: the test did not test redelivery");
        Assert.Equal(MqttConnectionState.Connected, subscriber.State);
        Assert.Equal(0, publisher.PendingMessageCount);
        Assert.Equal(version, publisher.ProtocolVersion);
    }
}
