using Gateway.Drivers.Devices;
using Gateway.Drivers.Devices.SunSpec;
using Gateway.Drivers.Modbus;
using Gateway.Testing;

namespace Gateway.Drivers.Tests.Devices;

public sealed class SunSpecDiscoveryTests
{
    private static readonly DeviceProfile Inverter = ProfileLoader.Load("sunspec-inverter");

    private static RegisterImage InverterImage(int commonLength = 66, ushort baseAddress = 40000, bool withControls = true)
    {
        var models = new List<SunSpecModelLayout> { new(1, commonLength), new(103, 50), new(120, 26) };
        if (withControls) models.Add(new(123, 24));
        var image = new RegisterImage(Inverter, models, baseAddress);
        image.SetText("Manufacturer", "Gateway Sims");
        image.SetText("SerialNumber", "PV-0001");
        // With L = 64 the model ends before DA (+66): the image has no register for it.
        if (image.Has("DeviceAddress")) image.Set("DeviceAddress", 1);
        image.Set("PowerScale", 0);
        image.Set("PowerKw", 4.2);
        image.Set("RatedPowerScale", 1);
        image.Set("RatedPowerKw", 10);
        return image;
    }

    [Theory]
    [InlineData(40000)]
    [InlineData(0)]
    [InlineData(50000)]
    public async Task The_chain_is_walked_from_wherever_the_marker_is(ushort baseAddress)
    {
        var client = InMemoryModbusClient.For(1, InverterImage(baseAddress: baseAddress));
        var map = await SunSpecDiscovery.DiscoverAsync(client, 1);
        Assert.Equal(baseAddress, map.BaseAddress);
        Assert.Equal([1, 103, 120, 123], map.Models.Select(m => m.Id));
        Assert.Equal(baseAddress + 2, map.Models[0].Address);
        Assert.Equal(baseAddress + 2 + 68, map.Models[1].Address);
        Assert.Equal(baseAddress + 2 + 68 + 52 + 28, map.Models[3].Address);
    }

    [Theory]
    [InlineData(65, MeasurementQuality.Good)]
    [InlineData(66, MeasurementQuality.Good)]
    [InlineData(64, MeasurementQuality.Absent)]
    public async Task Common_model_length_is_read_never_assumed(int commonLength, MeasurementQuality deviceAddressQuality)
    {
        var driver = new ModbusDeviceDriver(InMemoryModbusClient.For(1, InverterImage(commonLength)), 1, Inverter, TestClocks.New());
        var reading = await driver.ReadAsync();
        Assert.Equal(40000 + 2 + commonLength + 2, driver.SunSpec!.Find(103)!.Address);
        Assert.Equal(deviceAddressQuality, reading.Find("DeviceAddress")!.Quality);
        // Models after model 1 move by one register with L = 65; the values must still be found.
        Assert.Equal(4.2, reading.Find("PowerKw")!.Value!.Value, 6);
        Assert.Equal("PV-0001", reading.Find("SerialNumber")!.Text);
        Assert.Equal(10, reading.Find("RatedPowerKw")!.Value!.Value, 6);
    }

    [Fact]
    public async Task Not_implemented_values_and_scale_factors_read_as_absent()
    {
        var image = InverterImage();
        image.SetRaw("FrequencyHz", 6000);
        image.SetRaw("FrequencyScale", null);
        var reading = await new ModbusDeviceDriver(InMemoryModbusClient.For(1, image), 1, Inverter).ReadAsync();
        Assert.Equal(MeasurementQuality.Absent, reading.Find("CurrentA")!.Quality);
        Assert.Null(reading.Find("CurrentA")!.Value);
        Assert.Equal(MeasurementQuality.Absent, reading.Find("FrequencyHz")!.Quality);
        Assert.Equal(MeasurementQuality.Absent, reading.Find("EnergyExportedKwh")!.Quality);
        Assert.Equal(MeasurementQuality.Absent, reading.Find("Model")!.Quality);
        Assert.DoesNotContain(reading.Measurements, m => m.Role == PointRole.ScaleFactor);
    }

    [Fact]
    public async Task A_missing_model_makes_its_points_absent_and_its_setpoint_unwritable()
    {
        var driver = new ModbusDeviceDriver(InMemoryModbusClient.For(1, InverterImage(withControls: false)), 1, Inverter);
        var reading = await driver.ReadAsync();
        Assert.Equal(MeasurementQuality.Absent, reading.Find("PowerLimitPercent")!.Quality);
        Assert.Equal(MeasurementQuality.Good, reading.Find("PowerKw")!.Quality);
        var e = await Assert.ThrowsAsync<DeviceException>(() => driver.WriteSetpointAsync(3, TimeSpan.FromMinutes(1)));
        Assert.Equal(DeviceErrorKind.BadValue, e.Kind);
        Assert.Contains("model 123 not present", e.Message);
    }

    [Fact]
    public async Task A_device_without_the_marker_is_not_SunSpec()
    {
        var charger = new RegisterImage(ProfileLoader.Load("v2g-charger"));
        var e = await Assert.ThrowsAsync<SunSpecDiscoveryException>(() => SunSpecDiscovery.DiscoverAsync(InMemoryModbusClient.For(1, charger), 1));
        Assert.Contains("\"SunS\"", e.Message);
    }

    [Fact]
    public async Task A_chain_without_end_marker_ends_where_the_registers_end()
    {
        var image = InverterImage();
        var last = 40000 + 2 + 68 + 52 + 28 + 26;
        // Make the end marker look like a model that runs into registers that do not exist.
        image.Poke(RegisterTable.Holding, last, 999);
        image.Poke(RegisterTable.Holding, last + 1, 10);
        var map = await SunSpecDiscovery.DiscoverAsync(InMemoryModbusClient.For(1, image), 1);
        Assert.Equal([1, 103, 120, 123, 999], map.Models.Select(m => m.Id));
    }
}
