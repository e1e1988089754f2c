using System.Diagnostics;
using Gateway.Drivers.Devices;
using Gateway.Drivers.Modbus;

namespace Gateway.Drivers.Tests.Devices;

/// <summary>
/// The SunSpec inverter profile read from an independent peer: a pymodbus server whose register
/// map is laid out in Python straight from the SunSpec offsets, not from our profile or our
/// register image, so a wrong offset, scale factor or word order in either shows up here.
/// </summary>
public sealed class PymodbusSunSpecTests : IAsyncLifetime
{
    private const string Script = """
        import asyncio, logging, os, sys, threading
        from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
        from pymodbus.server.async_io import ModbusTcpServer
        from pymodbus.transaction import ModbusSocketFramer

        def text(s, regs):
            b = s.encode("ascii").ljust(regs * 2, b"\0")
            return [b[i] << 8 | b[i + 1] for i in range(0, regs * 2, 2)]

        def s16(v):
            return v & 0xFFFF

        regs = [0x5375, 0x6E53]                       # "SunS" at 40000
        common = [0] * 65                             # model 1 with the older length L = 65
        common[0:16] = text("PyModbus Co", 16)        # Mn at +2
        common[16:32] = text("PY-INV-8", 16)          # Md at +18
        common[48:64] = text("PY-42", 16)             # SN at +50
        common[64] = 7                                # DA at +66
        regs += [1, 65] + common
        inv = [0xFFFF] * 50                           # model 103: everything "not implemented" ...
        inv[0] = 123; inv[4] = s16(-1)                # A +2, A_SF +6        -> 12.3 A
        inv[8] = 2301; inv[11] = s16(-1)              # PhVphA +10, V_SF +13 -> 230.1 V
        inv[12] = 4321; inv[13] = 0                   # W +14, W_SF +15      -> 4.321 kW
        inv[14] = 5001; inv[15] = s16(-2)             # Hz +16, Hz_SF +17    -> 50.01 Hz
        inv[22] = 0x0012; inv[23] = 0xD687; inv[24] = 0   # WH +24 acc32, WH_SF +26 -> 1234567 Wh
        inv[36] = 4                                   # St +38 = MPPT
        regs += [103, 50] + inv
        plate = [0] * 26
        plate[1] = 800; plate[2] = 1                  # WRtg +3, WRtg_SF +4  -> 8 kW
        regs += [120, 26] + plate
        ctl = [0] * 24
        ctl[3] = 1000; ctl[5] = 0; ctl[7] = 0; ctl[21] = s16(-1)   # WMaxLimPct +5, RvrtTms +7, Ena +9, SF +23
        regs += [123, 24] + ctl
        regs += [302, 5] + [650, 812, 0xFFFF, 0xFFFF, 0xFFFF]   # one irradiance block: GHI +2, POAI +3, DFI, DNI, OTI
        regs += [0xFFFF, 0]

        async def main():
            logging.basicConfig(level=logging.CRITICAL)
            unit = ModbusSlaveContext(hr=ModbusSequentialDataBlock(40000, regs), zero_mode=True)
            context = ModbusServerContext(slaves={1: unit}, single=False)
            server = ModbusTcpServer(context, framer=ModbusSocketFramer, address=("127.0.0.1", 0))
            task = asyncio.create_task(server.serve_forever())
            await server.serving
            threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
            print(f"READY {server.server.sockets[0].getsockname()[1]}", flush=True)
            await task

        asyncio.run(main())
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("sunspec-peer-").FullName;
    private Process _peer = null!;
    private int _port;

    public async Task InitializeAsync()
    {
        var script = Path.Combine(_dir, "sunspec_server.py");
        await File.WriteAllTextAsync(script, Script);
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(script);
        _peer = Process.Start(info)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await _peer.StandardOutput.ReadLineAsync(timeout.Token);
        if (line is null || !line.StartsWith("READY ", StringComparison.Ordinal))
            throw new InvalidOperationException($"the pymodbus peer did not start: {await _peer.StandardError.ReadToEndAsync()}");
        _port = int.Parse(line["READY ".Length..]);
    }

    public async Task DisposeAsync()
    {
        _peer.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _peer.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _peer.Kill();
        }
        _peer.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private ModbusDeviceDriver Driver() =>
        new(new ModbusTcpClient("127.0.0.1", _port, new ModbusClientOptions { RequestTimeout = TimeSpan.FromSeconds(10) }), 1, ProfileLoader.Load("sunspec-inverter"), ownsClient: true);

    [Fact]
    public async Task Reads_every_point_the_peer_laid_out()
    {
        await using var driver = Driver();
        var reading = await driver.ReadAsync();
        Assert.Equal([1, 103, 120, 123, 302], driver.SunSpec!.Models.Select(m => m.Id));
        Assert.Equal(40069, driver.SunSpec.Find(103)!.Address);
        Assert.Equal("PyModbus Co", reading.Find("Manufacturer")!.Text);
        Assert.Equal("PY-42", reading.Find("SerialNumber")!.Text);
        Assert.Equal(7, reading.Find("DeviceAddress")!.Value);
        Assert.Equal(12.3, reading.Find("CurrentA")!.Value!.Value, 9);
        Assert.Equal(230.1, reading.Find("VoltageAnV")!.Value!.Value, 9);
        Assert.Equal(4.321, reading.Find("PowerKw")!.Value!.Value, 9);
        Assert.Equal(50.01, reading.Find("FrequencyHz")!.Value!.Value, 9);
        Assert.Equal(1234.567, reading.Find("EnergyExportedKwh")!.Value!.Value, 9);
        Assert.Equal("mppt", reading.Find("OperatingState")!.Text);
        Assert.Equal(8, reading.Find("RatedPowerKw")!.Value!.Value, 9);
        Assert.Equal(100, reading.Find("PowerLimitPercent")!.Value!.Value, 9);
        Assert.Equal("PY-INV-8", reading.Find("Model")!.Text);
        Assert.Equal(812, reading.Find("IrradianceWPerM2")!.Value);
        Assert.All(reading.Measurements, m => Assert.Equal(MeasurementQuality.Good, m.Quality));
    }

    [Fact]
    public async Task Writes_the_export_limit_in_percent_and_reads_it_back()
    {
        await using var driver = Driver();
        var result = await driver.WriteSetpointAsync(2, TimeSpan.FromSeconds(90));
        Assert.True(result.Confirmed);
        Assert.Equal(25, result.WrittenValue, 9);
        var reading = await driver.ReadAsync();
        Assert.Equal(25, reading.Find("PowerLimitPercent")!.Value!.Value, 9);
        Assert.Equal(1, reading.Find("PowerLimitEnable")!.Value);
        Assert.Equal(90, reading.Find("LimitRevertSeconds")!.Value);
    }
}
