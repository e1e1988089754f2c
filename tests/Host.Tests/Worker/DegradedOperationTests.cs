using System.Diagnostics;
using System.Net.Http.Json;
using Gateway.Runtime.Devices;
using Gateway.Runtime.Scheduling;
using Gateway.Runtime.Status;
using Gateway.Host.Tests.Operator;
using Gateway.Runtime.Worker;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Tests.Worker;

/// <summary>
/// Issue #13, rows 6 and 7: a device broker killed and restarted went unlogged with its devices "healthy"; an operator broker
/// down at start was never retried; an interval that could not be traded vanished from the table and the summary.
/// </summary>
[Trait(PeerTraits.Name, PeerTraits.Mosquitto)]
public sealed class DegradedOperationTests
{
    private static string MqttYaml(int port, double timeScale) => EndToEndRig.Yaml
        .Replace("timeScale: 300", $"timeScale: {timeScale}")
        .Replace("""{ id: ev-a, kind: charger, node: n2, protocol: modbus-tcp, endpoint: "127.0.0.1:0", unitId: 1, profile: v2g-charger,""",
            $$"""{ id: ev-a, kind: charger, node: n2, protocol: mqtt, endpoint: "mqtt://127.0.0.1:{{port}}", profile: mqtt-charger,""")
        .Replace("""{ id: smes-a, kind: smes, node: n3, protocol: modbus-tcp, endpoint: "127.0.0.1:0", unitId: 5, profile: smes-converter,""",
            $$"""{ id: smes-a, kind: smes, node: n3, protocol: mqtt, endpoint: "mqtt://127.0.0.1:{{port}}", profile: mqtt-smes-converter,""");

    [Fact]
    public async Task A_lost_device_broker_is_logged_shown_and_its_devices_are_stale_within_two_poll_periods_until_it_is_back()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        // ×10: a 30 s poll period is 3 real seconds, so "two poll periods" is measured well above the machine's noise.
        await using var rig = await EndToEndRig.StartAsync(MqttYaml(broker.Port, 10));
        var definition = rig.Load();
        var logs = new RecordingLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Information));
        var clock = new AcceleratedTimeProvider(rig.Sims.Rig.Clock.Now, definition.TimeScale);
        await using var runtime = await GatewayRuntime.StartAsync(definition, loggers, rig.Endpoints, clock,
            new DevicePollerOptions { AttemptTimeout = TimeSpan.FromSeconds(2), IsolateAfterFailures = 3 });
        await runtime.WaitForFirstPollAsync(TimeSpan.FromSeconds(15));
        await WaitAsync(() => Health(runtime, "ev-a") is { State: DeviceLinkState.Healthy, Stale: false }, "ev-a healthy");
        await WaitAsync(() => runtime.Board.Snapshot().Brokers.Any(b => b.Name == "devices" && b.Connected), "the device broker shows connected");

        broker.Kill();
        var killedAt = clock.GetUtcNow();
        await WaitAsync(() => Health(runtime, "ev-a") is { Stale: true } && Health(runtime, "smes-a") is { Stale: true },
            () => "ev-a and smes-a stale: " + string.Join("; ", runtime.Links.Select(l => $"{l.Device.Id} {l.State} {l.ConsecutiveFailures} {l.LastError}")) + "\n" + logs.Text);
        var poll = definition.Devices.Single(d => d.Id == "ev-a").PollPeriod;
        Assert.True(clock.GetUtcNow() - killedAt <= poll * 2, $"stale after {clock.GetUtcNow() - killedAt} of plant time; poll period {poll}");
        Assert.NotEqual(DeviceLinkState.Healthy, Health(runtime, "ev-a")!.State);
        Assert.Contains("connection", Health(runtime, "ev-a")!.LastError);
        Assert.False(Health(runtime, "ev-b")!.Stale); // a Modbus device is not affected
        var link = Assert.Single(runtime.Board.Snapshot().Brokers, b => b.Name == "devices");
        Assert.False(link.Connected);
        Assert.Equal(["ev-a", "smes-a"], link.DeviceIds);
        Assert.Contains($"device broker mqtt://127.0.0.1:{broker.Port} lost", logs.Text);

        await broker.RestartAsync();
        await WaitAsync(() => runtime.Board.Snapshot().Brokers.Single(b => b.Name == "devices").Connected, "the device broker shows reconnected");
        await WaitAsync(() => Health(runtime, "ev-a") is { State: DeviceLinkState.Healthy, Stale: false }, "ev-a healthy again");
        Assert.Contains($"device broker mqtt://127.0.0.1:{broker.Port} connected", logs.Text);
    }

    [Fact]
    public async Task An_operator_broker_down_at_start_is_retried_until_it_answers_then_everything_is_published()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        broker.Kill();
        await using var rig = await EndToEndRig.StartAsync(EndToEndRig.Yaml + $"\noperator:\n  mqtt: 127.0.0.1:{broker.Port}\n");
        var definition = rig.Load();
        var logs = new RecordingLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Information));
        var clock = new AcceleratedTimeProvider(rig.Sims.Rig.Clock.Now, definition.TimeScale);
        await using var runtime = await GatewayRuntime.StartAsync(definition, loggers, rig.Endpoints, clock);
        await WaitAsync(() => logs.Text.Contains("not reachable"), "the failure is logged");
        await WaitAsync(() => runtime.Board.Snapshot().Brokers.Any(b => b.Name == "operators" && !b.Connected), "the dashboard shows the operator broker down");
        await Task.Delay(1500); // several retries while it is down
        Assert.Equal(0, runtime.OperatorMessagesPublished);

        await broker.RestartAsync();
        await WaitAsync(() => runtime.OperatorMessagesPublished > 0, "messages are published once the broker answers", seconds: 45);
        await WaitAsync(() => runtime.Board.Snapshot().Brokers.Single(b => b.Name == "operators").Connected, "the operator broker shows connected");
        var status = await MosquittoBroker.RunAsync("/usr/bin/mosquitto_sub", $"-h 127.0.0.1 -p {broker.Port} -t gw/e2e/status -C 1 -W 10");
        Assert.Equal("online", status.Trim());
    }

    [Fact]
    public async Task A_round_right_after_the_one_before_trades_its_interval_though_more_than_a_tenth_of_it_passed()
    {
        await using var rig = await EndToEndRig.StartAsync();
        var definition = rig.Load();
        var clock = new AcceleratedTimeProvider(rig.Sims.Rig.Clock.Now, definition.TimeScale);
        await using var runtime = await GatewayRuntime.StartAsync(definition, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, rig.Endpoints, clock);
        // The round before closed at this interval's start, and its close (the meters of a thousand devices, the
        // settlement) may take more than a tenth of it: the interval is still traded, not skipped.
        var (_, second, next) = await TwoRoundsHeldApartAsync(runtime, clock, definition.Market.Interval, 0.2);

        Assert.Empty(second.SkippedBefore);
        Assert.Equal(next, second.Summary.IntervalStartUtc);
        Assert.NotNull(second.Phases);
        Assert.True(second.Phases.LateSeconds * definition.TimeScale >= definition.Market.Interval.TotalSeconds / 10,
            $"began {second.Phases.LateSeconds:0.00} s (wall) into its interval, within its first tenth: the case is not shown");
    }

    [Fact]
    public async Task An_interval_the_gateway_could_not_trade_is_a_skipped_row_with_the_reason()
    {
        await using var rig = await EndToEndRig.StartAsync(EndToEndRig.Yaml + "\noperator:\n  dashboard: 127.0.0.1:0\n");
        var definition = rig.Load();
        var clock = new AcceleratedTimeProvider(rig.Sims.Rig.Clock.Now, definition.TimeScale);
        await using var runtime = await GatewayRuntime.StartAsync(definition, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, rig.Endpoints, clock);
        // A slow step holds the gateway past the first half of the next interval (at ×300, 15 min is 3 s): that interval cannot
        // be traded. (Half, not a tenth: the round before closed right at its start, so its own close may take a tenth.)
        var (first, second, next) = await TwoRoundsHeldApartAsync(runtime, clock, definition.Market.Interval, 0.6);

        var skipped = Assert.Single(second.SkippedBefore);
        Assert.Equal(next, skipped.IntervalStartUtc);
        Assert.Equal(RoundPhase.Skipped, skipped.State);
        Assert.Contains("past the first half", skipped.Note);
        Assert.Equal(next + definition.Market.Interval, second.Summary.IntervalStartUtc);

        // On the dashboard's API, between the two traded rounds.
        using var http = new HttpClient { BaseAddress = runtime.DashboardUrl };
        var rounds = (await http.GetFromJsonAsync<System.Text.Json.JsonElement>("api/rounds")).EnumerateArray().ToList();
        Assert.Equal([second.RoundId, skipped.RoundId, first.RoundId], rounds.Select(r => r.GetProperty("roundId").GetString()));
        Assert.Equal("skipped", rounds[1].GetProperty("state").GetString());
        Assert.Contains("past the first half", rounds[1].GetProperty("note").GetString());
    }

    /// <summary>
    /// Closes a round, holds the gateway until <paramref name="fraction"/> of the next interval has passed on the plant clock
    /// (a slow step), then closes the next round; returns both and the start of the interval held into.
    /// </summary>
    private static async Task<(RoundOutcome First, RoundOutcome Second, DateTimeOffset Next)> TwoRoundsHeldApartAsync(
        GatewayRuntime runtime, AcceleratedTimeProvider clock, TimeSpan interval, double fraction)
    {
        await runtime.WaitForFirstPollAsync(TimeSpan.FromSeconds(10));
        var first = await runtime.TickAsync();
        var next = first.Summary.IntervalEndUtc;
        // Under heavy load the accelerated clock may already be past that point: then no wait is needed.
        var hold = next + interval * fraction - clock.GetUtcNow();
        if (hold > TimeSpan.Zero) await Task.Delay(hold, clock);
        return (first, await runtime.TickAsync(), next);
    }

    private static DeviceHealth? Health(GatewayRuntime runtime, string id) => runtime.Board.Snapshot().Devices.FirstOrDefault(d => d.DeviceId == id);

    private static Task WaitAsync(Func<bool> condition, string what, int seconds = 20) => WaitAsync(condition, () => what, seconds);

    private static async Task WaitAsync(Func<bool> condition, Func<string> what, int seconds = 20)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(seconds), "timed out: " + what());
            await Task.Delay(20);
        }
    }
}
