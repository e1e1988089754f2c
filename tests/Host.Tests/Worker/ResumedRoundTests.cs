using Gateway.Runtime.Journal;
using Gateway.Runtime.Scheduling;
using Gateway.Runtime.Worker;
using Gateway.Market;
using Gateway.Market.Contracts;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Host.Tests.Worker;

/// <summary>
/// Issue #17, the 50-kill loop's lost setpoints: a gateway killed between journaling a round's setpoints and learning
/// their outcomes, and restarted only after that round's interval had ended, closed the round with the setpoints still
/// "intended" — the journal could not say whether they had reached the devices. A resumed round settles every
/// setpoint's fate before it closes.
/// </summary>
public sealed class ResumedRoundTests
{
    [Fact]
    public async Task A_round_resumed_after_its_interval_closes_with_no_setpoint_left_intended()
    {
        await using var rig = await EndToEndRig.StartAsync();
        var definition = rig.Load();
        var clock = new AcceleratedTimeProvider(rig.Sims.Rig.Clock.Now, definition.TimeScale);
        await using var runtime = await GatewayRuntime.StartAsync(definition, NullLoggerFactory.Instance, rig.Endpoints, clock);
        await runtime.WaitForFirstPollAsync(TimeSpan.FromSeconds(15));

        // What a killed gateway leaves behind: a round decided and dispatching, its setpoints journaled as intended, no
        // outcome — for an interval that has ended by the time the gateway is back.
        var interval = definition.Market.Interval;
        var now = clock.GetUtcNow();
        var start = new DateTimeOffset(now.UtcTicks / interval.Ticks * interval.Ticks, TimeSpan.Zero) - 2 * interval;
        var round = runtime.Runner.Planner.BuildRound(start, runtime.Links, now);
        var decision = new MarketCore().Clear(round);
        var roundId = runtime.Runner.Planner.RoundId(start);
        Assert.True(runtime.Journal.BeginRound(roundId, start, start + interval, RoundJson.Serialize(round), DecisionJson.Serialize(decision)));
        var planned = runtime.Runner.Planner.Setpoints(decision, round, runtime.Links);
        Assert.NotEmpty(planned);
        runtime.Journal.RecordSetpointIntents(roundId, planned.Select(p => new SetpointIntent(p.DeviceId, p.SetpointKw, start + interval)).ToList());
        runtime.Journal.Advance(roundId, RoundState.Dispatching);

        var outcome = Assert.Single(await runtime.ResumeOpenRoundsAsync());

        Assert.Equal(roundId, outcome.RoundId);
        Assert.Equal(RoundState.Closed, runtime.Journal.Get(roundId)!.State);
        var setpoints = runtime.Journal.Setpoints(roundId);
        Assert.Equal(planned.Count, setpoints.Count);
        Assert.All(setpoints, s =>
        {
            Assert.Equal(SetpointStatus.Missed, s.Status);
            Assert.Contains("interval had ended", s.Detail);
        });
    }
}
