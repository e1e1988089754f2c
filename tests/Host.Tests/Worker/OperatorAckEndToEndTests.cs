using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Runtime.Devices;
using Gateway.Runtime.Journal;
using Gateway.Runtime.Operator;
using Gateway.Rigs;
using Gateway.Runtime.Scheduling;
using Gateway.Runtime.Status;
using Gateway.Runtime.Worker;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Host.Tests.Worker;

/// <summary>
/// Issue #13, row 2: with <c>operator.requireAck: true</c> a round appeared in <c>/api/rounds</c> only after its ack deadline,
/// so nothing was ever dispatched. Now a decided round is on the dashboard (and MQTT) before dispatch, with its deadline on
/// wall time, and an operator acknowledging it through the authenticated API gets it dispatched — at ×1 and at ×180.
/// </summary>
public sealed class OperatorAckEndToEndTests
{
    private const string Token = "e2e-operator-token-0123456789";

    private static string Yaml(double timeScale, int intervalMinutes, double ackDeadlineSeconds) => EndToEndRig.Yaml
        .Replace("timeScale: 300", $"timeScale: {timeScale}")
        .Replace("intervalMinutes: 15", $"intervalMinutes: {intervalMinutes}")
        + $$"""

        operator:
          dashboard: 127.0.0.1:0
          requireAck: true
          ackDeadlineSeconds: {{ackDeadlineSeconds}}
          auth:
            tokens: [ { operator: e2e.tester, sha256: "{{OperatorCredentials.TokenHash(Token)["sha256:".Length..]}}" } ]
        """;

    private static async Task<GatewayRuntime> StartAsync(EndToEndRig rig, RigDefinition definition)
    {
        var clock = new AcceleratedTimeProvider(rig.Sims.Rig.Clock.Now, definition.TimeScale);
        var runtime = await GatewayRuntime.StartAsync(definition, NullLoggerFactory.Instance, rig.Endpoints, clock,
            new DevicePollerOptions { AttemptTimeout = TimeSpan.FromSeconds(2), IsolateAfterFailures = 2 });
        await runtime.WaitForFirstPollAsync(TimeSpan.FromSeconds(10));
        return runtime;
    }

    /// <summary>An operator's console: polls /api/rounds every 50 ms and acknowledges every decided round it sees, once.</summary>
    private static async Task<List<(string RoundId, DateTimeOffset Deadline, DateTimeOffset SeenAt)>> AcknowledgeEverythingAsync(Uri dashboard, CancellationToken stop)
    {
        using var http = new HttpClient { BaseAddress = dashboard };
        http.DefaultRequestHeaders.Authorization = new("Bearer", Token);
        var seen = new List<(string, DateTimeOffset, DateTimeOffset)>();
        var done = new HashSet<string>();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var rounds = await http.GetFromJsonAsync<JsonElement>("api/rounds?limit=5", stop);
                foreach (var r in rounds.EnumerateArray())
                {
                    var id = r.GetProperty("roundId").GetString()!;
                    if (r.GetProperty("state").GetString() != "decided" || !done.Add(id)) continue;
                    seen.Add((id, r.GetProperty("ackDeadlineUtc").GetDateTimeOffset(), DateTimeOffset.UtcNow));
                    using var response = await http.PostAsync($"api/rounds/{id}/ack", JsonContent.Create(new { }), stop);
                    Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(stop));
                }
                await Task.Delay(50, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        return seen;
    }

    [Fact]
    public async Task At_180x_every_round_is_published_before_dispatch_acknowledged_and_dispatched()
    {
        await using var rig = await EndToEndRig.StartAsync(Yaml(180, 15, 60));
        var definition = rig.Load();
        var outcomes = new List<RoundOutcome>();
        await using (var runtime = await StartAsync(rig, definition))
        {
            using var stop = new CancellationTokenSource();
            var console = AcknowledgeEverythingAsync(runtime.DashboardUrl!, stop.Token);
            for (var i = 0; i < 3; i++) outcomes.Add(await runtime.TickAsync());
            stop.Cancel();
            var seen = await console;

            Assert.Equal(outcomes.Select(o => o.RoundId), seen.Select(s => s.RoundId));
            foreach (var (roundId, deadline, seenAt) in seen)
            {
                // The deadline is wall time: at ×180 half of the 15-minute interval (2.5 of 5 real seconds) comes before the rig's 60 s.
                Assert.InRange(deadline - seenAt, TimeSpan.Zero, TimeSpan.FromSeconds(6));
            }
        }
        using var acks = OperatorAckJournal.Open(definition.JournalPath);
        foreach (var o in outcomes)
        {
            Assert.False(o.DispatchedNothing, $"{o.RoundId}: {o.Summary.Note}");
            Assert.Contains(o.Setpoints, s => s.Status == SetpointStatus.Confirmed);
            var (ack, counted) = Assert.Single(acks.ForRound(o.RoundId));
            Assert.True(counted);
            Assert.Equal(("e2e.tester", "dashboard", "127.0.0.1"), (ack.OperatorId, ack.Via, ack.Source));
        }
    }

    [Fact]
    public async Task In_real_time_the_decided_round_waits_for_the_operator_then_dispatches()
    {
        // One-minute rounds at ×1: the operator acknowledges a few hundred ms after the round is decided.
        await using var rig = await EndToEndRig.StartAsync(Yaml(1, 1, 30));
        var definition = rig.Load();
        await using var runtime = await StartAsync(rig, definition);
        using var stop = new CancellationTokenSource();
        var console = AcknowledgeEverythingAsync(runtime.DashboardUrl!, stop.Token);
        using var park = new CancellationTokenSource();
        var round = runtime.TickAsync(CancellationToken.None, park.Token);

        // Wait until the round is dispatched (delivering), then park it: the rest of its minute is not this test's business.
        var until = DateTime.UtcNow.AddSeconds(40);
        while (DateTime.UtcNow < until && runtime.Board.Snapshot().Rounds.LastOrDefault() is not { State: RoundPhase.Delivering }) await Task.Delay(50);
        park.Cancel();
        var outcome = await round;
        stop.Cancel();
        var seen = Assert.Single(await console);

        Assert.True(outcome.Parked);
        Assert.Equal(outcome.RoundId, seen.RoundId);
        Assert.InRange(seen.Deadline - seen.SeenAt, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(31));
        Assert.Contains(outcome.Setpoints, s => s.Status == SetpointStatus.Confirmed);
        Assert.Equal(RoundState.Delivering, runtime.Journal.Get(outcome.RoundId)!.State);
    }

    [Fact]
    public async Task Without_an_acknowledgement_nothing_is_dispatched_and_the_round_says_why()
    {
        await using var rig = await EndToEndRig.StartAsync(Yaml(180, 15, 1));
        var definition = rig.Load();
        await using var runtime = await StartAsync(rig, definition);
        var outcome = await runtime.TickAsync();
        Assert.True(outcome.DispatchedNothing);
        Assert.All(outcome.Setpoints, s => Assert.Equal(SetpointStatus.Skipped, s.Status));
        Assert.Contains("no operator acknowledgement", outcome.Summary.Note);
        Assert.Equal(RoundPhase.Closed, outcome.Summary.State);
    }
}
