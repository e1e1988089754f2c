using Gateway.DeviceSims.Devices;
using Gateway.Rigs;
using Gateway.Drivers.Devices;
using Gateway.Testing;

namespace Gateway.DeviceSims.Tests;

/// <summary>A small rig on a fake clock, and drivers talking to its devices in memory.</summary>
internal sealed class TestRig
{
    public const string Yaml = """
        site: test-site
        start: 2026-06-01T12:00:00Z
        timeScale: 1
        market: { anything: goes }
        devices:
          - id: ev-1
            kind: charger
            participant: ev-1
            node: n1
            protocol: modbus-tcp
            endpoint: 127.0.0.1:0
            unitId: 1
            profile: v2g-charger
            sim:
              batteryKwh: 50
              socAtArrivalPercent: 50
              arrival: "11:00"
              departure: "18:00"
              maxChargeKw: 7.4
              maxDischargeKw: 5
              chargeEfficiency: 0.9
              dischargeEfficiency: 0.8
              minSocPercent: 20
              rampKwPerSecond: 2
          - id: ev-late
            kind: charger
            participant: ev-late
            node: n1
            protocol: modbus-tcp
            endpoint: 127.0.0.1:0
            unitId: 2
            profile: v2g-charger
            sim:
              batteryKwh: 50
              socAtArrivalPercent: 30
              arrival: "14:00"
              departure: "18:00"
              maxChargeKw: 7.4
              maxDischargeKw: 7.4
          - id: pv-1
            kind: pv-inverter
            participant: house-1
            node: n2
            protocol: modbus-tcp
            endpoint: 127.0.0.1:0
            unitId: 1
            profile: sunspec-inverter
            sim:
              ratedKwp: 10
              ambientC: 25
              irradiance:
                clearSky: { peakWPerM2: 1000, sunrise: "06:00", sunset: "18:00" }
              rampKwPerSecond: 1
          - id: smes-1
            kind: smes
            participant: smes-1
            node: n0
            protocol: modbus-tcp
            endpoint: 127.0.0.1:0
            unitId: 1
            profile: smes-converter
            sim:
              inductanceH: 20
              maxCurrentA: 1000
              minCurrentA: 300
              initialCurrentA: 700
              maxPowerKw: 100
              efficiency: 1.0
              rampKwPerSecond: 1000
          - id: meter-1
            kind: meter
            participant: site
            node: n0
            protocol: modbus-tcp
            endpoint: 127.0.0.1:0
            unitId: 1
            profile: sunspec-meter
            sim:
              sums: [ev-1, pv-1, smes-1]
              baseLoadKw: 2
        """;

    public TestRig(double timeScale = 1)
    {
        Real = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Rig = new SimulatedRig(RigLoader.ParseSimulated(Yaml.Replace("timeScale: 1", $"timeScale: {timeScale}"), "test-rig.yaml"), Real);
    }

    public FakeTimeProvider Real { get; }

    public SimulatedRig Rig { get; }

    public T Device<T>(string id) where T : SimulatedDevice => (T)Rig.Find(id)!;

    public ModbusDeviceDriver Driver(string id)
    {
        var device = Rig.Find(id)!;
        return new ModbusDeviceDriver(InMemoryModbusClient.For(device.Definition.UnitId, Rig.UnitOf(device)), device.Definition.UnitId, device.Image.Profile, Real);
    }

    /// <summary>Moves real time, and so simulated time, then lets the devices catch up.</summary>
    public void Wait(TimeSpan real)
    {
        Real.Advance(real);
        Rig.Advance();
    }
}
