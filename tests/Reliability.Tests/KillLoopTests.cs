using Gateway.Runtime.Journal;
using Xunit.Abstractions;

namespace Gateway.Reliability.Tests;

/// <summary>
/// kill -9 at random points of a round, many times in a row on one journal and one ledger: each time the gateway
/// process is started again it must resume what the last one left open, never send a device an order twice out of
/// place nor settle a trade twice. The points are drawn from a seeded generator: a round phase (decided, dispatching,
/// delivering, metered, settled, closed) reached by a round after the restart, then 0–400 ms more, or a moment during
/// start-up itself. <c>RELIABILITY_KILLS</c> sets how many (CI: 8; scripts/reliability.sh: 50).
/// </summary>
[Collection(FaultMatrixCollection.Name)]
[Trait("Category", "FaultMatrix")]
public sealed class KillLoopTests(ITestOutputHelper output)
{
    private static int Kills => int.TryParse(Environment.GetEnvironmentVariable("RELIABILITY_KILLS"), out var k) && k > 0 ? k : 8;

    private static int Seed => int.TryParse(Environment.GetEnvironmentVariable("RELIABILITY_SEED"), out var s) ? s : 17;

    [Fact]
    public async Task Kill_9_at_random_points_of_rounds_loses_and_doubles_nothing()
    {
        var kills = Kills;
        var seed = Seed;
        output.WriteLine($"kill -9 loop: {kills} kills, seed {seed} (RELIABILITY_KILLS, RELIABILITY_SEED)");
        var random = new Random(seed);
        await using var site = await MatrixSite.StartAsync(new MatrixSiteOptions { Seed = seed });
        var phases = new[] { RoundState.Decided, RoundState.Dispatching, RoundState.Delivering, RoundState.Metered, RoundState.Settled, RoundState.Closed };
        var backInControl = new List<double>();
        var points = new List<string>();
        for (var k = 0; k < kills; k++)
        {
            using var gateway = site.RunGateway();
            var extra = TimeSpan.FromMilliseconds(random.Next(400));
            var choice = random.Next(phases.Length + 1);
            if (choice == phases.Length)
            {
                // During start-up: before the first poll, or while open rounds are being resumed.
                var at = TimeSpan.FromMilliseconds(random.Next(3000));
                await Task.Delay(at);
                points.Add($"start-up +{at.TotalMilliseconds:0} ms");
            }
            else
            {
                var phase = phases[choice];
                var before = site.RoundsAtLeast(phase);
                await Waits.UntilAsync(() => site.RoundsAtLeast(phase) > before, Waits.Long, $"a round reaching {phase} (kill {k + 1})", gateway);
                await Task.Delay(extra);
                points.Add($"{phase.ToString().ToLowerInvariant()} +{extra.TotalMilliseconds:0} ms");
            }
            Assert.False(gateway.HasExited, $"the gateway ended before kill {k + 1}:\n{gateway.Output}");
            gateway.Kill9();
            var killedAt = site.Writes.Now;
            // Back in control: the time until the next run's first setpoint reaches a device (measured at the next start).
            backInControl.Add(killedAt);
        }

        // A last run resumes whatever the last kill left open and trades a round of its own with every setpoint confirmed,
        // which its clean stop then finishes (a round the journal did not hold when it started: the resumed ones are).
        var beforeLastRun = site.RoundIds();
        using (var final = site.RunGateway())
        {
            await Waits.UntilAsync(() => site.ConfirmedRounds(notAmong: beforeLastRun) >= 1, Waits.Long, "a round of the last run, every setpoint confirmed", final);
            final.Terminate();
            Assert.True(await final.WaitForExitAsync(TimeSpan.FromSeconds(90)), "the gateway did not stop on SIGTERM:\n" + final.Output);
            Assert.True(final.ExitCode == 0, $"the gateway exited {final.ExitCode}:\n{final.Output}");
        }
        output.WriteLine("kill points: " + string.Join("; ", points));

        var (verified, verifyOutput) = await GatewayProcess.VerifyLedgerAsync(site.LedgerPath);
        Assert.True(verified, verifyOutput);
        var writes = site.Writes.Snapshot();
        // Per kill: seconds from the kill to the first setpoint a device received afterwards (restart included).
        var recover = backInControl.Select(t => writes.FirstOrDefault(w => w.Accepted && w.AtSeconds > t)?.AtSeconds - t).Where(s => s is not null).Select(s => s!.Value).ToList();
        var audit = site.Audit();
        var row = audit.Count("kill -9 loop", $"kill -9 of the gateway process at {kills} random points of rounds (seed {seed}), restarted each time", seed, verified,
            _ => recover.Count == 0 ? (null, "no setpoint after any kill") : (recover.Max(), $"max over {recover.Count} kills; mean {recover.Average():0.0} s (restart included)"));
        row.Publish(output);
        row.AssertSafe();
        var rounds = JournalView.Rounds(site.JournalPath);
        Assert.All(rounds, r => Assert.Equal(RoundState.Closed, r.State));
        Assert.True(recover.Count >= kills / 2, $"devices received setpoints after only {recover.Count} of {kills} kills");
        Assert.True(recover.Max() <= 60, $"slowest return to control {recover.Max():0.0} s");
    }
}
