using System.Diagnostics;
using System.Text.Json;
using Gateway.DeviceSims.Devices;
using Gateway.DeviceSims.Hosting;
using Gateway.Rigs;
using Gateway.Drivers.Devices;
using Gateway.Drivers.Modbus;
using Gateway.Testing;

namespace Gateway.DeviceSims.Tests;

public sealed class RtuAndProcessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("device-sims-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string RigFile(string protocol, string endpoint)
    {
        var path = Path.Combine(_dir, "rig.yaml");
        File.WriteAllText(path, $$"""
            site: proc
            start: 2026-06-01T12:00:00Z
            timeScale: 1
            devices:
              - { id: ev-1, kind: charger, protocol: {{protocol}}, endpoint: "{{endpoint}}", unitId: 4, profile: v2g-charger,
                  sim: { batteryKwh: 50, socAtArrivalPercent: 64, arrival: "11:00", departure: "18:00", maxChargeKw: 7.4, maxDischargeKw: 5 } }
              - { id: smes-1, kind: smes, protocol: {{protocol}}, endpoint: "{{endpoint}}", unitId: 5, profile: smes-converter,
                  sim: { inductanceH: 20, maxCurrentA: 1000, minCurrentA: 300, initialCurrentA: 700, maxPowerKw: 100 } }
            """);
        return path;
    }

    [Fact]
    public async Task Two_devices_share_an_rtu_bus_on_a_pseudo_terminal()
    {
        var tty = Path.Combine(_dir, "ttyGW");
        var rig = new SimulatedRig(RigLoader.LoadSimulated(RigFile("modbus-rtu", tty + "?baud=19200&parity=E")), TestClocks.New());
        await using var host = await RigHost.StartAsync(rig);
        Assert.All(host.Endpoints, e => Assert.Equal($"modbus-rtu://{tty}?baud=19200&parity=E", e.Uri));

        await using var client = ModbusEndpoint.Parse(host.Endpoints[0].Uri).CreateClient(new ModbusClientOptions { RequestTimeout = TimeSpan.FromSeconds(10) });
        var charger = new ModbusDeviceDriver(client, 4, ProfileLoader.Load("v2g-charger"));
        var smes = new ModbusDeviceDriver(client, 5, ProfileLoader.Load("smes-converter"));
        Assert.Equal(64, (await charger.ReadAsync()).Find(PointRole.StateOfCharge)!.Value);
        Assert.Equal(700, (await smes.ReadAsync()).Find(PointRole.CoilCurrent)!.Value!.Value, 3);
        Assert.True((await charger.WriteSetpointAsync(-3, TimeSpan.FromSeconds(30))).Confirmed);

        // A corrupt CRC on the wire is seen by the client as a failed exchange.
        rig.Find("smes-1")!.Faults.Current = new ModbusFault(ModbusFaultKind.CorruptFrame);
        var corrupt = await Assert.ThrowsAsync<DeviceException>(() => smes.ReadAsync());
        Assert.True(corrupt.IsTransient);
        rig.Find("smes-1")!.Faults.Current = ModbusFault.None;
        Assert.Equal(64, (await charger.ReadAsync()).Find(PointRole.StateOfCharge)!.Value);
    }

    [Fact]
    public async Task The_executable_prints_ready_writes_endpoints_and_obeys_control_commands()
    {
        var endpoints = Path.Combine(_dir, "endpoints.json");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "device-sims.dll"));
        foreach (var a in new[] { "--rig", RigFile("modbus-tcp", "127.0.0.1:0"), "--port-base", "0", "--endpoints-out", endpoints }) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            string? line;
            while ((line = await process.StandardOutput.ReadLineAsync(timeout.Token)) is not null && !line.StartsWith("device-sims ready", StringComparison.Ordinal))
            {
            }
            Assert.StartsWith("device-sims ready: 2 devices, site proc", line);
            var list = JsonSerializer.Deserialize<JsonElement>(File.ReadAllText(endpoints));
            var uri = list.EnumerateArray().Single(e => e.GetProperty("id").GetString() == "ev-1").GetProperty("uri").GetString()!;

            await using var client = ModbusEndpoint.Parse(uri).CreateClient(new ModbusClientOptions { RequestTimeout = TimeSpan.FromSeconds(10) });
            var driver = new ModbusDeviceDriver(client, 4, ProfileLoader.Load("v2g-charger"));
            Assert.Equal(64, (await driver.ReadAsync()).Find(PointRole.StateOfCharge)!.Value);

            await process.StandardInput.WriteLineAsync("fault ev-1 exception 6");
            Assert.Equal("ok: ev-1 exception 06", await process.StandardOutput.ReadLineAsync(timeout.Token));
            var e = await Assert.ThrowsAsync<DeviceException>(() => driver.ReadAsync());
            Assert.Equal((int)ModbusExceptionCode.ServerDeviceBusy, e.DeviceCode);

            await process.StandardInput.WriteLineAsync("fault ev-9 none");
            Assert.StartsWith("error: no device 'ev-9'", await process.StandardOutput.ReadLineAsync(timeout.Token));
            await process.StandardInput.WriteLineAsync("fault ev-1 none");
            Assert.Equal("ok: ev-1 none", await process.StandardOutput.ReadLineAsync(timeout.Token));
            Assert.Equal(64, (await driver.ReadAsync()).Find(PointRole.StateOfCharge)!.Value);

            await process.StandardInput.WriteLineAsync("quit");
            await process.WaitForExitAsync(timeout.Token);
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited) process.Kill();
        }
    }

    [Fact]
    public async Task The_executable_refuses_a_bad_rig_with_exit_2()
    {
        var bad = Path.Combine(_dir, "bad.yaml");
        File.WriteAllText(bad, "site: x\nstart: 2026-06-01T00:00:00Z\ndevices: []\n");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "device-sims.dll"));
        info.ArgumentList.Add("--rig");
        info.ArgumentList.Add(bad);
        using var process = Process.Start(info)!;
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("devices: lists no device", errors);
    }
}
