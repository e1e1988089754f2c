using System.Diagnostics;
using System.Text.Json;
using Gateway.Drivers.Mqtt;
using Gateway.Runtime.Journal;
using Gateway.Runtime.Operator;
using Gateway.Runtime.Status;

namespace Gateway.Host.Tests.Operator;

/// <summary>The operator topics against a real mosquitto, checked with mosquitto_sub/mosquitto_pub as the independent peer.</summary>
[Trait(PeerTraits.Name, PeerTraits.Mosquitto)]
public sealed class OperatorMqttTests : IAsyncLifetime
{
    private readonly string _site = "site-" + Guid.NewGuid().ToString("N")[..8];
    private readonly CuttableStreamProvider _channels = new();
    private MosquittoBroker _broker = null!;
    private GatewayStatusBoard _board = null!;
    private MqttClient? _client;
    private OperatorPublisher? _publisher;

    public async Task InitializeAsync()
    {
        _broker = await MosquittoBroker.StartAsync();
        (_board, _) = SampleStatusBoard.Create(_site);
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (_publisher is not null) await _publisher.DisposeAsync();
            if (_client is not null) await _client.DisposeAsync();
        }
        finally
        {
            await _broker.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_late_subscriber_receives_the_retained_setpoints_rounds_health_backlog_and_status()
    {
        await StartAsync();
        await DrainedAsync();

        var setpoints = Parse(await _broker.SubscribeAsync($"gw/{_site}/setpoints/#", 6));
        Assert.Equal(["ev-01", "ev-02", "ev-03", "ev-04", "pv-roof-a", "smes-1"], setpoints.Keys.Select(t => t.Split('/')[^1]).Order());
        var ev02 = setpoints[$"gw/{_site}/setpoints/ev-02"].RootElement;
        Assert.Equal(SampleStatusBoard.LatestRoundId, ev02.GetProperty("roundId").GetString());
        Assert.Equal(-5.0, ev02.GetProperty("setpointKw").GetDouble());
        Assert.Equal("confirmed", ev02.GetProperty("status").GetString());
        Assert.Equal(-4.96, ev02.GetProperty("readBackKw").GetDouble());
        Assert.Equal(SampleStatusBoard.Start(SampleStatusBoard.RoundCount - 1).AddMinutes(16), ev02.GetProperty("validUntilUtc").GetDateTimeOffset());

        var latest = Parse(await _broker.SubscribeAsync($"gw/{_site}/rounds/latest", 1)).Single().Value.RootElement;
        Assert.Equal(SampleStatusBoard.LatestRoundId, latest.GetProperty("roundId").GetString());
        Assert.Equal("delivering", latest.GetProperty("state").GetString());
        Assert.Equal(3, latest.GetProperty("trades").GetArrayLength());
        Assert.Equal(0.214, latest.GetProperty("trades")[0].GetProperty("pricePerKwh").GetDouble());
        Assert.True(latest.GetProperty("transactionSuccessRate").GetDouble() is > 0 and <= 1);

        var oneRound = Parse(await _broker.SubscribeAsync($"gw/{_site}/rounds/{SampleStatusBoard.RoundId(4)}", 1)).Single().Value.RootElement;
        Assert.Equal(SampleStatusBoard.RoundId(4), oneRound.GetProperty("roundId").GetString());

        var health = Parse(await _broker.SubscribeAsync($"gw/{_site}/devices/+/health", 8));
        Assert.Equal(8, health.Count);
        var ev04 = health[$"gw/{_site}/devices/ev-04/health"].RootElement;
        Assert.Equal("isolated", ev04.GetProperty("state").GetString());
        Assert.Contains("connection refused", ev04.GetProperty("lastError").GetString());

        var ledger = Parse(await _broker.SubscribeAsync($"gw/{_site}/ledger/backlog", 1)).Single().Value.RootElement;
        Assert.Equal(3, ledger.GetProperty("pending").GetInt32());
        Assert.Equal("PT1M35S", ledger.GetProperty("oldestPendingAge").GetString());

        Assert.Equal([$"gw/{_site}/status online"], await _broker.SubscribeAsync($"gw/{_site}/status", 1));

        var acks = Parse(await _broker.SubscribeAsync($"gw/{_site}/rounds/+/ack", 2));
        Assert.All(acks.Values, a => Assert.Equal("m.keller", a.RootElement.GetProperty("operator").GetString()));
    }

    [Fact]
    public async Task A_new_setpoint_replaces_the_retained_one_of_its_device()
    {
        await StartAsync();
        var next = SampleStatusBoard.Round(SampleStatusBoard.RoundCount);
        _board.Report(next);
        _board.Report(new DispatchedSetpoint(next.RoundId, "ev-01", 3.3, next.IntervalEndUtc.AddMinutes(1), SetpointStatus.Confirmed, 3.31));
        await DrainedAsync();

        var ev01 = Parse(await _broker.SubscribeAsync($"gw/{_site}/setpoints/ev-01", 1)).Single().Value.RootElement;
        Assert.Equal(next.RoundId, ev01.GetProperty("roundId").GetString());
        Assert.Equal(3.3, ev01.GetProperty("setpointKw").GetDouble());
        var latest = Parse(await _broker.SubscribeAsync($"gw/{_site}/rounds/latest", 1)).Single().Value.RootElement;
        Assert.Equal(next.RoundId, latest.GetProperty("roundId").GetString());
    }

    [Fact]
    public async Task An_update_of_an_older_round_does_not_move_rounds_latest_back()
    {
        await StartAsync();
        var older = SampleStatusBoard.Round(SampleStatusBoard.RoundCount - 3) with { State = RoundPhase.Closed };
        _board.Report(older);
        await DrainedAsync();

        var own = Parse(await _broker.SubscribeAsync($"gw/{_site}/rounds/{older.RoundId}", 1)).Single().Value.RootElement;
        Assert.Equal("closed", own.GetProperty("state").GetString());
        var latest = Parse(await _broker.SubscribeAsync($"gw/{_site}/rounds/latest", 1)).Single().Value.RootElement;
        Assert.Equal(SampleStatusBoard.LatestRoundId, latest.GetProperty("roundId").GetString());
    }

    [Fact]
    public async Task An_acknowledgement_published_by_an_operator_reaches_the_board()
    {
        await StartAsync();
        var roundId = SampleStatusBoard.LatestRoundId;
        Assert.False(_board.IsAcknowledged(roundId));

        await _broker.PublishAsync($"gw/{_site}/operator/ack/scada-1", $$"""{"roundId":"{{roundId}}"}""");

        await Waits.UntilAsync(() => _board.IsAcknowledged(roundId), "the board records the acknowledgement");
        Assert.Equal("j.ortega", _board.Snapshot().OperatorAcks[roundId]);
        var notice = Parse(await _broker.SubscribeAsync($"gw/{_site}/rounds/{roundId}/ack", 1)).Single().Value.RootElement;
        Assert.Equal("j.ortega", notice.GetProperty("operator").GetString());
        Assert.Equal("mqtt", notice.GetProperty("via").GetString());
        // Over MQTT 5 the notice names the round it answers and the operator in user properties (read by mosquitto_sub).
        var properties = Assert.Single(await _broker.SubscribeUserPropertiesAsync($"gw/{_site}/rounds/{roundId}/ack", 1));
        Assert.Contains($"round:{roundId}", properties);
        Assert.Contains("operator:j.ortega", properties);
        var ack = Assert.Single(_board.Snapshot().Acknowledgements, a => a.RoundId == roundId);
        Assert.Equal("broker user scada-1", ack.Source);
        Assert.Equal(0, _publisher!.RejectedAcknowledgements);
    }

    [Theory]
    [InlineData("scada-1", "roundId=20261122-0815 by j.ortega", "not valid JSON")]
    [InlineData("scada-1", "{\"roundId\":\"LATEST\",\"operator\":\"mallory\"}", "acknowledges as 'j.ortega', not as 'mallory'")]
    [InlineData("scada-1", "{\"roundId\":\"19990101-0000\",\"operator\":\"j.ortega\"}", "unknown round '19990101-0000'")]
    [InlineData(null, "{\"roundId\":\"LATEST\",\"operator\":\"j.ortega\"}", "anonymous acknowledgement")]
    [InlineData("mallory", "{\"roundId\":\"LATEST\"}", "broker user 'mallory' is not allowed to acknowledge")]
    public async Task A_garbled_unknown_or_anonymous_acknowledgement_is_rejected_on_its_topic_and_the_gateway_carries_on(string? user, string payload, string reason)
    {
        await StartAsync();
        payload = payload.Replace("LATEST", SampleStatusBoard.LatestRoundId, StringComparison.Ordinal);
        var topic = user is null ? $"gw/{_site}/operator/ack" : $"gw/{_site}/operator/ack/{user}";
        using var subscriber = _broker.StartSubscriber($"gw/{_site}/operator/rejected", 1);
        // The subscriber is a separate process: keep sending until it has seen one rejection.
        var clock = Stopwatch.StartNew();
        while (!subscriber.HasExited && clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            await _broker.PublishAsync(topic, payload);
            await Task.WhenAny(subscriber.WaitForExitAsync(), Task.Delay(200));
        }
        Assert.True(subscriber.HasExited, "no rejection within 15 s");
        var line = (await subscriber.StandardOutput.ReadToEndAsync()).Trim();
        Assert.StartsWith($"gw/{_site}/operator/rejected ", line);
        using var rejection = JsonDocument.Parse(line[(line.IndexOf(' ') + 1)..]);
        Assert.Contains(reason, rejection.RootElement.GetProperty("reason").GetString());
        Assert.Equal(payload, rejection.RootElement.GetProperty("payload").GetString());
        Assert.True(_publisher!.RejectedAcknowledgements >= 1);
        Assert.False(_board.IsAcknowledged(SampleStatusBoard.LatestRoundId));

        // Still serving: a good acknowledgement after the bad ones is honoured.
        await _broker.PublishAsync($"gw/{_site}/operator/ack/scada-1", $$"""{"roundId":"{{SampleStatusBoard.LatestRoundId}}","operator":"j.ortega"}""");
        await Waits.UntilAsync(() => _board.IsAcknowledged(SampleStatusBoard.LatestRoundId), "a good acknowledgement after a rejected one");
    }

    [Fact]
    public async Task A_retained_acknowledgement_is_honoured_at_start_and_clearing_it_is_not_a_rejection()
    {
        var roundId = SampleStatusBoard.RoundId(5);
        await _broker.PublishAsync($"gw/{_site}/operator/ack/night", $$"""{"roundId":"{{roundId}}","operator":"night-shift"}""", retain: true);
        await StartAsync();
        await Waits.UntilAsync(() => _board.IsAcknowledged(roundId), "the retained acknowledgement is delivered on subscribe");

        await _broker.PublishAsync($"gw/{_site}/operator/ack/night", "", retain: true);
        await _broker.PublishAsync($"gw/{_site}/operator/ack/day", $$"""{"roundId":"{{SampleStatusBoard.LatestRoundId}}","operator":"day-shift"}""");
        await Waits.UntilAsync(() => _board.IsAcknowledged(SampleStatusBoard.LatestRoundId), "the next acknowledgement");
        Assert.Equal(0, _publisher!.RejectedAcknowledgements);
    }

    [Fact]
    public async Task The_last_will_says_offline_when_the_gateway_connection_dies()
    {
        await StartAsync(reconnect: false);
        await DrainedAsync();
        Assert.Equal([$"gw/{_site}/status online"], await _broker.SubscribeAsync($"gw/{_site}/status", 1));

        await _channels.CutAsync();

        await WaitForRetainedAsync($"gw/{_site}/status", "offline");
    }

    [Fact]
    public async Task After_a_reconnect_the_gateway_is_online_again_and_health_changed_meanwhile_is_published()
    {
        await StartAsync(reconnect: true);
        await DrainedAsync();

        await _channels.CutAsync();
        _board.Report(new DeviceHealth("ev-01", "charger", "ev-01", DeviceLinkState.Degraded, SampleStatusBoard.Now, "1 of the last 10 reads timed out",
            new Dictionary<string, double> { ["PowerKw"] = 6.9, ["SocPercent"] = 55 }, 7.2, null));

        await Waits.UntilAsync(() => _channels.Connections >= 2 && _client!.State == MqttConnectionState.Connected, "the client reconnects");
        await WaitForRetainedAsync($"gw/{_site}/status", "online");
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var health = Parse(await _broker.SubscribeAsync($"gw/{_site}/devices/ev-01/health", 1)).Single().Value.RootElement;
            if (health.GetProperty("state").GetString() == "degraded")
            {
                Assert.Equal(6.9, health.GetProperty("measurements").GetProperty("PowerKw").GetDouble());
                break;
            }
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "the health changed during the outage never reached the broker");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_clean_stop_publishes_offline_itself()
    {
        await StartAsync();
        await DrainedAsync();
        await _publisher!.StopAsync();
        await _client!.DisconnectAsync();

        Assert.Equal([$"gw/{_site}/status offline"], await _broker.SubscribeAsync($"gw/{_site}/status", 1));
    }

    [Fact]
    public async Task Rounds_beyond_the_retained_window_are_cleared_from_the_broker()
    {
        await StartAsync(options: new OperatorPublisherOptions { RetainedRoundsKept = 5 });
        await DrainedAsync();

        // rounds/+ matches rounds/latest and the five kept rounds; nothing else is retained.
        var retained = await _broker.SubscribeRetainedAsync($"gw/{_site}/rounds/+");
        var expected = Enumerable.Range(SampleStatusBoard.RoundCount - 5, 5).Select(i => $"gw/{_site}/rounds/{SampleStatusBoard.RoundId(i)}").Append($"gw/{_site}/rounds/latest");
        Assert.Equal(expected.Order(), retained.Select(l => l[..l.IndexOf(' ')]).Order());
    }

    [Fact]
    public async Task With_the_broker_gone_the_worker_is_not_held_up_health_coalesces_and_setpoints_wait()
    {
        await StartAsync(reconnect: true, options: new OperatorPublisherOptions { DrainTimeout = TimeSpan.FromMilliseconds(200) });
        await DrainedAsync();
        await _broker.DisposeAsync();

        for (var i = 0; i < 20_000; i++)
        {
            var device = SampleStatusBoard.DeviceIds[i % SampleStatusBoard.DeviceIds.Length];
            _board.Report(new DeviceHealth(device, "charger", device, DeviceLinkState.Healthy, SampleStatusBoard.Now, null, new Dictionary<string, double> { ["PowerKw"] = i }, null, null));
        }
        for (var round = 0; round < 25; round++)
        {
            var roundId = "outage-" + round;
            foreach (var device in SampleStatusBoard.DeviceIds)
                _board.Report(new DispatchedSetpoint(roundId, device, 1.0, SampleStatusBoard.Now.AddMinutes(15), SetpointStatus.Confirmed, 1.0));
        }

        // 8 health values at most (one per device) plus the 200 setpoints, none of them dropped. The pump runs
        // meanwhile and may already hold the first setpoint: the MQTT client accepted it and keeps it for the broker.
        // The two counts are read one after the other while the pump may be handing a message from the queue to the
        // client, where for a moment it is in neither: the check uses the sample that met the wait, not a second read
        // (a second read once saw 199 under load).
        int Held() => _publisher!.QueueLength + _client!.PendingMessageCount;
        var held = 0;
        await Waits.UntilAsync(() => (held = Held()) >= 200, "every setpoint is queued or held by the client");
        Assert.InRange(held, 200, 200 + SampleStatusBoard.DeviceIds.Length);
        Assert.InRange(_client!.PendingMessageCount, 0, 1);
        Assert.Equal(0, _publisher!.DroppedHealthUpdates);
    }

    [Fact]
    public async Task Ids_that_would_break_the_topic_tree_are_escaped()
    {
        await StartAsync();
        _board.Report(new DeviceHealth("bay/2#a+b", "charger", "ev-x", DeviceLinkState.Healthy, SampleStatusBoard.Now, null, new Dictionary<string, double>(), null, null));
        await DrainedAsync();

        var health = Parse(await _broker.SubscribeAsync($"gw/{_site}/devices/bay%2F2%23a%2Bb/health", 1)).Single().Value.RootElement;
        Assert.Equal("bay/2#a+b", health.GetProperty("deviceId").GetString());
    }

    private async Task StartAsync(bool reconnect = true, OperatorPublisherOptions? options = null)
    {
        var formatter = new OperatorMessageFormatter(new OperatorTopics(_site));
        _client = new MqttClient(new MqttClientOptions
        {
            Host = "127.0.0.1",
            Port = _broker.Port,
            ClientId = "gateway-" + _site,
            KeepAlive = TimeSpan.FromSeconds(30),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            OperationTimeout = TimeSpan.FromSeconds(5),
            Will = formatter.Will(),
            BirthMessage = formatter.Birth(),
            Reconnect = new MqttReconnectOptions { Enabled = reconnect, InitialDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(1) },
        }, streamProvider: _channels);
        await _client.ConnectAsync();
        options ??= new OperatorPublisherOptions();
        _publisher = new OperatorPublisher(_board, _client, new OperatorPublisherOptions
        {
            RetainedRoundsKept = options.RetainedRoundsKept, DrainTimeout = options.DrainTimeout, HealthMinInterval = options.HealthMinInterval,
            HealthHeartbeat = options.HealthHeartbeat, AckUsers = AckUsers,
        });
        await _publisher.StartAsync();
    }

    private static readonly Dictionary<string, string> AckUsers = new() { ["scada-1"] = "j.ortega", ["night"] = "night-shift", ["day"] = "day-shift" };

    private Task DrainedAsync() =>
        Waits.UntilAsync(() => _publisher!.QueueLength == 0 && _publisher.IsIdle, "the publisher drains its queue");

    private async Task WaitForRetainedAsync(string topic, string payload)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var lines = await _broker.SubscribeAsync(topic, 1);
            if (lines.SequenceEqual([$"{topic} {payload}"])) return;
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"{topic} is still '{string.Join(" | ", lines)}', expected '{payload}'");
            await Task.Delay(100);
        }
    }


    private static Dictionary<string, JsonDocument> Parse(IEnumerable<string> lines) =>
        lines.ToDictionary(l => l[..l.IndexOf(' ')], l => JsonDocument.Parse(l[(l.IndexOf(' ') + 1)..]));
}
