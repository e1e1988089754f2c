using System.Text.Json;
using Gateway.DeviceSims.Hosting;
using Gateway.Drivers.Ocpp;
using Gateway.Testing;

namespace Gateway.Host.Tests.Ocpp;

/// <summary>
/// The simulated OCPP station of device-sims against a CSMS built on each of ocpp-rpc and ocpp-ws-io (strict mode: every message
/// checked against the official schemas by an implementation independent of ours): it boots, authorises, starts a transaction, reports meter values
/// from the charger's physics, applies 2.1 setpoints and 2.0.1 limits and falls back to 0 kW when the profile's validTo passes.
/// </summary>
[Trait(PeerTraits.Name, PeerTraits.Node)]
public sealed class OcppStationSimulatorTests : IAsyncLifetime
{
    private readonly AsyncCleanup _cleanup = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _cleanup.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(NodeOcppPeer.Libraries), MemberType = typeof(NodeOcppPeer))]
    public async Task The_simulated_station_speaks_OCPP_2_1_to_an_independent_CSMS_and_follows_V2X_setpoints_until_they_expire(string library)
    {
        var (csms, station) = await StartAsync(library, "ocpp2.1,ocpp2.0.1", version: null);
        Assert.Equal("ocpp2.1", (await csms.WaitForAsync("connected")).GetProperty("protocol").GetString());
        Assert.Equal("SimulatedV2XCharger", (await csms.WaitForAsync("boot")).GetProperty("model").GetString());
        await csms.WaitForAsync("status", where: e => e.GetProperty("connectorStatus").GetString() == "Occupied");
        await csms.WaitForAsync("authorize");
        await csms.WaitForAsync("transaction", where: e => e.GetProperty("eventType").GetString() == "Started");
        var needs = (await csms.WaitForAsync("needs")).GetProperty("needs");
        Assert.Equal(11000, needs.GetProperty("v2xChargingParameters").GetProperty("maxChargePower").GetDouble());
        Assert.Equal(7000, needs.GetProperty("v2xChargingParameters").GetProperty("maxDischargePower").GetDouble());
        Assert.Equal(60000, needs.GetProperty("dcChargingParameters").GetProperty("evEnergyCapacity").GetDouble());
        Assert.Equal(40, needs.GetProperty("dcChargingParameters").GetProperty("stateOfCharge").GetInt32());
        var first = await csms.WaitForAsync("transaction", where: e => e.GetProperty("eventType").GetString() == "Updated");
        Assert.Equal(0, Value(first, "Power.Active.Import"));
        Assert.Equal(40, Value(first, "SoC"));

        // Charge at 6 kW (OCPP: +6000 W): the charger ramps to it at 2 kW/s and reports the setpoint in force.
        await csms.SendAsync("profile 6000 60 setpoint");
        Assert.Equal("Accepted", (await csms.WaitForAsync("profileAnswer")).GetProperty("status").GetString());
        await csms.WaitForAsync("transaction", where: e => Value(e, "Power.Active.Setpoint") == 6000 && Value(e, "Power.Active.Import") == 6000);
        Assert.Equal(1, station.ProfilesApplied);

        // Discharge 4 kW for two seconds: the station feeds the grid, then falls back to 0 kW by itself.
        await csms.SendAsync("profile -4000 2 setpoint");
        Assert.Equal("Accepted", (await csms.WaitForAsync("profileAnswer")).GetProperty("status").GetString());
        await csms.WaitForAsync("transaction", where: e => Value(e, "Power.Active.Export") == 4000);
        await csms.WaitForAsync("transaction", TimeSpan.FromSeconds(10), e => Value(e, "Power.Active.Setpoint") == 0 && Value(e, "Power.Active.Export") == 0 && Value(e, "Power.Active.Import") == 0);

        // Beyond what the vehicle takes: refused with a reason, nothing applied.
        await csms.SendAsync("profile 50000 60 setpoint");
        var refused = await csms.WaitForAsync("profileAnswer");
        Assert.Equal("Rejected", refused.GetProperty("status").GetString());
        Assert.Equal("InvalidValue", refused.GetProperty("statusInfo").GetProperty("reasonCode").GetString());
        await csms.SendAsync("unknown");
        Assert.Equal("NotImplemented", (await csms.WaitForAsync("callError")).GetProperty("code").GetString());
        Assert.DoesNotContain(csms.Seen, e => e.GetProperty("event").GetString() is "strictValidationFailure" or "badMessage" or "error" or "unhandled");
    }

    [Theory]
    [MemberData(nameof(NodeOcppPeer.Libraries), MemberType = typeof(NodeOcppPeer))]
    public async Task Over_OCPP_2_0_1_the_simulated_station_takes_charging_limits_and_reports_the_power_offered(string library)
    {
        var (csms, _) = await StartAsync(library, "ocpp2.0.1", version: OcppVersion.Ocpp201);
        Assert.Equal("ocpp2.0.1", (await csms.WaitForAsync("connected")).GetProperty("protocol").GetString());
        var needs = (await csms.WaitForAsync("needs")).GetProperty("needs");
        Assert.Equal(11000, needs.GetProperty("dcChargingParameters").GetProperty("evMaxPower").GetDouble());
        Assert.False(needs.TryGetProperty("v2xChargingParameters", out _));
        await csms.SendAsync("profile 3500 60");
        Assert.Equal("Accepted", (await csms.WaitForAsync("profileAnswer")).GetProperty("status").GetString());
        await csms.WaitForAsync("transaction", where: e => Value(e, "Power.Offered") == 3500 && Value(e, "Power.Active.Import") == 3500);
        await csms.SendAsync("clear");
        Assert.Equal("Accepted", (await csms.WaitForAsync("clearAnswer")).GetProperty("status").GetString());
        await csms.WaitForAsync("transaction", where: e => Value(e, "Power.Offered") == 0);
        Assert.DoesNotContain(csms.Seen, e => e.GetProperty("event").GetString() is "strictValidationFailure" or "badMessage" or "error" or "unhandled");
    }

    private async Task<(NodeOcppPeer Csms, OcppStationSimulator Station)> StartAsync(string library, string protocols, OcppVersion? version)
    {
        var csms = NodeOcppPeer.Start("csms.js", new Dictionary<string, string> { ["OCPP_PROTOCOLS"] = protocols }, library);
        _cleanup.Add(csms);
        var port = (await csms.WaitForAsync("listening")).GetProperty("port").GetInt32();
        var station = SimulatedStations.Start(_cleanup, port, ["CP-SIM"], version).Stations[0];
        return (csms, station);
    }

    private static double Value(JsonElement e, string measurand) =>
        e.GetProperty("values").TryGetProperty(measurand, out var v) ? v.GetDouble() : double.NaN;
}
