using Gateway.DeviceSims.Devices;
using Gateway.DeviceSims.Physics;
using Gateway.Drivers.Devices;
using Gateway.Drivers.Modbus;

namespace Gateway.DeviceSims.Tests;

public sealed class SimulatedDeviceTests
{
    [Fact]
    public async Task Charger_follows_the_setpoint_at_its_ramp_rate()
    {
        var rig = new TestRig();
        var driver = rig.Driver("ev-1");
        var result = await driver.WriteSetpointAsync(-7.4, TimeSpan.FromMinutes(5));
        Assert.True(result.Confirmed);
        rig.Wait(TimeSpan.FromSeconds(1));
        Assert.Equal(-2, (await driver.ReadAsync()).Find("PowerKw")!.Value!.Value, 3);
        rig.Wait(TimeSpan.FromSeconds(2));
        Assert.Equal(-6, rig.Device<SimulatedCharger>("ev-1").PowerKw, 6);
        rig.Wait(TimeSpan.FromSeconds(10));
        var reading = await driver.ReadAsync();
        Assert.Equal(-7.4, reading.Find("PowerKw")!.Value!.Value, 3);
        Assert.Equal("charging", reading.Find("PlugState")!.Text);
    }

    [Fact]
    public async Task Charger_soc_integrates_power_with_the_charge_efficiency()
    {
        var rig = new TestRig(timeScale: 60);
        var driver = rig.Driver("ev-1");
        var ev = rig.Device<SimulatedCharger>("ev-1");
        var start = ev.Battery.EnergyKwh;
        await driver.WriteSetpointAsync(-7.4, TimeSpan.FromMinutes(10));
        // Refresh the watchdog every simulated minute for one simulated hour.
        for (var i = 0; i < 60; i++)
        {
            rig.Wait(TimeSpan.FromSeconds(1));
            await driver.RefreshWatchdogAsync();
        }
        // One hour at 7.4 kW, less the ramp-up (3.7 s at 2 kW/s loses 3.7·7.4/2 kWs), times η = 0.9.
        var expected = (7.4 * 3600 - 7.4 * 3.7 / 2) / 3600 * 0.9;
        Assert.Equal(start + expected, ev.Battery.EnergyKwh, 2);
        Assert.Equal(Math.Round(ev.Battery.SocPercent), (await driver.ReadAsync()).Find("SocPercent")!.Value);
    }

    [Fact]
    public async Task Charger_discharge_stops_at_the_minimum_soc_and_reports_no_more_headroom()
    {
        var rig = new TestRig(timeScale: 600);
        var driver = rig.Driver("ev-1");
        var ev = rig.Device<SimulatedCharger>("ev-1");
        await driver.WriteSetpointAsync(5, TimeSpan.FromSeconds(600));
        // 30 % of 50 kWh at 5 kW / 0.8 takes 2.4 h; run 3 h of simulated time with heartbeats.
        for (var i = 0; i < 36; i++)
        {
            rig.Wait(TimeSpan.FromSeconds(0.5));
            await driver.RefreshWatchdogAsync();
        }
        Assert.Equal(20, ev.Battery.SocPercent, 6);
        Assert.Equal(0, ev.PowerKw);
        var reading = await driver.ReadAsync();
        Assert.Equal(0, reading.Find(PointRole.MaxPower)!.Value);
        var again = await driver.WriteSetpointAsync(5, TimeSpan.FromSeconds(60));
        Assert.Equal(0, again.TargetKw);
    }

    [Fact]
    public async Task Charger_falls_back_to_zero_when_the_watchdog_is_not_refreshed()
    {
        var rig = new TestRig();
        var driver = rig.Driver("ev-1");
        var ev = rig.Device<SimulatedCharger>("ev-1");
        await driver.WriteSetpointAsync(-6, TimeSpan.FromSeconds(30));
        rig.Wait(TimeSpan.FromSeconds(20));
        await driver.RefreshWatchdogAsync();
        rig.Wait(TimeSpan.FromSeconds(25));
        Assert.Equal(-6, ev.PowerKw, 6);
        Assert.Equal(0, ev.WatchdogFallbacks);
        rig.Wait(TimeSpan.FromSeconds(10));
        Assert.Equal(1, ev.WatchdogFallbacks);
        var reading = await driver.ReadAsync();
        Assert.Equal(0, reading.Find("SetpointKw")!.Value);
        // Back to 0 kW at the ramp rate, by itself.
        rig.Wait(TimeSpan.FromSeconds(5));
        Assert.Equal(0, ev.PowerKw, 6);
    }

    [Fact]
    public async Task An_empty_charger_reports_no_vehicle_and_delivers_nothing()
    {
        var rig = new TestRig();
        var driver = rig.Driver("ev-late");
        var reading = await driver.ReadAsync();
        Assert.Equal("disconnected", reading.Find(PointRole.PlugState)!.Text);
        Assert.Equal(MeasurementQuality.Absent, reading.Find(PointRole.StateOfCharge)!.Quality);
        var result = await driver.WriteSetpointAsync(-7, TimeSpan.FromMinutes(1));
        Assert.Equal(0, result.TargetKw);
        rig.Wait(TimeSpan.FromSeconds(10));
        Assert.Equal(0, rig.Device<SimulatedCharger>("ev-late").PowerKw);
    }

    [Fact]
    public async Task A_setpoint_beyond_the_charger_rating_is_refused_with_exception_03()
    {
        var rig = new TestRig();
        var device = rig.Rig.Find("ev-1")!;
        var unit = rig.Rig.UnitOf(device);
        var raw = RegisterCodec.Encode(device.Image.Profile.Modbus!.Locations["SetpointKw"], -20);
        Assert.Equal(ModbusExceptionCode.IllegalDataValue, unit.WriteHoldingRegisters((ushort)device.Image.AddressOf("SetpointKw"), raw));
        Assert.Equal(0, device.Image.Get("SetpointKw"));
        // Read-only registers cannot be written at all.
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, unit.WriteHoldingRegisters((ushort)device.Image.AddressOf("PowerKw"), [1]));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Pv_output_follows_the_array_model_and_the_export_limit()
    {
        var rig = new TestRig();
        var driver = rig.Driver("pv-1");
        var pv = rig.Device<SimulatedPvInverter>("pv-1");
        var model = new PvArrayModel(10, 0.2, 0.0045, 45);
        rig.Wait(TimeSpan.FromSeconds(20));
        var noon = rig.Rig.Clock.Now;
        var irradiance = new IrradianceCurve(rig.Rig.Definition.Devices.Single(d => d.Id == "pv-1").Pv!.Irradiance).WPerM2(noon);
        var expected = model.PowerKw(irradiance, 25);
        var reading = await driver.ReadAsync();
        Assert.Equal(expected, reading.Find("PowerKw")!.Value!.Value, 2);
        Assert.Equal("mppt", reading.Find("OperatingState")!.Text);
        Assert.Equal(Math.Round(irradiance), reading.Find(PointRole.Irradiance)!.Value!.Value);

        var result = await driver.WriteSetpointAsync(4, TimeSpan.FromSeconds(60));
        Assert.Equal(40, result.WrittenValue, 6);
        rig.Wait(TimeSpan.FromSeconds(2));
        Assert.Equal(expected - 2, pv.PowerKw, 2);        // ramping down at 1 kW/s
        rig.Wait(TimeSpan.FromSeconds(20));
        Assert.Equal(4, pv.PowerKw, 6);
        var throttled = await driver.ReadAsync();
        Assert.Equal("throttled", throttled.Find("OperatingState")!.Text);
        // The sensor (SunSpec model 302) still reads the sun while the output shows only the limit.
        Assert.True(throttled.Find(PointRole.Irradiance)!.Value > 900, "irradiance under a limit");

        // The limit reverts after its validity time and the output climbs back.
        rig.Wait(TimeSpan.FromSeconds(60));
        Assert.Equal(1, pv.LimitReverts);
        Assert.Equal(0, (await driver.ReadAsync()).Find("PowerLimitEnable")!.Value);
        rig.Wait(TimeSpan.FromSeconds(10));
        Assert.Equal(pv.AvailableKw, pv.PowerKw, 6);
    }

    [Fact]
    public async Task Smes_reports_energy_from_its_coil_current_and_stops_at_its_limits()
    {
        var rig = new TestRig(timeScale: 10);
        var driver = rig.Driver("smes-1");
        var smes = rig.Device<SimulatedSmes>("smes-1");
        var reading = await driver.ReadAsync();
        var current = reading.Find(PointRole.CoilCurrent)!.Value!.Value;
        Assert.Equal(700, current, 6);
        Assert.Equal(0.5 * 20 * 700 * 700 / 3.6e6, reading.Find(PointRole.StoredEnergy)!.Value!.Value, 4);

        // 4.9 MJ − 0.9 MJ above the minimum = 4 MJ: at 100 kW the coil is empty after 40 s.
        await driver.WriteSetpointAsync(100, TimeSpan.FromSeconds(600));
        rig.Wait(TimeSpan.FromSeconds(3));                 // 30 simulated seconds
        Assert.Equal(100, smes.PowerKw, 6);
        rig.Wait(TimeSpan.FromSeconds(2));
        Assert.Equal(300, smes.Coil.CurrentA, 3);
        Assert.Equal(0, smes.PowerKw);
        reading = await driver.ReadAsync();
        Assert.Equal("empty", reading.Find(PointRole.Status)!.Text);
        Assert.Equal(0, reading.Find(PointRole.MaxPower)!.Value);
        Assert.Equal(-100, reading.Find(PointRole.MinPower)!.Value);
    }

    [Fact]
    public async Task Smes_falls_back_to_zero_when_its_watchdog_runs_out()
    {
        var rig = new TestRig();
        var driver = rig.Driver("smes-1");
        await driver.WriteSetpointAsync(-50, TimeSpan.FromSeconds(10));
        rig.Wait(TimeSpan.FromSeconds(5));
        Assert.Equal(-50, rig.Device<SimulatedSmes>("smes-1").PowerKw, 6);
        rig.Wait(TimeSpan.FromSeconds(7));
        Assert.Equal(0, rig.Device<SimulatedSmes>("smes-1").PowerKw, 6);
        Assert.Equal(1, rig.Device<SimulatedSmes>("smes-1").WatchdogFallbacks);
    }

    [Fact]
    public async Task Meter_sums_the_site()
    {
        var rig = new TestRig();
        await rig.Driver("ev-1").WriteSetpointAsync(-7.4, TimeSpan.FromMinutes(5));
        await rig.Driver("smes-1").WriteSetpointAsync(20, TimeSpan.FromMinutes(5));
        rig.Wait(TimeSpan.FromSeconds(30));
        var sum = rig.Device<SimulatedCharger>("ev-1").PowerKw + rig.Device<SimulatedPvInverter>("pv-1").PowerKw + rig.Device<SimulatedSmes>("smes-1").PowerKw - 2;
        var reading = await rig.Driver("meter-1").ReadAsync();
        Assert.Equal(sum, reading.Find(PointRole.MeasuredPower)!.Value!.Value, 1);
        Assert.Equal(rig.Device<SimulatedMeter>("meter-1").ExportedKwh, reading.Find(PointRole.EnergyExported)!.Value!.Value, 2);
        Assert.True(rig.Device<SimulatedMeter>("meter-1").ExportedKwh > SimulatedMeter.InitialCounterKwh);
    }

    [Fact]
    public void Simulated_time_starts_when_the_servers_are_up_not_when_the_rig_was_loaded()
    {
        var rig = new TestRig(timeScale: 60);
        rig.Real.Advance(TimeSpan.FromSeconds(3));      // starting servers took 3 s
        rig.Rig.StartClock();
        Assert.Equal(rig.Rig.Definition.Start, rig.Rig.Clock.Now);
        rig.Wait(TimeSpan.FromSeconds(1));
        Assert.Equal(rig.Rig.Definition.Start.AddMinutes(1), rig.Rig.Clock.Now);
        rig.Rig.StartClock();                           // too late: devices have moved on
        Assert.Equal(rig.Rig.Definition.Start.AddMinutes(1), rig.Rig.Clock.Now);
    }
}
