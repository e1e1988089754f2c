using Gateway.DeviceSims.Devices;
using Gateway.DeviceSims.Hosting;
using Gateway.Drivers.Devices;
using Gateway.Drivers.Modbus;

namespace Gateway.DeviceSims.Tests;

/// <summary>Our Modbus TCP client and driver against the simulators over real loopback sockets.</summary>
public sealed class LoopbackTests : IAsyncLifetime
{
    private readonly TestRig _rig = new();
    private RigHost _host = null!;

    public async Task InitializeAsync() => _host = await RigHost.StartAsync(_rig.Rig);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private (ModbusDeviceDriver Driver, ModbusTcpClient Client) Connect(string id, double timeoutSeconds = 10)
    {
        var endpoint = _host.Endpoints.Single(e => e.Id == id);
        var uri = new Uri(endpoint.Uri);
        var client = new ModbusTcpClient(uri.Host, uri.Port, new ModbusClientOptions { RequestTimeout = TimeSpan.FromSeconds(timeoutSeconds) });
        var device = _rig.Rig.Find(id)!;
        return (new ModbusDeviceDriver(client, endpoint.UnitId, device.Image.Profile, _rig.Real, ownsClient: true), client);
    }

    [Fact]
    public void Every_device_listens_on_its_own_loopback_port()
    {
        Assert.Equal(5, _host.Endpoints.Count);
        Assert.All(_host.Endpoints, e => Assert.StartsWith("modbus-tcp://127.0.0.1:", e.Uri));
        Assert.Equal(5, _host.Endpoints.Select(e => e.Uri).Distinct().Count());
    }

    [Fact]
    public async Task Charger_profile_reads_and_writes_over_tcp()
    {
        var (driver, _) = Connect("ev-1");
        await using var _d = driver;
        var reading = await driver.ReadAsync();
        Assert.Equal(50, reading.Find(PointRole.StateOfCharge)!.Value);
        Assert.Equal("connected", reading.Find(PointRole.PlugState)!.Text);
        Assert.Equal(-7.4, reading.Find(PointRole.MinPower)!.Value!.Value, 6);
        var result = await driver.WriteSetpointAsync(-4, TimeSpan.FromSeconds(30));
        Assert.True(result.Confirmed);
        _rig.Wait(TimeSpan.FromSeconds(3));
        Assert.Equal(-4, (await driver.ReadAsync()).Find(PointRole.MeasuredPower)!.Value!.Value, 3);
    }

    [Fact]
    public async Task Inverter_profile_walks_the_sunspec_chain_over_tcp()
    {
        var (driver, _) = Connect("pv-1");
        await using var _d = driver;
        var map = await driver.DiscoverSunSpecAsync();
        Assert.Equal([1, 103, 120, 123, 302], map.Models.Select(m => m.Id));
        var reading = await driver.ReadAsync();
        var pv = _rig.Device<SimulatedPvInverter>("pv-1");
        Assert.Equal(pv.PowerKw, reading.Find(PointRole.MeasuredPower)!.Value!.Value, 3);
        Assert.Equal(10, reading.Find(PointRole.MaxPower)!.Value);
        var result = await driver.WriteSetpointAsync(3, TimeSpan.FromSeconds(120));
        Assert.True(result.Confirmed);
        Assert.Equal(30, result.WrittenValue, 6);
    }

    [Fact]
    public async Task Smes_profile_reads_input_registers_over_tcp()
    {
        var (driver, _) = Connect("smes-1");
        await using var _d = driver;
        var reading = await driver.ReadAsync();
        Assert.Equal(700, reading.Find(PointRole.CoilCurrent)!.Value!.Value, 3);
        Assert.Equal(0.5 * 20 * 700 * 700 / 3.6e6, reading.Find(PointRole.StoredEnergy)!.Value!.Value, 4);
        Assert.True((await driver.WriteSetpointAsync(-30, TimeSpan.FromSeconds(30))).Confirmed);
    }

    [Fact]
    public async Task Meter_profile_reads_the_site_sum_over_tcp()
    {
        var (driver, _) = Connect("meter-1");
        await using var _d = driver;
        var reading = await driver.ReadAsync();
        Assert.Equal(_rig.Device<SimulatedMeter>("meter-1").PowerKw, reading.Find(PointRole.MeasuredPower)!.Value!.Value, 1);
        Assert.Equal("Gateway Sims", reading.Find("Manufacturer")!.Text);
    }

    [Fact]
    public async Task Injected_exception_code_reaches_the_client_and_heals()
    {
        var (driver, _) = Connect("ev-1");
        await using var _d = driver;
        var device = _rig.Rig.Find("ev-1")!;
        device.Faults.Current = new ModbusFault(ModbusFaultKind.Exception, ExceptionCode: ModbusExceptionCode.ServerDeviceBusy);
        var e = await Assert.ThrowsAsync<DeviceException>(() => driver.ReadAsync());
        Assert.Equal((DeviceErrorKind.Refused, (int)ModbusExceptionCode.ServerDeviceBusy, true), (e.Kind, e.DeviceCode, e.IsTransient));
        device.Faults.Current = ModbusFault.None;
        Assert.Equal(50, (await driver.ReadAsync()).Find(PointRole.StateOfCharge)!.Value);
    }

    [Fact]
    public async Task No_answer_is_a_timeout()
    {
        var (driver, _) = Connect("smes-1", timeoutSeconds: 0.3);
        await using var _d = driver;
        _rig.Rig.Find("smes-1")!.Faults.Current = new ModbusFault(ModbusFaultKind.NoAnswer);
        var e = await Assert.ThrowsAsync<DeviceException>(() => driver.ReadAsync());
        Assert.Equal(DeviceErrorKind.Timeout, e.Kind);
        Assert.IsType<ModbusTimeoutException>(e.InnerException);
        _rig.Rig.Find("smes-1")!.Faults.Current = ModbusFault.None;
        Assert.Equal(700, (await driver.ReadAsync()).Find(PointRole.CoilCurrent)!.Value!.Value, 3);
    }

    [Fact]
    public async Task A_slow_answer_within_the_timeout_still_arrives()
    {
        var (driver, _) = Connect("meter-1", timeoutSeconds: 3);
        await using var _d = driver;
        _rig.Rig.Find("meter-1")!.Faults.Current = new ModbusFault(ModbusFaultKind.SlowAnswer, TimeSpan.FromMilliseconds(150));
        var reading = await driver.ReadAsync();
        Assert.Equal(MeasurementQuality.Good, reading.Find(PointRole.MeasuredPower)!.Quality);
        Assert.True(_rig.Rig.Find("meter-1")!.Faults.FaultsShown > 0);
    }

    [Fact]
    public async Task Corrupt_frames_and_disconnects_are_communication_failures()
    {
        var (driver, _) = Connect("ev-late", timeoutSeconds: 0.5);
        await using var _d = driver;
        var device = _rig.Rig.Find("ev-late")!;
        device.Faults.Current = new ModbusFault(ModbusFaultKind.CorruptFrame);
        Assert.True((await Assert.ThrowsAsync<DeviceException>(() => driver.ReadAsync())).IsTransient);
        device.Faults.Current = new ModbusFault(ModbusFaultKind.Disconnect);
        Assert.Equal(DeviceErrorKind.Unreachable, (await Assert.ThrowsAsync<DeviceException>(() => driver.ReadAsync())).Kind);
        device.Faults.Current = ModbusFault.None;
        Assert.Equal("disconnected", (await driver.ReadAsync()).Find(PointRole.PlugState)!.Text);
    }
}
