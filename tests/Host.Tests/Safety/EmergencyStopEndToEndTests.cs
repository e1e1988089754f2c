using Gateway.Rigs;
using System.Device.Gpio;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Runtime.Devices;
using Gateway.Runtime.Journal;
using Gateway.Runtime.Operator;
using Gateway.Runtime.Safety;
using Gateway.Runtime.Scheduling;
using Gateway.Runtime.Status;
using Gateway.Host.Tests.Worker;
using Gateway.Runtime.Worker;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Host.Tests.Safety;

/// <summary>
/// The whole gateway on the simulated site over Modbus TCP, with an e-stop and a contactor on our fake GPIO chip: the
/// stop interrupts the delivering round (journaled as interrupted, settled up to the stop), every device is driven to
/// 0 kW, and only an authenticated acknowledgement after the loop is closed lets the next round dispatch.
/// </summary>
public sealed class EmergencyStopEndToEndTests
{
    private const string Token = "lab-operator-token-0123456789";

    private static string Yaml() => EndToEndRig.Yaml.Replace("timeScale: 300", "timeScale: 100") + $$"""

        operator:
          dashboard: 127.0.0.1:0
          auth:
            tokens: [ { operator: lab.lead, sha256: "{{OperatorCredentials.TokenHash(Token)["sha256:".Length..]}}" } ]
        safety:
          gpioChip: 0
          estop: { pin: 17, closedLevel: low, debounceMs: 10 }
          contactor: { pin: 27, closedLevel: high }
        """;


    [Fact]
    public async Task The_stop_interrupts_the_round_zeroes_every_device_and_only_an_acknowledgement_after_release_rearms()
    {
        await using var rig = await EndToEndRig.StartAsync(Yaml());
        var definition = rig.Load();
        var chip = new FakeGpioDriver(TimeProvider.System);
        chip.SetInput(17, PinValue.Low);
        var clock = new AcceleratedTimeProvider(rig.Sims.Rig.Clock.Now, definition.TimeScale);
        await using var runtime = await GatewayRuntime.StartAsync(definition, NullLoggerFactory.Instance, rig.Endpoints, clock,
            new DevicePollerOptions { AttemptTimeout = TimeSpan.FromSeconds(2), IsolateAfterFailures = 3 }, labHardware: new LabHardware(_ => chip));
        await runtime.WaitForFirstPollAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(PinValue.High, chip.Level(27));
        using var http = new HttpClient { BaseAddress = runtime.DashboardUrl };
        http.DefaultRequestHeaders.Authorization = new("Bearer", Token);

        var tick = runtime.TickAsync();
        await Waits.UntilAsync(() => runtime.Board.Snapshot().Rounds.LastOrDefault() is { State: RoundPhase.Delivering }, "a delivering round", TimeSpan.FromSeconds(30));
        chip.SetInput(17, PinValue.High);
        var outcome = await tick.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(outcome.Interrupted, outcome.Summary.Note);
        Assert.Equal(RoundPhase.Interrupted, outcome.Summary.State);
        Assert.Contains("interrupted by", outcome.Summary.Note);
        Assert.Equal(RoundState.Interrupted, runtime.Journal.Get(outcome.RoundId)!.State);
        Assert.Contains("interruptedBy", runtime.Journal.Get(outcome.RoundId)!.ResultJson);
        Assert.Empty(runtime.Journal.OpenRounds());
        await runtime.Interlock!.Zeroing;
        var status = runtime.Interlock.Status();
        var controllable = definition.Devices.Where(d => d.Kind != "meter").Select(d => d.Id).OrderBy(x => x).ToList();
        Assert.Equal(controllable, status.Events.Where(e => e.Kind == "zero-confirmed").Select(e => e.DeviceId!).OrderBy(x => x));
        Assert.Equal(outcome.RoundId, status.InterruptedRoundId);
        Assert.Equal(PinValue.Low, chip.Level(27));

        // Journaled: every step of the trip.
        using (var events = SafetyEventJournal.Open(definition.JournalPath))
        {
            var kinds = events.All().Where(e => e.TripId == status.TripId).Select(e => e.Kind).ToList();
            Assert.Contains("estop-open", kinds);
            Assert.Contains("contactor-open", kinds);
            Assert.Contains("round-interrupted", kinds);
            Assert.Equal(controllable.Count, kinds.Count(k => k == "zero-confirmed"));
        }

        // While the stop is pressed an acknowledgement is refused, with the reason.
        using (var early = await http.PostAsync($"api/rounds/{status.TripId}/ack", JsonContent.Create(new { })))
        {
            Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
            Assert.Contains("still open", await early.Content.ReadAsStringAsync());
        }

        // Released: waiting for an operator; the next round does not start.
        chip.SetInput(17, PinValue.Low);
        await Waits.UntilAsync(() => runtime.Board.Snapshot().Interlock is { State: InterlockState.AwaitingAck }, "the loop to read closed", TimeSpan.FromSeconds(30));
        using var park = new CancellationTokenSource();
        var blocked = runtime.TickAsync(CancellationToken.None, park.Token);
        await Task.WhenAny(blocked, Task.Delay(500));
        Assert.False(blocked.IsCompleted);
        Assert.Equal(PinValue.Low, chip.Level(27));

        using (var anonymous = new HttpClient { BaseAddress = runtime.DashboardUrl })
        using (var refused = await anonymous.PostAsync($"api/rounds/{status.TripId}/ack", JsonContent.Create(new { })))
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        var statusJson = await http.GetFromJsonAsync<JsonElement>("api/status");
        Assert.Equal("awaitingAck", statusJson.GetProperty("interlock").GetProperty("state").GetString());
        Assert.Equal(status.TripId, statusJson.GetProperty("interlock").GetProperty("ackId").GetString());

        using (var ack = await http.PostAsync($"api/rounds/{status.TripId}/ack", JsonContent.Create(new { })))
            Assert.True(ack.IsSuccessStatusCode, await ack.Content.ReadAsStringAsync());
        await runtime.Interlock.WhenArmedAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(PinValue.High, chip.Level(27));

        var next = await blocked.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.False(next.Interrupted);
        Assert.NotEqual(outcome.RoundId, next.RoundId);
        Assert.Contains(next.Setpoints, s => s.Status == SetpointStatus.Confirmed);
        using var acks = OperatorAckJournal.Open(definition.JournalPath);
        var (recorded, counted) = Assert.Single(acks.ForRound(status.TripId!));
        Assert.True(counted);
        Assert.Equal(("lab.lead", "dashboard"), (recorded.OperatorId, recorded.Via));
    }

    [Fact]
    public async Task A_gateway_without_its_gpio_chip_starts_stopped_and_says_why()
    {
        await using var rig = await EndToEndRig.StartAsync(Yaml());
        var definition = rig.Load();
        var clock = new AcceleratedTimeProvider(rig.Sims.Rig.Clock.Now, definition.TimeScale);
        await using var runtime = await GatewayRuntime.StartAsync(definition, NullLoggerFactory.Instance, rig.Endpoints, clock,
            labHardware: new LabHardware(chip => throw new IOException($"/dev/gpiochip{chip}: No such file or directory")));
        var status = runtime.Interlock!.Status();
        Assert.Equal(InterlockState.Tripped, status.State);
        Assert.True(status.EstopOpen);
        Assert.Contains("/dev/gpiochip0", status.Reason);
        Assert.Contains("contactor cannot be driven", status.Reason);
        Assert.True(runtime.Interlock.IsTripped);
    }
}
