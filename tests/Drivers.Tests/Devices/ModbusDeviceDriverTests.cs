using Gateway.Drivers.Devices;
using Gateway.Drivers.Modbus;
using Gateway.Testing;

namespace Gateway.Drivers.Tests.Devices;

public sealed class ModbusDeviceDriverTests
{
    private static readonly DateTimeOffset T0 = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(T0);

    private static RegisterImage PluggedCharger()
    {
        var image = new RegisterImage(ProfileLoader.Load("v2g-charger"));
        image.Set("ControlMode", 1);
        image.Set("WatchdogSeconds", 60);
        image.Set("MinPowerKw", -7.4);
        image.Set("MaxPowerKw", 5);
        image.Set("PowerKw", -3.3);
        image.Set("PlugState", 1);
        image.Set("SocPercent", 42);
        return image;
    }

    [Fact]
    public async Task Charger_reads_into_typed_measurements()
    {
        var driver = new ModbusDeviceDriver(InMemoryModbusClient.For(3, PluggedCharger()), 3, ProfileLoader.Load("v2g-charger"), _clock);
        var reading = await driver.ReadAsync();
        var power = reading.Find(PointRole.MeasuredPower)!;
        Assert.Equal(("PowerKw", "kW", MeasurementQuality.Good, T0), (power.Point, power.Unit, power.Quality, power.Timestamp));
        Assert.Equal(-3.3, power.Value!.Value, 9);
        Assert.Equal(42, reading.Find(PointRole.StateOfCharge)!.Value);
        Assert.Equal("%", reading.Find(PointRole.StateOfCharge)!.Unit);
        Assert.Equal("charging", reading.Find(PointRole.PlugState)!.Text);
        Assert.Equal(-7.4, reading.Find(PointRole.MinPower)!.Value!.Value, 9);
        Assert.Equal(T0, reading.Timestamp);
    }

    [Fact]
    public async Task Unplugged_soc_is_absent_and_impossible_values_are_out_of_range()
    {
        var image = PluggedCharger();
        image.Set("PlugState", 0);
        image.Set("SocPercent", null);
        image.Poke(RegisterTable.Holding, image.AddressOf("PowerKw"), unchecked((ushort)-30000));
        var reading = await new ModbusDeviceDriver(InMemoryModbusClient.For(1, image), 1, image.Profile, _clock).ReadAsync();
        Assert.Equal(MeasurementQuality.Absent, reading.Find("SocPercent")!.Quality);
        Assert.Equal(MeasurementQuality.OutOfRange, reading.Find("PowerKw")!.Quality);
        Assert.Equal(30, reading.Find("PowerKw")!.Value!.Value, 9);
        Assert.False(reading.TryGetGood(PointRole.MeasuredPower, out _));
    }

    [Fact]
    public async Task Reads_are_coalesced_and_split_once_when_a_block_spans_holes()
    {
        var image = PluggedCharger();
        var client = InMemoryModbusClient.For(1, image);
        var driver = new ModbusDeviceDriver(client, 1, image.Profile, _clock);
        await driver.ReadAsync();
        var first = client.Requests.Count;
        client.Requests.Clear();
        var reading = await driver.ReadAsync();
        Assert.All(reading.Measurements, m => Assert.NotEqual(MeasurementQuality.Absent, m.Quality));
        // The second pass goes straight to the split reads: no failed block read again.
        Assert.True(client.Requests.Count < first, $"second pass {client.Requests.Count} requests, first {first}");
        Assert.All(client.Requests, r => Assert.Equal(3, r.Function));
    }

    [Fact]
    public async Task SunSpec_blocks_are_read_whole()
    {
        var image = SimImages.Inverter();
        var client = InMemoryModbusClient.For(1, image);
        var driver = new ModbusDeviceDriver(client, 1, image.Profile, _clock);
        await driver.ReadAsync();
        client.Requests.Clear();
        await driver.ReadAsync();
        // Models 1, 103, 120, 123 and 302 sit back to back: at most a few block reads of ≤125 registers.
        Assert.InRange(client.Requests.Count, 1, 3);
        Assert.All(client.Requests, r => Assert.InRange(r.Count, 1, 125));
    }

    [Fact]
    public async Task Setpoint_is_clamped_to_the_device_limit_written_with_its_validity_and_read_back()
    {
        var image = PluggedCharger();
        var driver = new ModbusDeviceDriver(InMemoryModbusClient.For(1, image), 1, image.Profile, _clock);
        var result = await driver.WriteSetpointAsync(9, TimeSpan.FromSeconds(90));
        Assert.Equal(9, result.RequestedKw);
        Assert.Equal(5, result.TargetKw, 9);
        Assert.Equal("device limit MaxPowerKw", result.ClampedBy);
        Assert.True(result.Confirmed);
        Assert.Equal(5, result.ReadBackValue!.Value, 9);
        Assert.Equal(TimeSpan.FromSeconds(90), result.ValidFor);
        // The charger counts charging as positive: discharging 5 kW is -5000 W on the wire.
        Assert.Equal(unchecked((ushort)-5000), RawAt(image, "SetpointKw"));
        Assert.Equal(90, image.Get("WatchdogSeconds"));

        var charge = await driver.WriteSetpointAsync(-50, TimeSpan.FromSeconds(5000));
        Assert.Equal(-7.4, charge.TargetKw, 9);
        Assert.Equal("device limit MinPowerKw", charge.ClampedBy);
        Assert.Equal(600, image.Get("WatchdogSeconds"));

        var asked = await driver.WriteSetpointAsync(-2.5, TimeSpan.FromSeconds(30));
        Assert.Null(asked.ClampedBy);
        Assert.Equal(-2.5, image.Get("SetpointKw")!.Value, 9);
    }

    [Fact]
    public async Task Profile_limits_apply_when_the_device_reports_none()
    {
        var image = PluggedCharger();
        image.Poke(RegisterTable.Holding, image.AddressOf("MaxPowerKw"), 30000);
        var driver = new ModbusDeviceDriver(InMemoryModbusClient.For(1, image), 1, image.Profile, _clock);
        var result = await driver.WriteSetpointAsync(40, TimeSpan.FromSeconds(30));
        // MaxPowerKw 30 kW is out of its range, so it is not trusted: the profile's 22 kW applies.
        Assert.Equal(22, result.TargetKw, 9);
        Assert.Equal("profile limit of SetpointKw", result.ClampedBy);
    }

    [Fact]
    public async Task A_device_that_does_not_take_the_setpoint_is_reported_unconfirmed()
    {
        var image = PluggedCharger();
        image.PointWritten = name => { if (name == "SetpointKw") image.Set("SetpointKw", 0); };
        var result = await new ModbusDeviceDriver(InMemoryModbusClient.For(1, image), 1, image.Profile, _clock).WriteSetpointAsync(2, TimeSpan.FromSeconds(30));
        Assert.False(result.Confirmed);
        Assert.Equal(0, result.ReadBackValue);
    }

    [Fact]
    public async Task A_refused_write_surfaces_the_exception_code()
    {
        var image = PluggedCharger();
        image.ValidateWrite = (name, _) => name == "SetpointKw" ? ModbusExceptionCode.IllegalDataValue : ModbusExceptionCode.None;
        var driver = new ModbusDeviceDriver(InMemoryModbusClient.For(1, image), 1, image.Profile, _clock);
        var e = await Assert.ThrowsAsync<DeviceException>(() => driver.WriteSetpointAsync(2, TimeSpan.FromSeconds(30)));
        Assert.Equal((DeviceErrorKind.Refused, (int)ModbusExceptionCode.IllegalDataValue, false), (e.Kind, e.DeviceCode, e.IsTransient));
        Assert.Equal(ModbusExceptionCode.IllegalDataValue, Assert.IsType<ModbusDeviceException>(e.InnerException).Code);
        Assert.Contains("exception 03 (illegal data value", e.Message);
    }

    [Fact]
    public async Task Read_only_points_are_never_written()
    {
        var image = PluggedCharger();
        var driver = new ModbusDeviceDriver(InMemoryModbusClient.For(1, image), 1, image.Profile, _clock);
        var e = await Assert.ThrowsAsync<DeviceException>(() => driver.WritePointAsync("PowerKw", 1));
        Assert.Equal(DeviceErrorKind.BadValue, e.Kind);
        Assert.Contains("read-only", e.Message);
        Assert.Equal(-3.3, image.Get("PowerKw")!.Value, 9);
    }

    [Fact]
    public async Task The_pollers_heartbeat_re_arms_our_setpoint_once_a_third_of_its_validity_has_passed_and_changes_each_time()
    {
        var image = PluggedCharger();
        var writes = 0;
        image.PointWritten = name => { if (name == "Heartbeat") writes++; };
        var driver = new ModbusDeviceDriver(InMemoryModbusClient.For(1, image), 1, image.Profile, _clock);

        await driver.RefreshWatchdogIfDueAsync();
        Assert.Equal(0, writes); // no setpoint of ours yet: nothing to keep alive

        await driver.WriteSetpointAsync(-3, TimeSpan.FromSeconds(60));
        await driver.RefreshWatchdogIfDueAsync();
        _clock.Advance(TimeSpan.FromSeconds(19));
        await driver.RefreshWatchdogIfDueAsync();
        Assert.Equal(0, writes); // the setpoint write itself armed the watchdog 19 s ago

        _clock.Advance(TimeSpan.FromSeconds(1));
        await driver.RefreshWatchdogIfDueAsync();
        var first = image.Get("Heartbeat");
        await driver.RefreshWatchdogIfDueAsync();
        Assert.Equal(1, writes);

        _clock.Advance(TimeSpan.FromSeconds(20));
        await driver.RefreshWatchdogIfDueAsync();
        Assert.Equal(2, writes);
        Assert.NotEqual(first, image.Get("Heartbeat"));
    }

    [Fact]
    public async Task The_pollers_heartbeat_re_arms_at_once_after_the_clock_is_stepped_back()
    {
        var image = PluggedCharger();
        var writes = 0;
        image.PointWritten = name => { if (name == "Heartbeat") writes++; };
        var clock = new SettableClock { Now = T0 };
        var driver = new ModbusDeviceDriver(InMemoryModbusClient.For(1, image), 1, image.Profile, clock);
        await driver.WriteSetpointAsync(-3, TimeSpan.FromSeconds(60));
        clock.Now = T0 + TimeSpan.FromSeconds(5);
        await driver.RefreshWatchdogIfDueAsync();
        Assert.Equal(0, writes);
        // Stepped back 45 min: the age of the last arm is unknown, so it is re-armed rather than left to run out.
        clock.Now = T0 - TimeSpan.FromMinutes(45);
        await driver.RefreshWatchdogIfDueAsync();
        Assert.Equal(1, writes);
    }

    private sealed class SettableClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public async Task An_explicit_heartbeat_is_written_whenever_asked()
    {
        // Commissioning stops the heartbeat at a moment it reports, and tests drive heartbeats by hand: no throttle there.
        var image = PluggedCharger();
        var writes = 0;
        image.PointWritten = name => { if (name == "Heartbeat") writes++; };
        var driver = new ModbusDeviceDriver(InMemoryModbusClient.For(1, image), 1, image.Profile, _clock);
        await driver.WriteSetpointAsync(-3, TimeSpan.FromSeconds(60));
        await driver.RefreshWatchdogAsync();
        await driver.RefreshWatchdogAsync();
        Assert.Equal(2, writes);
    }

    [Fact]
    public async Task Pv_setpoint_in_kw_becomes_a_percent_limit_that_is_enabled()
    {
        var image = SimImages.Inverter(ratedKw: 10);
        var driver = new ModbusDeviceDriver(InMemoryModbusClient.For(1, image), 1, image.Profile, _clock);
        var result = await driver.WriteSetpointAsync(4, TimeSpan.FromMinutes(5));
        Assert.Equal(("%", 40.0, 4.0, true), (result.Unit, result.WrittenValue, result.TargetKw, result.Confirmed));
        Assert.Equal(40, image.Get("PowerLimitPercent")!.Value, 6);
        Assert.Equal(1, image.Get("PowerLimitEnable"));
        Assert.Equal(300, image.Get("LimitRevertSeconds"));

        var negative = await driver.WriteSetpointAsync(-3, TimeSpan.FromMinutes(5));
        Assert.Equal(0, negative.WrittenValue);
        var above = await driver.WriteSetpointAsync(50, TimeSpan.FromMinutes(5));
        Assert.Equal(100, above.WrittenValue, 6);
        Assert.Equal(10, above.TargetKw, 6);
        Assert.NotNull(above.ClampedBy);
    }

    [Fact]
    public async Task Meter_reports_site_power_in_the_gateway_convention()
    {
        var image = SimImages.Meter(importKw: 12.5);
        var reading = await new ModbusDeviceDriver(InMemoryModbusClient.For(1, image), 1, image.Profile, _clock).ReadAsync();
        Assert.Equal(-12.5, reading.Find(PointRole.MeasuredPower)!.Value!.Value, 6);
        Assert.Equal(1234.5, reading.Find(PointRole.EnergyImported)!.Value!.Value, 6);
        Assert.Equal(MeasurementQuality.Absent, reading.Find(PointRole.EnergyExported)!.Quality);
    }

    [Fact]
    public async Task Smes_reads_input_registers_and_obeys_its_power_limits()
    {
        var image = SimImages.Smes();
        var client = InMemoryModbusClient.For(1, image);
        var driver = new ModbusDeviceDriver(client, 1, image.Profile, _clock);
        var reading = await driver.ReadAsync();
        Assert.Equal(800, reading.Find(PointRole.CoilCurrent)!.Value!.Value, 6);
        Assert.Equal(1.7778, reading.Find(PointRole.StoredEnergy)!.Value!.Value, 6);
        Assert.Equal("kWh", reading.Find(PointRole.StoredEnergy)!.Unit);
        Assert.Contains(client.Requests, r => r.Function == 4);
        var result = await driver.WriteSetpointAsync(-150, TimeSpan.FromSeconds(20));
        Assert.Equal(-100, result.TargetKw, 6);
    }

    [Fact]
    public async Task Old_readings_become_stale()
    {
        var driver = new ModbusDeviceDriver(InMemoryModbusClient.For(1, PluggedCharger()), 1, ProfileLoader.Load("v2g-charger"), _clock);
        var reading = await driver.ReadAsync();
        _clock.Advance(TimeSpan.FromSeconds(30));
        var seen = reading.AsOf(_clock.GetUtcNow(), TimeSpan.FromSeconds(10));
        Assert.Equal(MeasurementQuality.Stale, seen.Find("PowerKw")!.Quality);
        Assert.Equal(MeasurementQuality.Good, reading.AsOf(_clock.GetUtcNow(), TimeSpan.FromMinutes(1)).Find("PowerKw")!.Quality);
    }

    [Fact]
    public async Task A_wrong_unit_id_is_not_answered_as_another_device()
    {
        var driver = new ModbusDeviceDriver(InMemoryModbusClient.For(1, PluggedCharger()), 2, ProfileLoader.Load("v2g-charger"), _clock);
        var e = await Assert.ThrowsAsync<DeviceException>(() => driver.ReadAsync());
        Assert.Equal(DeviceErrorKind.Refused, e.Kind);
        Assert.True(e.IsTransient);
        Assert.Contains("wrong unit id", e.Message);
    }

    private static ushort RawAt(RegisterImage image, string point)
    {
        Span<ushort> one = stackalloc ushort[1];
        image.ReadHoldingRegisters((ushort)image.AddressOf(point), one);
        return one[0];
    }
}
