using System.Collections.Concurrent;
using Gateway.Drivers.Mqtt;
using MQTTnet.Formatter;
using static Gateway.Drivers.Tests.Mqtt.MqttTestSupport;

namespace Gateway.Drivers.Tests.Mqtt;

/// <summary>One mosquitto shared by the tests of <see cref="MqttBrokerTests"/>; each test uses its own topics.</summary>
[Trait(PeerTraits.Name, PeerTraits.Mosquitto)]
public sealed class SharedMosquitto : IAsyncLifetime
{
    internal MosquittoBroker Broker { get; private set; } = null!;

    public async Task InitializeAsync() => Broker = await MosquittoBroker.StartAsync(new MosquittoSettings { SysIntervalSeconds = 1 });

    public async Task DisposeAsync() => await Broker.DisposeAsync();
}

/// <summary>Our client against the real mosquitto: pub/sub, wildcards, retained, will, keep-alive.</summary>
public sealed class MqttBrokerTests(SharedMosquitto shared) : IClassFixture<SharedMosquitto>
{
    private MosquittoBroker Broker => shared.Broker;

    [Theory]
    [InlineData(MqttQos.AtMostOnce, MqttProtocolVersion.V500)]
    [InlineData(MqttQos.AtLeastOnce, MqttProtocolVersion.V500)]
    [InlineData(MqttQos.ExactlyOnce, MqttProtocolVersion.V500)]
    [InlineData(MqttQos.AtMostOnce, MqttProtocolVersion.V311)]
    [InlineData(MqttQos.AtLeastOnce, MqttProtocolVersion.V311)]
    [InlineData(MqttQos.ExactlyOnce, MqttProtocolVersion.V311)]
    public async Task Publish_and_subscribe_round_trip(MqttQos qos, MqttProtocolVersion version)
    {
        var topic = UniqueId("pubsub");
        var received = new ConcurrentQueue<MqttApplicationMessage>();
        await using var subscriber = await ConnectedAsync(Options(Broker, UniqueId("sub"), version: version));
        Assert.Equal(qos, await subscriber.SubscribeAsync(topic + "/#", qos, Collect(received)));
        await using var publisher = await ConnectedAsync(Options(Broker, UniqueId("pub"), version: version));
        Assert.Equal(version, publisher.ProtocolVersion);

        const int count = 200;
        await Task.WhenAll(Enumerable.Range(0, count).Select(i => publisher.PublishAsync($"{topic}/m", Utf8($"msg {i}"), qos, retain: false)));

        await Waits.UntilAsync(() => received.Count >= count, () => $"{received.Count} of {count} received", TimeSpan.FromSeconds(10));
        await Task.Delay(qos == MqttQos.ExactlyOnce ? 200 : 0);
        var texts = received.Select(Text).ToList();
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"msg {i}").Order(), texts.Order());
        Assert.All(received, m => Assert.Equal(qos, m.Qos));
        Assert.Equal(0, publisher.PendingMessageCount);
    }

    [Fact]
    public async Task Qos1_messages_published_in_order_arrive_in_order()
    {
        var topic = UniqueId("order");
        var received = new ConcurrentQueue<MqttApplicationMessage>();
        await using var subscriber = await ConnectedAsync(Options(Broker, UniqueId("sub")));
        await subscriber.SubscribeAsync(topic, MqttQos.AtLeastOnce, Collect(received));
        await using var publisher = await ConnectedAsync(Options(Broker, UniqueId("pub")));
        for (var i = 0; i < 100; i++) await publisher.PublishAsync(topic, Utf8(i.ToString()), MqttQos.AtLeastOnce, retain: false);
        await Waits.UntilAsync(() => received.Count >= 100, () => $"{received.Count} received", TimeSpan.FromSeconds(10));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => i.ToString()), received.Select(Text));
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V500)]
    [InlineData(MqttProtocolVersion.V311)]
    public async Task Wildcards_route_to_the_matching_handlers_and_hash_never_sees_sys_topics(MqttProtocolVersion version)
    {
        var root = UniqueId("wild");
        var plus = new ConcurrentQueue<MqttApplicationMessage>();
        var hash = new ConcurrentQueue<MqttApplicationMessage>();
        var everything = new ConcurrentQueue<MqttApplicationMessage>();
        var sys = new ConcurrentQueue<MqttApplicationMessage>();
        // Overlapping filters: MQTT 5 brokers send a copy per subscription, each naming its subscription identifier.
        await using var client = await ConnectedAsync(Options(Broker, UniqueId("wild"), version: version));
        await client.SubscribeAsync($"{root}/+/power_kw", MqttQos.AtLeastOnce, Collect(plus));
        await client.SubscribeAsync($"{root}/ev-1/#", MqttQos.AtLeastOnce, Collect(hash));
        await client.SubscribeAsync("#", MqttQos.AtMostOnce, Collect(everything));
        await using var sysClient = await ConnectedAsync(Options(Broker, UniqueId("sys")));
        await sysClient.SubscribeAsync("$SYS/broker/uptime", MqttQos.AtMostOnce, Collect(sys));

        await client.PublishAsync($"{root}/ev-1/power_kw", Utf8("7.4"), MqttQos.AtLeastOnce, false);
        await client.PublishAsync($"{root}/pv-2/power_kw", Utf8("3.1"), MqttQos.AtLeastOnce, false);
        await client.PublishAsync($"{root}/ev-1/soc/pct", Utf8("55"), MqttQos.AtLeastOnce, false);
        await client.PublishAsync($"{root}/pv-2/energy_kwh", Utf8("12"), MqttQos.AtLeastOnce, false);

        // $SYS/broker/uptime is published every second, so "#" had the chance to (wrongly) see it.
        await Waits.UntilAsync(() => sys.Count >= 2 && everything.Count(m => m.Topic.StartsWith(root)) >= 4,
            () => $"$SYS {sys.Count}, # {everything.Count}", TimeSpan.FromSeconds(5));
        Assert.Equal(new[] { $"{root}/ev-1/power_kw", $"{root}/pv-2/power_kw" }, plus.Select(m => m.Topic).Order());
        Assert.Equal(new[] { $"{root}/ev-1/power_kw", $"{root}/ev-1/soc/pct" }, hash.Select(m => m.Topic).Order());
        Assert.DoesNotContain(everything, m => m.Topic.StartsWith('$'));
        Assert.All(sys, m => Assert.Equal("$SYS/broker/uptime", m.Topic));
    }

    [Fact]
    public async Task Retained_message_is_set_and_cleared()
    {
        var topic = UniqueId("retained") + "/status";
        await using var publisher = await ConnectedAsync(Options(Broker, UniqueId("pub")));
        await publisher.PublishAsync(topic, Utf8("online"), MqttQos.AtLeastOnce, retain: true);

        var first = new ConcurrentQueue<MqttApplicationMessage>();
        await using var late = await ConnectedAsync(Options(Broker, UniqueId("late")));
        await late.SubscribeAsync(topic, MqttQos.AtLeastOnce, Collect(first));
        await Waits.UntilAsync(() => first.Count == 1, () => "retained message not delivered", TimeSpan.FromSeconds(5));
        Assert.True(first.Single().Retain);
        Assert.Equal("online", Text(first.Single()));

        // An empty retained payload clears it [MQTT-3.3.1-10].
        await publisher.PublishAsync(topic, ReadOnlyMemory<byte>.Empty, MqttQos.AtLeastOnce, retain: true);
        var second = new ConcurrentQueue<MqttApplicationMessage>();
        await using var later = await ConnectedAsync(Options(Broker, UniqueId("later")));
        await later.SubscribeAsync(topic, MqttQos.AtLeastOnce, Collect(second));
        await publisher.PublishAsync(topic, Utf8("live"), MqttQos.AtLeastOnce, retain: false);
        await Waits.UntilAsync(() => second.Count >= 1, () => "live message not delivered", TimeSpan.FromSeconds(5));
        await Task.Delay(100);
        var only = Assert.Single(second);
        Assert.Equal("live", Text(only));
        Assert.False(only.Retain);
    }

    [Fact]
    public async Task Will_is_published_when_the_socket_dies_without_disconnect()
    {
        await using var watch = await WatchStatusAsync();
        var (status, seen) = (watch.Topic, watch.Seen);

        var channels = new CuttableStreamProvider();
        await using var gateway = await ConnectedAsync(GatewayWithWill(status, retain: true, new MqttReconnectOptions { Enabled = false }), channels);
        await gateway.PublishAsync(status, Utf8("online"), MqttQos.AtLeastOnce, retain: true);
        await Waits.UntilAsync(() => seen.Count >= 1, () => "online status not seen", TimeSpan.FromSeconds(5));

        await channels.CutAsync(); // the socket dies; no DISCONNECT goes out
        await Waits.UntilAsync(() => seen.Count >= 2, () => "will not published", TimeSpan.FromSeconds(5));
        Assert.Equal(new[] { "online", "offline" }, seen.Select(Text));
        await Waits.UntilAsync(() => gateway.State == MqttConnectionState.Disconnected, () => $"state {gateway.State}", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Birth_message_restores_online_after_the_will_announced_offline()
    {
        await using var watch = await WatchStatusAsync();
        var (status, seen) = (watch.Topic, watch.Seen);

        var channels = new CuttableStreamProvider();
        var birth = new MqttWillMessage(status, Utf8("online"), MqttQos.AtLeastOnce, Retain: true);
        await using var gateway = await ConnectedAsync(GatewayWithWill(status, retain: true, Options(Broker, "any").Reconnect, birth), channels);
        await Waits.UntilAsync(() => seen.Count >= 1, () => "birth message not seen", TimeSpan.FromSeconds(5));

        await channels.CutAsync(); // socket dies: will "offline", then the reconnect publishes "online"
        await Waits.UntilAsync(() => seen.Count >= 3, () => string.Join(",", seen.Select(Text)), TimeSpan.FromSeconds(5));
        Assert.Equal(new[] { "online", "offline", "online" }, seen.Select(Text));
        Assert.Equal(MqttConnectionState.Connected, gateway.State);
    }

    [Fact]
    public async Task Clean_disconnect_discards_the_will()
    {
        await using var watch = await WatchStatusAsync();
        var (status, seen) = (watch.Topic, watch.Seen);
        var gateway = await ConnectedAsync(GatewayWithWill(status, retain: false, new MqttReconnectOptions()));
        await gateway.DisconnectAsync();
        await gateway.DisposeAsync();
        await watch.Watcher.PublishAsync(status, Utf8("marker"), MqttQos.AtLeastOnce, false);
        await Waits.UntilAsync(() => seen.Count >= 1, () => "marker not seen", TimeSpan.FromSeconds(5));
        await Task.Delay(200);
        Assert.Equal(new[] { "marker" }, seen.Select(Text));
    }

    [Fact]
    public async Task Keep_alive_pings_hold_an_idle_connection_open()
    {
        var options = Options(Broker, UniqueId("idle"));
        await using var client = await ConnectedAsync(new MqttClientOptions
        {
            Host = options.Host, Port = options.Port, ClientId = options.ClientId, KeepAlive = TimeSpan.FromSeconds(1),
            Reconnect = new MqttReconnectOptions { Enabled = false },
        });
        var states = new ConcurrentQueue<MqttConnectionState>();
        client.ConnectionStateChanged += (_, e) => states.Enqueue(e.State);
        // mosquitto drops a client silent for 1.5 × keep-alive; 3 s idle is two of those windows.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(MqttConnectionState.Connected, client.State);
        Assert.Empty(states);
        Assert.Equal(MqttConnectionState.Connected, client.State);
        await client.PublishAsync(UniqueId("idle"), Utf8("still here"), MqttQos.AtLeastOnce, false);
    }

    [Fact]
    public async Task Unsubscribe_stops_delivery_and_empty_client_id_is_accepted_with_clean_session()
    {
        var topic = UniqueId("unsub");
        var received = new ConcurrentQueue<MqttApplicationMessage>();
        await using var client = await ConnectedAsync(Options(Broker, clientId: ""));
        await client.SubscribeAsync(topic, MqttQos.AtLeastOnce, Collect(received));
        await client.PublishAsync(topic, Utf8("one"), MqttQos.AtLeastOnce, false);
        await Waits.UntilAsync(() => received.Count == 1, () => "first message missing", TimeSpan.FromSeconds(5));
        await client.UnsubscribeAsync([topic]);
        await client.PublishAsync(topic, Utf8("two"), MqttQos.AtLeastOnce, false);
        await Task.Delay(200);
        Assert.Equal(new[] { "one" }, received.Select(Text));
    }

    [Fact]
    public async Task Messages_without_a_handler_go_to_the_received_channel()
    {
        var topic = UniqueId("channel");
        await using var client = await ConnectedAsync(Options(Broker, UniqueId("ch")));
        Assert.Equal(MqttQos.AtLeastOnce, await client.SubscribeAsync(topic, MqttQos.AtLeastOnce));
        await client.PublishAsync(topic, Utf8("via channel"), MqttQos.AtLeastOnce, false);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var message = await client.ReceivedMessages.ReadAsync(timeout.Token);
        Assert.Equal((topic, "via channel"), (message.Topic, Text(message)));
    }

    [Fact]
    public async Task Persistent_session_queues_qos1_messages_while_the_subscriber_is_away()
    {
        var topic = UniqueId("offline");
        var subscriberId = UniqueId("persistent");
        var first = new MqttClient(Options(Broker, subscriberId, cleanSession: false));
        await first.ConnectAsync();
        await first.SubscribeAsync(topic, MqttQos.AtLeastOnce);
        await first.DisconnectAsync();
        await first.DisposeAsync();

        await using (var publisher = await ConnectedAsync(Options(Broker, UniqueId("pub"))))
        {
            for (var i = 0; i < 10; i++) await publisher.PublishAsync(topic, Utf8($"queued {i}"), MqttQos.AtLeastOnce, false);
        }

        // The broker still holds the subscription; this instance has no handler for it, so the queued messages
        // arrive on ReceivedMessages right after CONNACK.
        await using var second = new MqttClient(Options(Broker, subscriberId, cleanSession: false));
        var sessionPresent = false;
        second.ConnectionStateChanged += (_, e) => sessionPresent |= e.SessionPresent;
        await Assert.ThrowsAsync<MqttCommunicationException>(() => second.SubscribeAsync(topic, MqttQos.AtLeastOnce, Collect(new())));
        await second.ConnectAsync();
        await Waits.UntilAsync(() => second.ReceivedMessages.Count >= 10, () => $"{second.ReceivedMessages.Count} queued messages arrived", TimeSpan.FromSeconds(5));
        Assert.True(sessionPresent);
        var texts = new List<string>();
        while (second.ReceivedMessages.TryRead(out var message)) texts.Add(Text(message));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"queued {i}"), texts);
    }

    private async Task<StatusWatch> WatchStatusAsync()
    {
        var seen = new ConcurrentQueue<MqttApplicationMessage>();
        var watcher = await ConnectedAsync(Options(Broker, UniqueId("watch")));
        var topic = UniqueId("gw") + "/status";
        await watcher.SubscribeAsync(topic, MqttQos.AtLeastOnce, Collect(seen));
        return new StatusWatch(topic, seen, watcher);
    }

    // A gateway-like client whose will announces "offline" on the watched status topic.
    private MqttClientOptions GatewayWithWill(string status, bool retain, MqttReconnectOptions reconnect, MqttWillMessage? birth = null)
    {
        var options = Options(Broker, UniqueId("gateway"));
        return new MqttClientOptions
        {
            Host = options.Host, Port = options.Port, ClientId = options.ClientId,
            Will = new MqttWillMessage(status, Utf8("offline"), MqttQos.AtLeastOnce, Retain: retain),
            BirthMessage = birth,
            Reconnect = reconnect,
        };
    }

    private sealed record StatusWatch(string Topic, ConcurrentQueue<MqttApplicationMessage> Seen, MqttClient Watcher) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Watcher.DisposeAsync();
    }
}
