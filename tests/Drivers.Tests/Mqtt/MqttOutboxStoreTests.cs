using System.Collections.Concurrent;
using Gateway.Drivers.Mqtt;
using static Gateway.Drivers.Tests.Mqtt.MqttTestSupport;

namespace Gateway.Drivers.Tests.Mqtt;

/// <summary>QoS 1 messages a gateway accepted survive its restart in the durable outbox, and are sent by the next process.</summary>
[Trait(PeerTraits.Name, PeerTraits.Mosquitto)]
public sealed class MqttOutboxStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mqtt-outbox-" + Guid.NewGuid().ToString("N")[..10]);

    private string StorePath => Path.Combine(_directory, "gateway.mqtt-outbox.db");

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void The_store_keeps_messages_in_order_with_their_properties_until_removed()
    {
        long first, second;
        using (var store = new SqliteMqttOutboxStore(StorePath))
        {
            first = store.Add(new MqttStoredMessage(0, "a/1", [1, 2, 3], MqttQos.AtLeastOnce, true, [new("round", "r1")]));
            second = store.Add(new MqttStoredMessage(0, "a/2", [], MqttQos.ExactlyOnce, false, []));
            store.Add(new MqttStoredMessage(0, "a/3", [9], MqttQos.AtLeastOnce, false, []));
            store.Remove(second);
        }
        using var reopened = new SqliteMqttOutboxStore(StorePath);
        var messages = reopened.Load();
        Assert.Equal(["a/1", "a/3"], messages.Select(m => m.Topic));
        Assert.Equal(first, messages[0].Id);
        Assert.Equal(new byte[] { 1, 2, 3 }, messages[0].Payload);
        Assert.True(messages[0].Retain);
        Assert.Equal("r1", Assert.Single(messages[0].UserProperties).Value);
    }

    [Fact]
    public void A_file_that_is_not_a_store_is_refused_naming_it()
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllText(StorePath, "this is not SQLite, it is a rig file someone put here");
        var error = Assert.Throws<IOException>(() => new SqliteMqttOutboxStore(StorePath));
        Assert.Contains(StorePath, error.Message);
    }

    [Fact]
    public async Task Messages_published_while_the_broker_is_down_are_delivered_after_the_gateway_restarts()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var topic = UniqueId("outbox") + "/rounds";
        const int count = 50;

        // First gateway process: connected, then the broker dies; it keeps accepting QoS 1 messages, then it stops.
        var store = new SqliteMqttOutboxStore(StorePath);
        var options = Options(broker, UniqueId("gw"));
        var gateway = new MqttClient(new MqttClientOptions
        {
            Host = options.Host, Port = options.Port, ClientId = options.ClientId, OutboxStore = store,
            Reconnect = new MqttReconnectOptions { InitialDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromMilliseconds(200) },
        });
        await gateway.ConnectAsync();
        var down = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gateway.ConnectionStateChanged += (_, e) => { if (e.State == MqttConnectionState.Reconnecting) down.TrySetResult(); };
        broker.Kill();
        await down.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var accepted = Enumerable.Range(0, count).Select(i => gateway.PublishAsync(topic, Utf8($"round {i}"), MqttQos.AtLeastOnce, false, [new("round", $"r{i}")])).ToArray();
        await Waits.UntilAsync(() => gateway.PendingMessageCount == count, () => $"{gateway.PendingMessageCount} pending", TimeSpan.FromSeconds(5));
        await gateway.DisposeAsync();
        store.Dispose();
        // Dispose fails the waiting callers; their tasks finish on the thread pool right after, not inside DisposeAsync.
        await Task.WhenAny(Task.WhenAll(accepted), Task.Delay(TimeSpan.FromSeconds(10)));
        Assert.All(accepted, t => Assert.True(t.IsFaulted, $"a message with the broker down ended {t.Status}, not refused by the dispose"));
        using (var left = new SqliteMqttOutboxStore(StorePath)) Assert.Equal(count, left.Load().Count);

        // The broker comes back; an operator subscribes; the restarted gateway opens the same store and connects.
        await broker.RestartAsync();
        var received = new ConcurrentQueue<MqttApplicationMessage>();
        await using var operatorClient = await ConnectedAsync(Options(broker, UniqueId("scada")));
        await operatorClient.SubscribeAsync(topic, MqttQos.AtLeastOnce, Collect(received));
        using var reopened = new SqliteMqttOutboxStore(StorePath);
        await using var restarted = new MqttClient(new MqttClientOptions
        {
            Host = options.Host, Port = options.Port, ClientId = options.ClientId, OutboxStore = reopened, Reconnect = options.Reconnect,
        });
        Assert.Equal(count, restarted.PendingMessageCount);
        await restarted.ConnectAsync();

        await Waits.UntilAsync(() => received.Count >= count, () => $"{received.Count} of {count} delivered", TimeSpan.FromSeconds(10));
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"round {i}"), received.Select(Text));
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"r{i}"), received.Select(m => m.UserProperty("round")));
        await Waits.UntilAsync(() => restarted.PendingMessageCount == 0, () => $"{restarted.PendingMessageCount} still pending", TimeSpan.FromSeconds(5));
        Assert.Empty(reopened.Load());
    }
}
