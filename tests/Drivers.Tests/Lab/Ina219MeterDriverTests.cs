using Gateway.Drivers.Devices;
using Gateway.Drivers.Lab;
using Gateway.Testing;
using Iot.Device.Adc;

namespace Gateway.Drivers.Tests.Lab;

/// <summary>The INA219 meter: our driver over the real Ina219 binding over a register-level fake chip.</summary>
public sealed class Ina219MeterDriverTests
{
    private static (FakeTimeProvider Clock, FakeIna219Device Chip, Ina219MeterDriver Driver) Bench(double shunt = 0.1, double maxA = 3.2, int sign = 1)
    {
        var clock = TestClocks.New();
        var chip = new FakeIna219Device(shunt);
        return (clock, chip, new Ina219MeterDriver(chip, new Ina219MeterOptions { ShuntOhms = shunt, MaxCurrentA = maxA, ExportSign = sign, Name = "i2c-1@0x40" }, clock));
    }

    [Fact]
    public void Calibration_follows_the_datasheet()
    {
        // SBOS448 8.5.1: Current_LSB = 3.2 A / 2^15; Cal = trunc(0.04096 / (Current_LSB × 0.1 Ω)) = 4194, bit 0 clear.
        var c = Ina219Calibration.Compute(0.1, 3.2);
        Assert.Equal(4194, c.CalibrationRegister);
        Assert.Equal(0.04096 / (4194 * 0.1), c.CurrentLsbA, 12);
        Assert.Equal(Ina219PgaSensitivity.PlusOrMinus320mv, c.Pga);
        Assert.Equal(Ina219PgaSensitivity.PlusOrMinus40mv, Ina219Calibration.Compute(0.01, 4).Pga);
        Assert.Equal(Ina219PgaSensitivity.PlusOrMinus160mv, Ina219Calibration.Compute(0.1, 1.5).Pga);
    }

    [Theory]
    [InlineData(0.1, 5, "beyond the INA219's ±320 mV")]
    [InlineData(0, 1, "shunt resistance")]
    [InlineData(0.1, -1, "must be positive")]
    [InlineData(1, 0.0001, "beyond 65534")]
    public void A_shunt_and_current_that_cannot_be_measured_are_refused(double shunt, double maxA, string why)
    {
        var e = Assert.Throws<ArgumentException>(() => Ina219Calibration.Compute(shunt, maxA));
        Assert.Contains(why, e.Message);
    }

    [Fact]
    public async Task The_binding_calibrates_the_chip_and_reads_voltage_current_and_power()
    {
        var (_, chip, driver) = Bench();
        chip.BusVoltageV = 12.0;
        chip.ShuntCurrentA = 1.5;
        var reading = await driver.ReadAsync();
        Assert.Equal(4194, chip.CalibrationRegister);
        Assert.Equal(0x3, (chip.ConfigurationRegister >> 11) & 0x3); // PGA ±320 mV
        Assert.Equal(12.0, reading.Find(Ina219MeterDriver.BusVoltagePoint)!.Value!.Value, 3);
        Assert.Equal(1.5, reading.Find(Ina219MeterDriver.CurrentPoint)!.Value!.Value, 2);
        Assert.Equal(150, reading.Find(Ina219MeterDriver.ShuntVoltagePoint)!.Value!.Value, 1);
        Assert.True(reading.TryGetGood(PointRole.MeasuredPower, out var kw));
        Assert.Equal(0.018, kw, 4); // 12 V × 1.5 A, delivered to the grid
    }

    [Fact]
    public async Task Current_into_the_bench_is_negative_power_and_the_sign_follows_the_wiring()
    {
        var (_, chip, driver) = Bench();
        chip.BusVoltageV = 24;
        chip.ShuntCurrentA = -2;
        Assert.True((await driver.ReadAsync()).TryGetGood(PointRole.MeasuredPower, out var kw));
        Assert.Equal(-0.048, kw, 3);

        var (_, reversedChip, reversed) = Bench(sign: -1);
        reversedChip.BusVoltageV = 24;
        reversedChip.ShuntCurrentA = -2;
        Assert.True((await reversed.ReadAsync()).TryGetGood(PointRole.MeasuredPower, out var kw2));
        Assert.Equal(0.048, kw2, 3);
    }

    [Fact]
    public async Task Energy_is_integrated_between_reads_into_export_and_import_counters()
    {
        var (clock, chip, driver) = Bench();
        chip.BusVoltageV = 20;
        chip.ShuntCurrentA = 2; // 40 W exported
        await driver.ReadAsync();
        for (var i = 0; i < 60; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(30));
            await driver.ReadAsync();
        }
        chip.ShuntCurrentA = -1; // 20 W imported
        for (var i = 0; i < 120; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(30));
            await driver.ReadAsync();
        }
        var reading = await driver.ReadAsync();
        // 30 min at 40 W = 0.020 kWh; the 30 s step from +40 W to −20 W crosses zero after 20 s: 400 J out, 100 J in;
        // then 119 steps of 30 s at 20 W in. Within 0.1 % (the power register's 1.95 mW resolution).
        Assert.True(reading.TryGetGood(PointRole.EnergyExported, out var exported));
        Assert.True(reading.TryGetGood(PointRole.EnergyImported, out var imported));
        var expectedOut = 0.020 + 400 / 3.6e6;
        var expectedIn = 100 / 3.6e6 + 119 * 30 * 20 / 3.6e6;
        Assert.InRange(exported, expectedOut * 0.999, expectedOut * 1.001);
        Assert.InRange(imported, expectedIn * 0.999, expectedIn * 1.001);
    }

    [Fact]
    public async Task A_gap_longer_than_the_bridge_is_not_integrated()
    {
        var (clock, chip, driver) = Bench();
        chip.BusVoltageV = 10;
        chip.ShuntCurrentA = 1;
        await driver.ReadAsync();
        clock.Advance(TimeSpan.FromMinutes(10));
        var reading = await driver.ReadAsync();
        Assert.True(reading.TryGetGood(PointRole.EnergyExported, out var exported));
        Assert.Equal(0, exported);
    }

    [Fact]
    public async Task A_shunt_beyond_the_pga_range_is_out_of_range_not_a_number_to_settle_on()
    {
        var (_, chip, driver) = Bench(shunt: 0.1, maxA: 1.5); // ±160 mV PGA
        chip.BusVoltageV = 12;
        chip.ShuntCurrentA = 3;
        var reading = await driver.ReadAsync();
        Assert.Equal(MeasurementQuality.OutOfRange, reading.Find(PointRole.MeasuredPower)!.Quality);
        Assert.False(reading.TryGetGood(PointRole.MeasuredPower, out _));
    }

    [Fact]
    public async Task A_chip_that_does_not_answer_is_an_unreachable_device_and_is_recalibrated_after_a_brown_out()
    {
        var (_, chip, driver) = Bench();
        chip.BusVoltageV = 12;
        chip.ShuntCurrentA = 1;
        await driver.ReadAsync();
        chip.Nak = true;
        var e = await Assert.ThrowsAsync<DeviceException>(() => driver.ReadAsync());
        Assert.Equal(DeviceErrorKind.Unreachable, e.Kind);
        Assert.Contains("i2c-1@0x40", e.Message);
        chip.PowerCycle();
        chip.Nak = false;
        var reading = await driver.ReadAsync();
        Assert.Equal(4194, chip.CalibrationRegister);
        Assert.Equal(0x3, (chip.ConfigurationRegister >> 11) & 0x3);
        Assert.True(reading.TryGetGood(PointRole.MeasuredPower, out var kw));
        Assert.Equal(0.012, kw, 3);
    }

    [Fact]
    public async Task A_meter_takes_no_setpoint()
    {
        var (_, _, driver) = Bench();
        Assert.True(driver.ReadOnly);
        var e = await Assert.ThrowsAsync<DeviceException>(() => driver.WriteSetpointAsync(1, TimeSpan.FromMinutes(1)));
        Assert.Equal(DeviceErrorKind.ReadOnly, e.Kind);
    }
}
