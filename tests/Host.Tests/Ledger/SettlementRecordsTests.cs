using Gateway.Runtime.Ledger;
using Gateway.LedgerClient;
using Gateway.Market.Decision;

namespace Gateway.Host.Tests.Ledger;

public sealed class SettlementRecordsTests
{
    private static readonly DateTimeOffset Start = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Each_metered_settlement_becomes_a_record_whose_id_is_its_place_in_the_round()
    {
        MeteredSettlement[] settled = [new("ev-b", "pv-1", 4m, 0.7m, 2.8m), new("ev-b", "smes", 1m, 0.6m, 0.6m)];

        var records = SettlementRecords.Of("r", settled, Start, Start.AddHours(1));

        Assert.Equal(["r/000/ev-b->pv-1", "r/001/ev-b->smes"], records.Select(r => r.SettlementId));
        Assert.Equal(new SettlementRecord("r/000/ev-b->pv-1", "r", "ev-b", "pv-1", 4m, 0.7m, 2.8m, Start, Start.AddHours(1)), records[0]);
    }

    [Fact]
    public void With_the_journals_epoch_the_ids_are_the_ledgers_unique_ones()
    {
        var records = SettlementRecords.Of("r", [new MeteredSettlement("ev-b", "pv-1", 4m, 0.7m, 2.8m)], Start, Start.AddHours(1), epoch: "e1");

        Assert.Equal(LedgerIds.SettlementId("r", "e1", 0, "ev-b", "pv-1"), Assert.Single(records).SettlementId);
    }
}
