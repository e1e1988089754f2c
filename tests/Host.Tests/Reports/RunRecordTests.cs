using System.Runtime.CompilerServices;
using Gateway.Host.Cli;
using Gateway.Runtime.Status;
using Gateway.Runtime.Worker;
using Gateway.Market;
using Gateway.Market.Model;

namespace Gateway.Host.Tests.Reports;

/// <summary>
/// <c>gateway run</c> keeps what its summary needs of each round, not the round: the day-long soak's gateway grew from
/// 120 to 205 MB resident while its run's record held every round's input, decision (with every candidate pair),
/// setpoints and settlements, and a gateway left running for weeks would have run out of memory.
/// </summary>
public sealed class RunRecordTests
{
    private static readonly DateTimeOffset Start = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_run_keeps_the_numbers_of_a_round_and_lets_the_round_go()
    {
        var record = new RunReport.RunRecord();
        var (decision, expected) = AddRound(record);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.False(decision.IsAlive, "the run's record still holds the round's decision");
        var kept = Assert.Single(record.Rounds);
        Assert.Empty(kept.Summary.Trades);
        var totals = RunReport.Totals(record.Closed);
        Assert.Equal(expected, (totals.Rounds, totals.Matched, totals.Executed, totals.Welfare));
        Assert.Equal(1, record.Traded);
    }

    // Out of line, so that no local of the test method keeps the outcome alive.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (WeakReference Decision, (int, int, int, double) Expected) AddRound(RunReport.RunRecord record)
    {
        var feeder = new Feeder("n0", [new FeederNode("n0"), new FeederNode("n1")], [new FeederLine("L1", "n0", "n1", 50)]);
        Quotation[] participants =
        [
            new("pv0", ParticipantKind.Pv, TradeRole.Seller, "n1", 2, 8, 2, MaintenancePerKwh: 0.1),
            new("ev0", ParticipantKind.Ev, TradeRole.Buyer, "n1", 1, 4, 1, 0.15, 2),
        ];
        var round = new MarketRound("r", 0.25, 1.0105, 0.3, participants, null, feeder);
        var decision = new MarketCore().Clear(round);
        Assert.NotEmpty(decision.Trades);
        var summary = new RoundSummary("demo-20260601T1200", Start, Start.AddMinutes(15), RoundPhase.Closed, 1, 1, [], 0, 0, 1, 1, 0, 0, 0);
        record.Add(new RoundOutcome(summary.RoundId, round, decision, [], new Dictionary<string, double>(), [], summary));
        return (new WeakReference(decision), (1, decision.Kpis.MatchedTrades, decision.Kpis.ExecutedTrades, decision.Kpis.TotalWelfare));
    }
}
