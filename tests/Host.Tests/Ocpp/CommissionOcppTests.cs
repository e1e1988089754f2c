using System.Text.Json;
using Gateway.DeviceSims.Devices;
using Gateway.DeviceSims.Hosting;
using Gateway.Drivers.Devices.Ocpp;
using Gateway.Host.Cli;
using Gateway.Rigs;
using Gateway.Testing;

namespace Gateway.Host.Tests.Ocpp;

/// <summary>
/// <c>gateway commission ocpp://… --device ID</c> on a simulated station: identify (it dials in), verify read-only, the step as a
/// charging profile confirmed by read-back, and the fail-safe (the profile's validTo passes, the station drops to 0 kW by itself).
/// Real time on both sides: the station keeps wall time, as a real one does.
/// </summary>
public sealed class CommissionOcppTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("commission-ocpp-").FullName;
    private OcppStationSimulator? _station;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_station is not null) await _station.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task An_OCPP_pile_passes_identify_verify_step_and_fail_safe()
    {
        var port = Ports.Free();
        var rig = RigParser.Parse($$"""
            site: commission-ocpp
            start: 2026-06-01T10:00:00Z
            timeScale: 1
            devices:
              - id: ev-c
                kind: charger
                protocol: ocpp
                endpoint: "ws://127.0.0.1:{{port}}/ocpp/CP-C"
                profile: ocpp-charger
                sim: { batteryKwh: 60, socAtArrivalPercent: 40, arrival: "08:00", departure: "18:00", targetSocPercent: 80, maxChargeKw: 11, maxDischargeKw: 7, rampKwPerSecond: 50 }
            """, "commission-ocpp.yaml");
        var simulated = new SimulatedRig(rig, TimeProvider.System);
        Assert.True(OcppStationUrl.TryParse($"ws://127.0.0.1:{port}/ocpp/CP-C", out var url, out _));
        _station = new OcppStationSimulator(simulated, simulated.Find("ev-c")!, url, TimeSpan.FromMilliseconds(200));
        _station.Start();

        var request = new CommissionRequest($"ocpp://127.0.0.1:{port}", 1, null, "CP-C", AllowWrite: true, Yes: true,
            ProbeSetpoint.TryParse("-3", out var step) ? step : throw new InvalidOperationException(), null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2),
            TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(3), Path.Combine(_dir, "report"), null, "n1", Json: true);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CommissionVerb.RunAsync(request, (_, _) => Task.FromResult(true), stdout, stderr, TimeProvider.System);
        var root = JsonDocument.Parse(stdout.ToString()).RootElement;
        Assert.True(code == ExitCodes.Ok, stderr + root.ToString());
        Assert.True(root.GetProperty("verification").GetProperty("passed").GetBoolean());
        Assert.True(root.GetProperty("step").GetProperty("confirmed").GetBoolean());
        Assert.True(root.GetProperty("failSafe").GetProperty("passed").GetBoolean());
        Assert.Equal(0, simulated.Find("ev-c")!.Image.Get("SetpointKw")!.Value, 6);
    }
}
