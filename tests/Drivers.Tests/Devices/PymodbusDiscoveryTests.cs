using System.Net;
using System.Net.Sockets;
using Gateway.Drivers.Devices;
using Gateway.Drivers.Devices.Discovery;
using Gateway.Drivers.Modbus;
using Gateway.Drivers.Serial;

namespace Gateway.Drivers.Tests.Devices;

/// <summary>
/// Discovery and SunSpec model families against independent pymodbus devices (Peers/pymodbus_sunspec.py lays their
/// registers out from the SunSpec model definitions): a unit-id scan over TCP and over an RTU line on socat, a
/// single-phase (101) and a float (113) inverter read through the shipped profiles, and an inverter without a
/// nameplate model driven with a rating given by hand.
/// </summary>
[Trait(PeerTraits.Name, PeerTraits.Pymodbus)]
[Trait(PeerTraits.Name, PeerTraits.Socat)]
public sealed class PymodbusDiscoveryTests
{
    private const string Script = "pymodbus_sunspec.py";

    private static ModbusTcpClient Tcp(PythonPeer peer, double timeoutSeconds = 5) =>
        new("127.0.0.1", int.Parse(peer.Ready), new ModbusClientOptions { RequestTimeout = TimeSpan.FromSeconds(timeoutSeconds) });

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_tcp_scan_lists_the_units_that_answer_with_their_models_nameplate_and_profile(bool silentMissing)
    {
        var args = new List<string> { "tcp", "1:inv103,2:meter203,5:plain" };
        if (silentMissing) args.Add("--silent-missing");
        await using var peer = await PythonPeer.StartAsync(Script, [.. args]);
        var clients = new List<IModbusClient> { Tcp(peer, 0.3), Tcp(peer, 0.3) };
        try
        {
            var units = await ModbusUnitScanner.ScanAsync(clients, "pymodbus", [1, 2, 3, 4, 5, 6, 7, 8], TimeSpan.FromSeconds(5));
            Assert.Equal([1, 2, 5], units.Select(u => (int)u.UnitId));
            var inverter = units[0];
            Assert.Equal("SunSpec", inverter.Answer);
            Assert.Equal([1, 103, 120, 123], inverter.SunSpec!.Models.Select(m => m.Id));
            Assert.Equal(("PyModbus SunSpec", "PY-INV-103", "3.0.0", "PY-001"), (inverter.Manufacturer, inverter.Model, inverter.Version, inverter.SerialNumber));
            Assert.Equal("sunspec-inverter", inverter.Profile);
            Assert.Equal(("sunspec-meter", "PY-002"), (units[1].Profile, units[1].SerialNumber));
            Assert.Equal("answers, not SunSpec", units[2].Answer);
            Assert.Null(units[2].Profile);
        }
        finally
        {
            foreach (var c in clients) await c.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_rtu_scan_on_a_socat_line_finds_the_units_and_skips_the_silent_ids()
    {
        await using var pty = await SocatPtyPair.StartAsync();
        await using var peer = await PythonPeer.StartAsync(Script, "rtu", pty.A, "19200", "3:inv103,4:plain");
        await using var client = new ModbusRtuClient(pty.B, new SerialLineSettings(19200, SerialParity.Even), new ModbusClientOptions { RequestTimeout = TimeSpan.FromSeconds(0.4) });
        var units = await ModbusUnitScanner.ScanAsync([client], "rtu line", [1, 2, 3, 4, 5], TimeSpan.FromSeconds(10));
        Assert.Equal([3, 4], units.Select(u => (int)u.UnitId));
        Assert.Equal([1, 103, 120, 123], units[0].SunSpec!.Models.Select(m => m.Id));
        Assert.Equal("PY-003", units[0].SerialNumber);
        Assert.Equal("answers, not SunSpec", units[1].Answer);
    }

    [Fact]
    public async Task A_scan_of_a_closed_port_ends_as_unreachable()
    {
        using var closed = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        closed.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)closed.LocalEndPoint!).Port;
        var clients = Enumerable.Range(0, 3).Select(_ => (IModbusClient)new ModbusTcpClient("127.0.0.1", port)).ToList();
        var e = await Assert.ThrowsAsync<DeviceException>(() => ModbusUnitScanner.ScanAsync(clients, $"modbus-tcp://127.0.0.1:{port}", [1, 2, 3, 4, 5, 6], TimeSpan.FromSeconds(5)));
        Assert.Equal(DeviceErrorKind.Unreachable, e.Kind);
        Assert.Contains("connection refused", e.Message);
        foreach (var c in clients) await c.DisposeAsync();
    }

    [Fact]
    public async Task A_single_phase_inverter_is_read_through_the_three_phase_profile_its_model_family_shares()
    {
        await using var peer = await PythonPeer.StartAsync(Script, "tcp", "1:inv101");
        await using var driver = new ModbusDeviceDriver(Tcp(peer), 1, ProfileLoader.Load("sunspec-inverter"), ownsClient: true);
        var reading = await driver.ReadAsync();
        Assert.Equal([1, 101, 120, 123], driver.SunSpec!.Models.Select(m => m.Id));
        Assert.Equal(4.321, reading.Find("PowerKw")!.Value!.Value, 9);
        Assert.Equal(50.01, reading.Find("FrequencyHz")!.Value!.Value, 9);
        Assert.Equal(1234.567, reading.Find("EnergyExportedKwh")!.Value!.Value, 9);
        Assert.Equal("mppt", reading.Find("OperatingState")!.Text);
        Assert.True((await driver.WriteSetpointAsync(4, TimeSpan.FromSeconds(30))).Confirmed);
    }

    [Fact]
    public async Task A_float_inverter_is_read_through_the_float_profile_with_nan_as_absent()
    {
        await using var peer = await PythonPeer.StartAsync(Script, "tcp", "1:inv113");
        await using var driver = new ModbusDeviceDriver(Tcp(peer), 1, ProfileLoader.Load("sunspec-inverter-float"), ownsClient: true);
        var reading = await driver.ReadAsync();
        Assert.Equal([1, 113, 120, 123], driver.SunSpec!.Models.Select(m => m.Id));
        Assert.Equal(12.5, reading.Find("CurrentA")!.Value!.Value, 6);
        Assert.Equal(230.5, reading.Find("VoltageAnV")!.Value!.Value, 6);
        Assert.Equal(4.321, reading.Find("PowerKw")!.Value!.Value, 6);
        Assert.Equal(50.02, reading.Find("FrequencyHz")!.Value!.Value, 5);
        Assert.Equal(1234.567, reading.Find("EnergyExportedKwh")!.Value!.Value, 3);
        Assert.Equal("mppt", reading.Find("OperatingState")!.Text);
        Assert.Equal(8, reading.Find("RatedPowerKw")!.Value!.Value, 9);
        var limit = await driver.WriteSetpointAsync(2, TimeSpan.FromSeconds(30));
        Assert.True(limit.Confirmed);
        Assert.Equal(25, limit.WrittenValue, 9);
        Assert.Equal("sunspec-inverter-float", SunSpecProfileChoice.For(driver.SunSpec));
    }

    [Fact]
    public async Task An_inverter_without_a_nameplate_takes_a_kw_setpoint_only_with_its_rating_given()
    {
        await using var peer = await PythonPeer.StartAsync(Script, "tcp", "1:inv103-noplate");
        var profile = ProfileLoader.Load("sunspec-inverter");
        await using (var blind = new ModbusDeviceDriver(Tcp(peer), 1, profile, ownsClient: true))
        {
            var e = await Assert.ThrowsAsync<DeviceException>(() => blind.WriteSetpointAsync(2, TimeSpan.FromSeconds(30)));
            Assert.Equal(DeviceErrorKind.BadValue, e.Kind);
            Assert.Contains("RatedPowerKw is absent — give the device's rating", e.Message);
        }
        await using var rated = new ModbusDeviceDriver(Tcp(peer), 1, profile, ownsClient: true) { RatingKw = 8 };
        var result = await rated.WriteSetpointAsync(2, TimeSpan.FromSeconds(30));
        Assert.True(result.Confirmed);
        Assert.Equal((25.0, 2.0), (result.WrittenValue, result.TargetKw));
        // The rating bounds the setpoint where the device reports no maximum of its own.
        var capped = await rated.WriteSetpointAsync(20, TimeSpan.FromSeconds(30));
        Assert.Equal((100.0, "the rating given"), (capped.WrittenValue, capped.ClampedBy));
    }
}
