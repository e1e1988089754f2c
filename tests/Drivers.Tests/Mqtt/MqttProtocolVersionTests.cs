using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Gateway.Drivers.Mqtt;
using MQTTnet.Formatter;
using static Gateway.Drivers.Tests.Mqtt.MqttTestSupport;

namespace Gateway.Drivers.Tests.Mqtt;

/// <summary>MQTT 5 where it helps (user properties, session expiry) and 3.1.1 brokers still served, against mosquitto.</summary>
[Trait(PeerTraits.Name, PeerTraits.Mosquitto)]
public sealed class MqttProtocolVersionTests(SharedMosquitto shared) : IClassFixture<SharedMosquitto>
{
    private MosquittoBroker Broker => shared.Broker;

    [Fact]
    public async Task User_properties_travel_over_mqtt5_and_are_dropped_over_311()
    {
        var topic = UniqueId("props") + "/ack";
        var received5 = new ConcurrentQueue<MqttApplicationMessage>();
        var received311 = new ConcurrentQueue<MqttApplicationMessage>();
        await using var subscriber5 = await ConnectedAsync(Options(Broker, UniqueId("sub5")));
        await subscriber5.SubscribeAsync(topic, MqttQos.AtLeastOnce, Collect(received5));
        await using var subscriber311 = await ConnectedAsync(Options(Broker, UniqueId("sub311"), version: MqttProtocolVersion.V311));
        await subscriber311.SubscribeAsync(topic, MqttQos.AtLeastOnce, Collect(received311));
        await using var publisher = await ConnectedAsync(Options(Broker, UniqueId("pub")));

        await publisher.PublishAsync(topic, Utf8("{}"), MqttQos.AtLeastOnce, false,
            [new("round", "site-a-20261203T1400"), new("operator", "j.ortega"), new("note", "Grüße ⚡")]);

        await Waits.UntilAsync(() => received5.Count == 1 && received311.Count == 1, () => $"{received5.Count}/{received311.Count} received", TimeSpan.FromSeconds(5));
        var message = Assert.Single(received5);
        Assert.Equal("site-a-20261203T1400", message.UserProperty("round"));
        Assert.Equal("j.ortega", message.UserProperty("operator"));
        Assert.Equal("Grüße ⚡", message.UserProperty("note"));
        Assert.Empty(Assert.Single(received311).UserProperties);
    }

    [Fact]
    public async Task A_persistent_session_with_an_expiry_is_gone_after_it_and_kept_without_one()
    {
        var topic = UniqueId("expiry") + "/cmd";
        MqttClientOptions Persistent(string id, TimeSpan? expiry) => new()
        {
            Host = "127.0.0.1", Port = Broker.Port, ClientId = id, CleanSession = false, SessionExpiry = expiry,
            Reconnect = new MqttReconnectOptions { Enabled = false },
        };
        var shortLived = UniqueId("short");
        var kept = UniqueId("kept");
        foreach (var (id, expiry) in new[] { (shortLived, (TimeSpan?)TimeSpan.FromSeconds(1)), (kept, null) })
        {
            await using var first = await ConnectedAsync(Persistent(id, expiry));
            await first.SubscribeAsync(topic, MqttQos.AtLeastOnce);
            await first.DisconnectAsync();
        }
        await Task.Delay(TimeSpan.FromSeconds(3)); // mosquitto expires sessions in its once-a-second housekeeping
        await using (var publisher = await ConnectedAsync(Options(Broker, UniqueId("pub"))))
            await publisher.PublishAsync(topic, Utf8("queued"), MqttQos.AtLeastOnce, false);

        foreach (var (id, expiry, expectPresent) in new[] { (shortLived, (TimeSpan?)TimeSpan.FromSeconds(1), false), (kept, null, true) })
        {
            await using var again = new MqttClient(Persistent(id, expiry));
            var present = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            again.ConnectionStateChanged += (_, e) => { if (e.State == MqttConnectionState.Connected) present.TrySetResult(e.SessionPresent); };
            await again.ConnectAsync();
            Assert.Equal(expectPresent, await present.Task.WaitAsync(TimeSpan.FromSeconds(5)));
            if (expectPresent)
            {
                var message = await again.ReceivedMessages.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
                Assert.Equal("queued", Text(message));
            }
            else
            {
                await Task.Delay(300);
                Assert.False(again.ReceivedMessages.TryRead(out _), "an expired session still delivered a queued message");
            }
        }
    }

    [Fact]
    public async Task A_broker_that_refuses_mqtt5_is_spoken_to_in_311()
    {
        // Stands in for a 3.1.1-only broker: answers a version-5 CONNECT as such a broker must (CONNACK 0x01,
        // unacceptable protocol version) and hangs up; anything else is relayed to mosquitto.
        await using var only311 = new Mqtt311OnlyRelay(Broker.Port);
        var topic = UniqueId("old") + "/x";
        var received = new ConcurrentQueue<MqttApplicationMessage>();
        await using var subscriber = await ConnectedAsync(Options(Broker, UniqueId("sub")));
        await subscriber.SubscribeAsync(topic, MqttQos.AtLeastOnce, Collect(received));
        var options = Options(Broker, UniqueId("gw"));
        await using var gateway = await ConnectedAsync(new MqttClientOptions
        {
            Host = options.Host, Port = only311.Port, ClientId = options.ClientId, Reconnect = options.Reconnect,
        });
        Assert.Equal(MqttProtocolVersion.V311, gateway.ProtocolVersion);
        Assert.Equal(1, only311.RefusedVersion5);
        await gateway.PublishAsync(topic, Utf8("hello"), MqttQos.AtLeastOnce, false, [new("round", "r1")]);
        await Waits.UntilAsync(() => received.Count == 1, () => "message not relayed", TimeSpan.FromSeconds(5));
        Assert.Empty(Assert.Single(received).UserProperties);
    }

    /// <summary>A TCP relay to mosquitto that refuses MQTT 5 CONNECTs the way an MQTT 3.1.1 broker does.</summary>
    private sealed class Mqtt311OnlyRelay : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly int _target;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accept;
        private int _refused;

        public Mqtt311OnlyRelay(int target)
        {
            _target = target;
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _accept = AcceptAsync();
        }

        public int Port { get; }

        public int RefusedVersion5 => Volatile.Read(ref _refused);

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            _listener.Stop();
            try { await _accept; } catch (Exception) { }
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = ServeAsync(client);
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using (client)
            {
                var stream = client.GetStream();
                var (header, body) = await FakeBroker.ReadPacketAsync(stream);
                // CONNECT variable header: protocol name (2-byte length + "MQTT"), then the protocol level.
                if (body[6] == 5)
                {
                    Interlocked.Increment(ref _refused);
                    await stream.WriteAsync(new byte[] { 0x20, 0x02, 0x00, 0x01 });
                    return;
                }
                using var upstream = new TcpClient();
                await upstream.ConnectAsync(IPAddress.Loopback, _target);
                var up = upstream.GetStream();
                var length = new List<byte>();
                for (var n = body.Length; ; n >>= 7)
                {
                    length.Add((byte)((n & 0x7F) | (n > 0x7F ? 0x80 : 0)));
                    if (n <= 0x7F) break;
                }
                await up.WriteAsync(new[] { header }.Concat(length).Concat(body).ToArray());
                try
                {
                    await Task.WhenAny(stream.CopyToAsync(up, _stop.Token), up.CopyToAsync(stream, _stop.Token));
                }
                catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException) { }
            }
        }
    }
}
