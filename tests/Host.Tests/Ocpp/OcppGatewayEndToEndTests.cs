using Gateway.Drivers.Devices.Ocpp;
using Gateway.Drivers.Ocpp;
using Gateway.Runtime.Devices;
using Gateway.Runtime.Journal;
using Gateway.Rigs;
using Gateway.Runtime.Scheduling;
using Gateway.Runtime.Status;
using Gateway.Host.Tests.Worker;
using Gateway.Runtime.Worker;
using Gateway.LedgerClient.Embedded;
using Gateway.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Host.Tests.Ocpp;

/// <summary>
/// The whole gateway runtime against OCPP piles: the simulated stations of device-sims dial the gateway's OCPP endpoint
/// (one OCPP 2.1 V2X pile whose vehicle is full enough to sell, one OCPP 2.0.1 pile that can only buy) beside Modbus
/// devices behind a congested line. Rounds trade, every setpoint to a pile is confirmed by its response and read back from
/// its meter values, the 2.1 pile delivers to the grid when it sells, the 2.0.1 pile is never asked to discharge,
/// settlements reach the ledger; a station that goes away is isolated and its own profile runs out on the pile.
/// </summary>
[Collection(RealTimeEndToEndCollection.Name)]
public sealed class OcppGatewayEndToEndTests
{
    [Fact]
    public async Task Rounds_with_an_OCPP_2_1_seller_and_an_OCPP_2_0_1_buyer_confirm_every_setpoint_and_settle()
    {
        var port = Ports.Free();
        var yaml = EndToEndRig.Yaml
            .Replace("""{ id: ev-a, kind: charger, node: n2, protocol: modbus-tcp, endpoint: "127.0.0.1:0", unitId: 1, profile: v2g-charger,""",
                $$"""{ id: ev-a, kind: charger, node: n2, protocol: ocpp, endpoint: "ws://127.0.0.1:{{port}}/ocpp/CP-A", profile: ocpp-charger,""")
            .Replace("""{ id: ev-c, kind: charger, node: n2, protocol: modbus-tcp, endpoint: "127.0.0.1:0", unitId: 3, profile: v2g-charger,""",
                $$"""{ id: ev-c, kind: charger, node: n2, protocol: ocpp, endpoint: "ws://127.0.0.1:{{port}}/ocpp/CP-C", profile: ocpp-charger,""")
            .Replace("sim: { batteryKwh: 40, socAtArrivalPercent: 30,", "sim: { ocppVersion: \"2.0.1\", batteryKwh: 40, socAtArrivalPercent: 30,")
            // Less sun than the base rig, so the rooftop PV cannot cover both buyers and the V2X pile has to sell.
            .Replace("sim: { ratedKwp: 12,", "sim: { ratedKwp: 2,")
            // The vehicles are parked at the site's own piles: a short drive, so an EV-to-EV trade is worth its travel cost.
            .Replace("  readBackSeconds: 5\n", "  readBackSeconds: 5\n  economics: { distanceToChargerKm: 0.5 }\n");
        Assert.Contains("ocppVersion", yaml);
        Assert.Contains("ratedKwp: 2,", yaml);
        Assert.Contains("distanceToChargerKm", yaml);
        Assert.Equal(2, yaml.Split("protocol: ocpp").Length - 1);
        await using var rig = await EndToEndRig.StartAsync(yaml);
        var definition = rig.Load();
        var seller = rig.Sims.OcppOf("ev-a")!;
        var buyer = rig.Sims.OcppOf("ev-c")!;
        var outcomes = new List<RoundOutcome>();

        var clock = new AcceleratedTimeProvider(rig.Sims.Rig.Clock.Now, definition.TimeScale);
        await using (var runtime = await GatewayRuntime.StartAsync(definition, NullLoggerFactory.Instance, rig.Endpoints, clock,
            new DevicePollerOptions { AttemptTimeout = TimeSpan.FromSeconds(2), IsolateAfterFailures = 2 }))
        {
            // The stations redial until the endpoint (started with the first poll) answers; the rounds start once all are in.
            await Waits.UntilAsync(() => runtime.Links.All(l => l.State == DeviceLinkState.Healthy),
                () => "every device healthy: " + string.Join(", ", runtime.Links.Select(l => $"{l.Device.Id} {l.State} ({l.LastError})")), TimeSpan.FromSeconds(30));
            Assert.Equal(OcppVersion.Ocpp21, seller.Version);
            Assert.Equal(OcppVersion.Ocpp201, buyer.Version);
            Assert.All(new[] { "ev-a", "ev-c" }, id => Assert.IsType<OcppChargerDriver>(runtime.Links.Single(l => l.Device.Id == id).Driver));

            for (var i = 0; i < 3; i++) outcomes.Add(await runtime.TickAsync());
            var backlog = await runtime.DrainLedgerAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(0, backlog.PendingCount);
            Assert.Equal(0, backlog.DeadLetterCount);

            // The 2.1 pile sold in the last round and holds a discharge profile; then its station goes away (a cut cable):
            // the gateway isolates the pile, and the pile, hearing nothing more, lets the profile's validTo pass and drops to 0 kW.
            Assert.True(outcomes[^1].Setpoints.Single(s => s.DeviceId == "ev-a").SetpointKw > 0, "ev-a sells in the last round: " + Describe(outcomes));
            var pile = rig.Sims.Rig.Find("ev-a")!;
            var fallbacksBefore = pile.WatchdogFallbacks;
            await seller.DisposeAsync();
            await Waits.UntilAsync(() => runtime.Links.Single(l => l.Device.Id == "ev-a").State == DeviceLinkState.Isolated,
                () => $"ev-a isolated (it is {runtime.Links.Single(l => l.Device.Id == "ev-a").State})", TimeSpan.FromSeconds(20));
            await Waits.UntilAsync(() =>
            {
                lock (rig.Sims.Rig.Gate)
                {
                    rig.Sims.Rig.AdvanceTo(rig.Sims.Rig.Clock.Now);
                    return pile.WatchdogFallbacks > fallbacksBefore && pile.Image.Get("PowerKw") == 0;
                }
            }, () => $"ev-a's own profile expired on the pile: {pile.Describe()}", TimeSpan.FromSeconds(20));
            Assert.Equal(DeviceLinkState.Healthy, runtime.Links.Single(l => l.Device.Id == "ev-c").State);
        }

        Assert.Contains(outcomes, o => o.Decision.Trades.Count > 0);
        var sold = 0;
        foreach (var o in outcomes)
        {
            foreach (var id in new[] { "ev-a", "ev-c" })
            {
                var sp = Assert.Single(o.Setpoints, s => s.DeviceId == id);
                Assert.True(sp.Status == SetpointStatus.Confirmed, $"{o.RoundId}: {id} {sp.Status} ({sp.SetpointKw} kW, read back {sp.ReadBackKw}): {sp.Detail}");
                Assert.NotNull(sp.ReadBackKw);
                Assert.Equal(sp.SetpointKw, sp.ReadBackKw!.Value, 0.0015);
            }
            Assert.DoesNotContain(o.Setpoints, s => s.Status == SetpointStatus.Missed);

            // A 2.0.1 pile only takes charging limits: never a setpoint above 0 kW.
            Assert.True(o.Setpoints.Single(s => s.DeviceId == "ev-c").SetpointKw <= 0, $"{o.RoundId}: ev-c was asked to discharge");
            // The 2.1 pile sells by discharging: positive power, delivered to the grid, metered as export.
            var sell = o.Setpoints.Single(s => s.DeviceId == "ev-a");
            if (sell.SetpointKw > 0)
            {
                sold++;
                Assert.True(o.MeteredNetExportKwh.GetValueOrDefault("ev-a") > 0, $"{o.RoundId}: ev-a sold {sell.SetpointKw} kW but metered {o.MeteredNetExportKwh.GetValueOrDefault("ev-a")} kWh");
                Assert.Contains(o.Settlements, s => s.PayeeId == "ev-a");
            }
        }
        Assert.True(sold >= 2, $"ev-a sold in {sold} of {outcomes.Count} rounds: " + Describe(outcomes));
        Assert.True(seller.ProfilesApplied >= 3 && buyer.ProfilesApplied >= 3, $"profiles applied: ev-a {seller.ProfilesApplied}, ev-c {buyer.ProfilesApplied}");
        Assert.Equal(0, seller.ProfilesRejected + buyer.ProfilesRejected);

        await using var ledger = await EmbeddedLedger.OpenAsync(definition.Ledger.EmbeddedPath, TimeProvider.System);
        foreach (var o in outcomes)
            Assert.Equal(o.Settlements.Select(s => s.SettlementId).Order(), (await ledger.QueryRoundAsync(o.RoundId)).Select(s => s.SettlementId).Order());
        Assert.Contains(outcomes, o => o.Settlements.Count > 0);
    }

    private static string Describe(IEnumerable<RoundOutcome> outcomes) => string.Join(" | ", outcomes.Select(o =>
        $"{o.RoundId}: quotations " + string.Join(", ", o.Round.Participants.Select(q => $"{q.Id} {q.Role} {q.EnergyKwh:0.##} kWh"))
        + $"; {o.Decision.Trades.Count} trades; setpoints " + string.Join(", ", o.Setpoints.Select(s => $"{s.DeviceId} {s.SetpointKw:0.##} kW {s.Status} {s.Detail}"))));
}
