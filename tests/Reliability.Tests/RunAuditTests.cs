using Gateway.DeviceSims.Devices;
using Gateway.Runtime.Journal;
using Gateway.LedgerClient.Outbox;
using Gateway.Rigs;
using Microsoft.Data.Sqlite;

namespace Gateway.Reliability.Tests;

/// <summary>
/// The audit itself, on a journal and device write logs made by hand (the matrix site's simulators, their register
/// images written directly, no servers): what it blames must be what happened.
/// </summary>
public sealed class RunAuditTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("audit-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private (RunAudit Audit, RoundJournal Journal, SimulatedRig Sims) Site()
    {
        var rigPath = Path.Combine(_dir, "rig.yaml");
        File.WriteAllText(rigPath, MatrixSite.Yaml(new MatrixSiteOptions()));
        var sims = new SimulatedRig(RigLoader.LoadSimulated(rigPath), TimeProvider.System);
        var writes = SetpointWriteLog.Attach(sims);
        var rig = Gateway.Rigs.RigLoader.Load(rigPath);
        var journal = RoundJournal.Open(rig.JournalPath, TimeProvider.System);
        journal.WithTransaction((c, _) => SettlementOutbox.EnsureSchemaAsync(c).GetAwaiter().GetResult());
        return (new RunAudit { Rig = rig, Sims = sims, JournalPath = rig.JournalPath, Writes = writes }, journal, sims);
    }

    private static void Round(RoundJournal journal, int k, params (string Device, double Kw, SetpointStatus Status)[] setpoints)
    {
        var start = new DateTimeOffset(2026, 6, 2, 19, 0, 0, TimeSpan.Zero).AddMinutes(15 * k);
        var id = $"matrix-{start.UtcDateTime:yyyyMMdd'T'HHmm}";
        journal.BeginRound(id, start, start.AddMinutes(15), "{}", "{}");
        journal.RecordSetpointIntents(id, setpoints.Select(s => new SetpointIntent(s.Device, s.Kw, start.AddMinutes(16))).ToList());
        var outcomes = setpoints.Where(s => s.Status != SetpointStatus.Intended).Select(s => new SetpointOutcome(s.Device, s.Status, s.Status == SetpointStatus.Confirmed ? s.Kw : null, null)).ToList();
        journal.RecordSetpointOutcomes(id, outcomes);
        journal.Advance(id, RoundState.Closed);
    }

    [Fact]
    public void A_setpoint_left_intended_among_identical_ones_is_the_one_blamed_not_a_confirmed_neighbour()
    {
        var (audit, journal, sims) = Site();
        using (journal)
        {
            // ev-c idles at 0 kW for three rounds; the middle one was never sent (a crash left it intended).
            Round(journal, 0, ("ev-c", 0, SetpointStatus.Confirmed));
            Round(journal, 1, ("ev-c", 0, SetpointStatus.Intended));
            Round(journal, 2, ("ev-c", 0, SetpointStatus.Confirmed));
        }
        var evC = sims.Find("ev-c")!;
        Assert.Equal(Gateway.Drivers.Modbus.ModbusExceptionCode.None, evC.Image.Write("SetpointKw", 0));
        Assert.Equal(Gateway.Drivers.Modbus.ModbusExceptionCode.None, evC.Image.Write("SetpointKw", 0));

        var row = audit.Count("test", "test", 0, ledgerVerified: true);

        Assert.Equal(1, row.SetpointsLost);
        var problem = Assert.Single(row.Problems, p => p.StartsWith("ev-c", StringComparison.Ordinal));
        Assert.Contains("matrix-20260602T1915 intended", problem);
    }

    [Fact]
    public void A_missed_setpoint_the_device_never_received_adds_no_flow_and_a_received_one_does()
    {
        var (audit, journal, sims) = Site();
        using (journal)
        {
            // ev-b (n3, behind the 6 kW L13) missed a 7.4 kW charge order; the SMES beside it was told 0.
            Round(journal, 0, ("ev-b", -7.4, SetpointStatus.Missed), ("smes-a", 0, SetpointStatus.Confirmed));
        }
        Assert.Equal(Gateway.Drivers.Modbus.ModbusExceptionCode.None, sims.Find("smes-a")!.Image.Write("SetpointKw", 0));
        Assert.Equal(0, audit.Count("test", "test", 0, ledgerVerified: true).OverLimit);

        // Had the order reached the device, L13 would have carried 7.9 kW (with the 0.5 kW base load).
        Assert.Equal(Gateway.Drivers.Modbus.ModbusExceptionCode.None, sims.Find("ev-b")!.Image.Write("SetpointKw", -7.4));
        var row = audit.Count("test", "test", 0, ledgerVerified: true);
        Assert.Equal(1, row.OverLimit);
        Assert.Contains(row.Problems, p => p.Contains("line L13 carries -7.9 kW", StringComparison.Ordinal));
    }

    [Fact]
    public void A_round_a_device_sat_out_is_affected_and_recovery_waits_for_a_round_that_sets_every_device()
    {
        var (audit, journal, sims) = Site();
        string[] all = ["ev-a", "ev-b", "ev-c", "pv-a", "smes-a"];
        // Round k sets k kW, so each write names the round it delivers.
        (string, double, SetpointStatus)[] Every(int k, params string[] without) =>
            [.. all.Where(d => !without.Contains(d)).Select(d => (d, (double)k, SetpointStatus.Confirmed))];
        void Deliver(int k, params string[] without)
        {
            foreach (var d in sims.Devices.Where(d => SetpointWriteLog.Tracked(d) && !without.Contains(d.Id)))
                Assert.Equal(Gateway.Drivers.Modbus.ModbusExceptionCode.None, d.Image.Write("SetpointKw", k));
        }
        using (journal)
        {
            Round(journal, 0, Every(0));
            // ev-a and the SMES isolated (their broker gone): no setpoint planned for them, the rest all confirmed.
            Round(journal, 1, Every(1, "ev-a", "smes-a"));
            Round(journal, 2, Every(2, "ev-a", "smes-a"));
            Round(journal, 3, Every(3));
        }
        Deliver(0);
        Deliver(1, "ev-a", "smes-a");
        Deliver(2, "ev-a", "smes-a");
        var healedAt = audit.Writes.Now;
        Deliver(3);

        var row = audit.Count("test", "test", 0, ledgerVerified: true, a => a.RecoveryAfter(healedAt));

        Assert.Equal(2, row.RoundsAffected);
        Assert.Equal(0, row.SetpointsLost + row.SetpointsDoubled);
        Assert.Equal("matrix-20260602T1945", row.RecoveryNote);
        Assert.Equal(["ev-a", "smes-a"], new SiteDispatch(audit.Rig).SatOut(JournalView.Setpoints(audit.JournalPath).Where(s => s.RoundId == "matrix-20260602T1915")));
    }

    [Fact]
    public void Recovery_is_a_round_begun_after_the_heal_not_an_old_one_whose_values_are_sent_again()
    {
        var (audit, journal, sims) = Site();
        string[] all = ["ev-a", "ev-b", "ev-c", "pv-a", "smes-a"];
        (string, double, SetpointStatus)[] Every(double kw) => [.. all.Select(d => (d, kw, SetpointStatus.Confirmed))];
        void Deliver(double kw)
        {
            foreach (var d in sims.Devices.Where(SetpointWriteLog.Tracked))
                Assert.Equal(Gateway.Drivers.Modbus.ModbusExceptionCode.None, d.Image.Write("SetpointKw", kw));
        }
        using (journal)
        {
            // A night round (every device at 0 kW), a round that went out under the fault, and the round begun after the heal.
            Round(journal, 0, Every(0));
            Round(journal, 1, Every(2));
            Round(journal, 2, Every(0));
        }
        Deliver(0);
        Deliver(2);
        IReadOnlySet<string> beforeHeal = new HashSet<string>(["matrix-20260602T1900", "matrix-20260602T1915"], StringComparer.Ordinal);
        var healedAt = audit.Writes.Now;
        // After the heal: 0 kW sent again (the keep-alive of a zero setpoint), then the new round's 0 kW.
        Deliver(0);
        Deliver(0);

        Assert.Equal("matrix-20260602T1900", audit.RecoveryAfter(healedAt).Note);
        Assert.Equal("matrix-20260602T1930", audit.RecoveryAfter(healedAt, beforeHeal).Note);
    }
}
