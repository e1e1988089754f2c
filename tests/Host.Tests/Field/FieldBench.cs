using Gateway.DeviceSims.Devices;
using Gateway.DeviceSims.Hosting;
using Gateway.Rigs;

namespace Gateway.Host.Tests.Field;

/// <summary>
/// A commissioning bench on the simulators: a pile (unit 3), a SunSpec PV inverter (unit 7) and a SunSpec meter (unit 1)
/// behind one Modbus TCP endpoint on a free loopback port, like devices behind a TCP-to-RTU gateway, on the clock given.
/// </summary>
internal sealed class FieldBench : IAsyncDisposable
{
    public const string Rig = """
        site: field-bench
        start: 2026-06-01T11:00:00Z
        timeScale: 1
        devices:
          - { id: pile-3, kind: charger, endpoint: "127.0.0.1:0", unitId: 3, profile: v2g-charger,
              sim: { batteryKwh: 60, socAtArrivalPercent: 48, arrival: "10:30", departure: "18:00", maxChargeKw: 7.4, maxDischargeKw: 7.4, rampKwPerSecond: 2 } }
          - { id: pv-7, kind: pv-inverter, endpoint: "127.0.0.1:0", unitId: 7, profile: sunspec-inverter,
              sim: { ratedKwp: 10, irradiance: { clearSky: { peakWPerM2: 950, sunrise: "05:30", sunset: "20:30" } } } }
          - { id: meter-1, kind: meter, endpoint: "127.0.0.1:0", unitId: 1, profile: sunspec-meter, sim: { baseLoadKw: 3 } }
        """;

    private FieldBench(SimulatedRig rig, RigHost host)
    {
        Simulation = rig;
        Host = host;
    }

    public SimulatedRig Simulation { get; }

    public RigHost Host { get; }

    /// <summary>The shared endpoint, modbus-tcp://127.0.0.1:PORT.</summary>
    public string Endpoint => Host.Endpoints[0].Uri;

    public static async Task<FieldBench> StartAsync(TimeProvider clock)
    {
        var rig = new SimulatedRig(RigLoader.ParseSimulated(Rig, "field-bench.yaml"), clock);
        var host = await RigHost.StartAsync(rig, portBase: 0);
        return new FieldBench(rig, host);
    }

    public SimulatedDevice Device(string id) => Simulation.Find(id)!;

    public ValueTask DisposeAsync() => Host.DisposeAsync();
}
