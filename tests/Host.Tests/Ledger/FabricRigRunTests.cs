using System.CommandLine;
using System.Text.Json;
using Gateway.Host.Cli;
using Gateway.Runtime.Ledger;
using Gateway.LedgerClient;
using Microsoft.Data.Sqlite;

namespace Gateway.Host.Tests.Ledger;

/// <summary>
/// The gateway at ×180 settling on Fabric (the test peer, three channels, 500 ms blocks): everything commits, every
/// deadline and timestamp that reaches the peer is wall time, and the verbs (verify, trace, follow) see the three streams.
/// </summary>
public sealed class FabricRigRunTests(FabricRigFixture fixture) : IClassFixture<FabricRigFixture>
{
    private static Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) => LedgerVerbInvocation.RunAsync(args);

    [Fact]
    public void A_run_at_x180_against_realistic_commit_latency_commits_every_stream()
    {
        Assert.Equal(3, fixture.Outcomes.Count);
        Assert.Contains(fixture.Outcomes, o => o.Settlements.Count > 0);
        foreach (var (stream, backlog) in fixture.Backlogs)
        {
            Assert.True(backlog.PendingCount == 0, $"{stream}: {backlog.PendingCount} pending ({backlog.LastError})");
            Assert.Equal(0, backlog.DeadLetterCount);
        }
        Assert.Equal(fixture.Outcomes.Sum(o => o.Settlements.Count), fixture.Backlogs[LedgerStream.Settlements].CommittedCount);
        Assert.Equal(3, fixture.Backlogs[LedgerStream.Matching].CommittedCount);
        Assert.Equal(3, fixture.Backlogs[LedgerStream.Electricity].CommittedCount);
    }

    [Fact]
    public void The_status_board_lists_what_the_peer_reports_committed_from_its_chaincode_events()
    {
        // The dashboard's ledger card reads this list: fed by the peer's ChaincodeEvents stream, not by the outbox.
        Assert.NotEmpty(fixture.LastRoundSettlementIds);
        var listed = fixture.BoardCommits.Where(c => fixture.LastRoundSettlementIds.Contains(c.SettlementId)).ToList();
        Assert.Equal(fixture.LastRoundSettlementIds.Order(), listed.Select(c => c.SettlementId).Order());
        // A round is one CommitSettlements transaction: one block, one transaction id for all its settlements.
        Assert.Single(listed.Select(c => c.TransactionId).Distinct());
        Assert.Single(listed.Select(c => c.BlockNumber).Distinct());
        Assert.All(listed, c => Assert.True(c.BlockNumber > 0 && c.TransactionId.Length == 64, $"{c.SettlementId}: block {c.BlockNumber}, tx '{c.TransactionId}'"));
        Assert.All(listed, c => Assert.InRange(c.SeenAtUtc, fixture.StartedAtUtc, fixture.FinishedAtUtc));
    }

    [Fact]
    public void Deadlines_the_peer_sees_are_wall_time_not_the_plants_accelerated_time()
    {
        // At ×180 a 60 s commit-status deadline taken from the plant's clock would reach the peer as a third of a second.
        var commitStatus = fixture.Peer.ObservedDeadlines.Where(d => d.Method == "CommitStatus").ToList();
        Assert.NotEmpty(commitStatus);
        Assert.All(commitStatus, d => Assert.True(d.Remaining > TimeSpan.FromSeconds(50), $"CommitStatus deadline {d.Remaining} away"));
        Assert.All(fixture.Peer.ObservedDeadlines.Where(d => d.Method == "Endorse"), d => Assert.True(d.Remaining > TimeSpan.FromSeconds(10), $"Endorse deadline {d.Remaining} away"));
    }

    [Fact]
    public void Proposals_carry_wall_time_not_the_simulated_day()
    {
        var stamps = fixture.Peer.ProposalTimestamps;
        Assert.NotEmpty(stamps);
        var slack = TimeSpan.FromMinutes(1);
        Assert.All(stamps, t => Assert.InRange(t, fixture.StartedAtUtc - slack, fixture.FinishedAtUtc + slack));
        // The simulated interval is 2026-06-01 from 11:00 on; wall time is not.
        Assert.All(fixture.Outcomes.SelectMany(o => o.Settlements), s => Assert.DoesNotContain(stamps, t => Math.Abs((t - s.IntervalStartUtc).TotalHours) < 1));
    }

    [Fact]
    public async Task The_outbox_stamps_wall_time()
    {
        await using var journal = new SqliteConnection($"Data Source={fixture.Definition.JournalPath};Mode=ReadOnly;Pooling=False");
        await journal.OpenAsync();
        await using var command = journal.CreateCommand();
        command.CommandText = "SELECT enqueued_at_utc, committed_at_utc FROM settlement_outbox UNION ALL SELECT enqueued_at_utc, committed_at_utc FROM ledger_record_outbox";
        await using var reader = await command.ExecuteReaderAsync();
        var slack = TimeSpan.FromMinutes(1);
        var rows = 0;
        while (await reader.ReadAsync())
        {
            rows++;
            foreach (var i in new[] { 0, 1 })
                Assert.InRange(DateTimeOffset.Parse(reader.GetString(i), System.Globalization.CultureInfo.InvariantCulture), fixture.StartedAtUtc - slack, fixture.FinishedAtUtc + slack);
        }
        Assert.True(rows > 6);
    }

    [Fact]
    public async Task Each_round_is_one_transaction_per_channel_and_ids_carry_the_journals_epoch()
    {
        Assert.Equal(3, fixture.Peer.TransactionsPerBlock("matching").Sum());
        Assert.Equal(3, fixture.Peer.TransactionsPerBlock("electricity").Sum());
        Assert.Equal(fixture.Outcomes.Count(o => o.Settlements.Count > 0), fixture.Peer.TransactionsPerBlock("txmain").Sum());
        Assert.All(fixture.Outcomes.SelectMany(o => o.Settlements), s =>
        {
            Assert.True(LedgerIds.TryParseSettlementId(s.SettlementId, out var round, out var epoch));
            Assert.Equal((s.RoundId, fixture.Epoch), (round, epoch));
        });
        var verify = await RunAsync("ledger", "verify", "--rig", fixture.Rig.RigPath, "--json");
        Assert.True(verify.ExitCode == 0, verify.Output + verify.Error);
        var report = JsonSerializer.Deserialize<JsonElement>(verify.Output);
        Assert.True(report.GetProperty("consistent").GetBoolean());
        Assert.Equal(fixture.Outcomes.Sum(o => o.Settlements.Count), report.GetProperty("settlements").GetInt32());
        Assert.Equal(3, report.GetProperty("decisions").GetInt32());
        Assert.Equal(3, report.GetProperty("deliveries").GetInt32());
        Assert.Equal(fixture.Epoch, report.GetProperty("epoch").GetString());
    }

    [Fact]
    public async Task Trace_walks_a_settlement_back_to_its_trade_its_parties_setpoints_and_meter_readings()
    {
        var outcome = fixture.Outcomes.First(o => o.Settlements.Any(s => o.Decision.Trades.Any(t => t.BuyerId == s.PayerId && t.SellerId == s.PayeeId)));
        var settlement = outcome.Settlements.First(s => outcome.Decision.Trades.Any(t => t.BuyerId == s.PayerId && t.SellerId == s.PayeeId));

        var json = await RunAsync("trace", settlement.SettlementId, "--rig", fixture.Rig.RigPath, "--json");

        Assert.True(json.ExitCode == 0, json.Output + json.Error);
        var trace = JsonSerializer.Deserialize<JsonElement>(json.Output);
        Assert.Equal(settlement.Amount, trace.GetProperty("settlement").GetProperty("amount").GetDecimal());
        Assert.StartsWith("Fabric settlement@txmain", trace.GetProperty("settlement").GetProperty("source").GetProperty("where").GetString());
        Assert.Matches("^[0-9a-f]{64}$", trace.GetProperty("settlement").GetProperty("source").GetProperty("transactionId").GetString()!);
        var trade = trace.GetProperty("decision").GetProperty("trade");
        Assert.Equal(settlement.PayerId, trade.GetProperty("buyerId").GetString());
        Assert.Equal(settlement.PayeeId, trade.GetProperty("sellerId").GetString());
        Assert.StartsWith("Fabric matching@matching", trace.GetProperty("decision").GetProperty("source").GetProperty("where").GetString());
        var devices = trace.GetProperty("delivery").GetProperty("devices").EnumerateArray().ToList();
        Assert.Equal(
            fixture.Definition.Devices.Where(d => d.ParticipantId == settlement.PayerId || d.ParticipantId == settlement.PayeeId).Select(d => d.Id).Order(),
            devices.Select(d => d.GetProperty("deviceId").GetString()).Order());
        foreach (var device in devices)
        {
            var journaled = outcome.Setpoints.Single(p => p.DeviceId == device.GetProperty("deviceId").GetString());
            Assert.Equal(Math.Round(journaled.SetpointKw, 6), device.GetProperty("setpointKw").GetDouble());
            Assert.Equal(device.GetProperty("meterEndKwh").GetDouble() - device.GetProperty("meterStartKwh").GetDouble(), device.GetProperty("netExportKwh").GetDouble(), 6);
        }

        var table = await RunAsync("trace", settlement.SettlementId, "--rig", fixture.Rig.RigPath);
        Assert.Equal(0, table.ExitCode);
        Assert.Contains($"{settlement.PayerId} pays {settlement.PayeeId}", table.Output);
        Assert.Contains("Decision of round", table.Output);
        Assert.Contains("Delivery (positive = delivered to the grid)", table.Output);
    }

    [Fact]
    public async Task Follow_prints_the_committed_settlements_from_the_chaincode_events()
    {
        var expected = fixture.Outcomes.SelectMany(o => o.Settlements).ToList();

        var result = await RunAsync("ledger", "follow", "--rig", fixture.Rig.RigPath, "--from-block", "1", "--count", $"{expected.Count}", "--json");

        Assert.True(result.ExitCode == 0, result.Error);
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonSerializer.Deserialize<JsonElement>(l)).ToList();
        Assert.Equal(expected.Select(s => s.SettlementId), lines.Select(l => l.GetProperty("settlementId").GetString()));
        Assert.Equal(expected.Select(s => s.Amount), lines.Select(l => l.GetProperty("amount").GetDecimal()));
    }

    [Fact]
    public async Task Trace_of_an_unknown_settlement_and_a_wrong_rig_say_so()
    {
        var unknown = await RunAsync("trace", "nobody/00000000/000/a->b", "--rig", fixture.Rig.RigPath);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("no settlement 'nobody/00000000/000/a->b'", unknown.Output);

        var missing = await RunAsync("trace", "x", "--rig", Path.Combine(fixture.Rig.Directory, "nope.yaml"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("trace:", missing.Error);
    }
}
