using Gateway.Runtime.Scheduling;
using Gateway.Runtime.Worker;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Gateway.Reliability.Tests;

/// <summary>
/// The host's clock is stepped while the gateway runs: one hour forward (an NTP correction after a long drift, or a
/// wrong RTC fixed), then 45 minutes back. The gateway runs in this process (the same <see cref="GatewayRuntime"/> and
/// round loop as <c>gateway run</c>) so that its clocks can be stepped; the simulators' clocks are not. Intervals the
/// forward step jumped over are reported skipped; after the backward step no interval is traded a second time and no
/// settlement is made twice.
/// </summary>
[Collection(FaultMatrixCollection.Name)]
[Trait("Category", "FaultMatrix")]
public sealed class ClockJumpTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Clock_stepped_forward_then_back_trades_no_interval_twice_and_loses_nothing()
    {
        await using var site = await MatrixSite.StartAsync();
        var endpoints = site.Proxies.ToDictionary(kv => kv.Key, kv => kv.Value.LocalEndpoint.ToString(), StringComparer.Ordinal);
        var wall = new SteppableClock(TimeProvider.System);
        var plant = new SteppableClock(new AcceleratedTimeProvider(site.Sims.Rig.Clock.Now, site.Rig.TimeScale));
        var skipped = 0;
        var failed = 0;
        double healedAt;
        await using (var runtime = await GatewayRuntime.StartAsync(site.Rig, NullLoggerFactory.Instance, endpoints, plant, wallClock: wall))
        {
            await runtime.WaitForFirstPollAsync(TimeSpan.FromSeconds(30));
            async Task RoundsAsync(int count)
            {
                for (var i = 0; i < count; i++)
                {
                    // As `gateway run` does: a failed round is logged and counted, and the next interval is traded.
                    var start = runtime.NextIntervalStart();
                    try
                    {
                        var outcome = await runtime.TickAsync();
                        skipped += outcome.SkippedBefore.Count;
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        output.WriteLine($"round at {start:HH:mm} failed: {e.Message}");
                        failed++;
                        runtime.RecordFailedInterval(start);
                    }
                }
            }

            await RoundsAsync(2);
            var skippedBefore = skipped;
            plant.Step(TimeSpan.FromHours(1));
            wall.Step(TimeSpan.FromHours(1));
            await RoundsAsync(2);
            Assert.True(skipped > skippedBefore, "the intervals the forward step jumped over were not reported skipped");
            plant.Step(TimeSpan.FromMinutes(-45));
            wall.Step(TimeSpan.FromMinutes(-45));
            healedAt = site.Writes.Now;
            await RoundsAsync(3);
            var backlog = await runtime.DrainLedgerAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(0, backlog.PendingCount);
        }
        output.WriteLine($"skipped intervals reported: {skipped}; failed rounds: {failed}");
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        var rounds = JournalView.Rounds(site.JournalPath);
        Assert.Equal(rounds.Count, rounds.Select(r => r.IntervalStart).Distinct().Count());
        var (verified, verifyOutput) = await GatewayProcess.VerifyLedgerAsync(site.LedgerPath);
        Assert.True(verified, verifyOutput);
        var row = site.Audit().Count("clock jump", "the gateway's wall and plant clocks stepped +1 h, two rounds later −45 min (the simulators' not)", 0, verified,
            a => a.RecoveryAfter(healedAt));
        row.Publish(output);
        row.AssertSafe();
        Assert.Equal(0, failed);
        Assert.True(row.RecoverySeconds is { } s && s <= 60, $"recovery {row.RecoverySeconds?.ToString() ?? "never"} s ({row.RecoveryNote})");
    }
}
