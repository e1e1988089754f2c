using Gateway.DeviceSims.Devices;
using Gateway.DeviceSims.Hosting;
using Gateway.Drivers.Devices.Ocpp;
using Gateway.Drivers.Ocpp;
using Gateway.Rigs;
using Gateway.Testing;

namespace Gateway.Host.Tests.Ocpp;

/// <summary>
/// Simulated OCPP stations of device-sims for a test: devices ev-0, ev-1, … (one per station id, each with the same plugged-in
/// vehicle: 60 kWh at 40 %, wanting 80 %, 11 kW in, 7 kW out) on wall time, dialling (and redialling until someone listens)
/// <c>ws://127.0.0.1:PORT/ocpp/ID</c>, meter values every 200 ms. Stopped by the test's <see cref="AsyncCleanup"/>.
/// </summary>
internal sealed record SimulatedStations(SimulatedRig Rig, IReadOnlyList<OcppStationSimulator> Stations)
{
    public static SimulatedStations Start(AsyncCleanup cleanup, int port, IReadOnlyList<string> stationIds, OcppVersion? version = null)
    {
        var devices = string.Join("\n", stationIds.Select((id, i) => $$"""
              - id: ev-{{i}}
                kind: charger
                protocol: ocpp
                endpoint: "ws://127.0.0.1:{{port}}/ocpp/{{id}}"
                profile: ocpp-charger
                sim: { batteryKwh: 60, socAtArrivalPercent: 40, arrival: "08:00", departure: "18:00", targetSocPercent: 80, maxChargeKw: 11, maxDischargeKw: 7, rampKwPerSecond: 50 }
            """));
        var rig = new SimulatedRig(RigLoader.ParseSimulated($"site: ocpp-stations\nstart: 2026-06-01T10:00:00Z\ntimeScale: 1\ndevices:\n{devices}\n", "ocpp-stations.yaml"),
            TimeProvider.System);
        var stations = new List<OcppStationSimulator>();
        foreach (var (id, i) in stationIds.Select((id, i) => (id, i)))
        {
            Assert.True(OcppStationUrl.TryParse($"ws://127.0.0.1:{port}/ocpp/{id}", out var url, out var problem), problem);
            var station = new OcppStationSimulator(rig, rig.Find($"ev-{i}")!, url, TimeSpan.FromMilliseconds(200), version);
            cleanup.Add(station);
            station.Start();
            stations.Add(station);
        }
        return new SimulatedStations(rig, stations);
    }
}
