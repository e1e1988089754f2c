using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Gateway.Host.Cli;
using Gateway.Testing;

namespace Gateway.Host.Tests.Ocpp;

/// <summary><c>gateway probe ocpp://…</c>: the probe listens as the CSMS; simulated stations (which redial) dial in.</summary>
public sealed class ProbeOcppTests : IAsyncLifetime
{
    private readonly AsyncCleanup _cleanup = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _cleanup.DisposeAsync();
    }

    [Fact]
    public async Task Without_a_device_the_probe_lists_every_station_that_dials_in_with_its_values()
    {
        var port = Ports.Free();
        StartStations(port, "CP-L1", "CP-L2");
        var (code, stdout, stderr) = await ProbeAsync(new ProbeRequest($"ocpp://127.0.0.1:{port}", 1, null, Json: true, SunSpec: false, null,
            TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(4)));
        Assert.True(code == 0, stderr);
        var stations = JsonDocument.Parse(stdout).RootElement.GetProperty("stations").EnumerateArray().ToList();
        Assert.Equal(["CP-L1", "CP-L2"], stations.Select(s => s.GetProperty("station").GetString()));
        Assert.All(stations, s => Assert.Equal("ocpp2.1", s.GetProperty("ocpp").GetString()));
        var soc = stations[0].GetProperty("measurements").EnumerateArray().Single(m => m.GetProperty("point").GetString() == "SocPercent");
        Assert.Equal(40, soc.GetProperty("value").GetDouble());
    }

    [Fact]
    public async Task With_a_device_and_set_the_probe_sends_a_charging_profile_and_reads_it_back()
    {
        var port = Ports.Free();
        StartStations(port, "CP-S");
        var (code, stdout, stderr) = await ProbeAsync(new ProbeRequest($"ocpp://127.0.0.1:{port}", 1, null, Json: false, SunSpec: false, -3.5,
            TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(10), DeviceId: "CP-S"));
        Assert.True(code == 0, stderr);
        Assert.Contains("setpoint: asked -3.5 kW, wrote -3.5 kW", stdout);
        Assert.Contains("read back -3.5 kW: confirmed", stdout);
    }

    [Fact]
    public async Task A_station_that_never_dials_in_is_a_timeout_and_a_busy_port_is_unreachable()
    {
        var port = Ports.Free();
        var (code, _, stderr) = await ProbeAsync(new ProbeRequest($"ocpp://127.0.0.1:{port}", 1, null, Json: false, SunSpec: false, null,
            TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(300), DeviceId: "CP-NONE"));
        Assert.Equal(ExitCodes.Timeout, code);
        Assert.Contains("did not dial in", stderr);

        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        (code, _, stderr) = await ProbeAsync(new ProbeRequest($"ocpp://127.0.0.1:{((IPEndPoint)busy.LocalEndpoint).Port}", 1, null, Json: true, SunSpec: false, null,
            TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(300)));
        Assert.Equal(ExitCodes.Unreachable, code);
        (code, _, stderr) = await ProbeAsync(new ProbeRequest("ocpp://10.1.2.3:9000", 1, null, Json: false, SunSpec: false, null,
            TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(300)));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("loopback only", stderr);
    }

    private static async Task<(int Code, string Stdout, string Stderr)> ProbeAsync(ProbeRequest request)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await ProbeRunner.RunAsync(request, ProbeConnection.Open, stdout, stderr, TimeProvider.System);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private void StartStations(int port, params string[] ids) => SimulatedStations.Start(_cleanup, port, ids);
}
