using System.Text.Json;
using Gateway.Host.Cli;
using Gateway.Testing;

namespace Gateway.Host.Tests.Ocpp;

/// <summary>
/// <c>gateway commission ocpp://… --device ID</c> on a simulated station: identify (it dials in), verify read-only, the step as a
/// charging profile confirmed by read-back, and the fail-safe (the profile's validTo passes, the station drops to 0 kW by itself).
/// Real time on both sides: the station keeps wall time, as a real one does.
/// </summary>
public sealed class CommissionOcppTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("commission-ocpp-").FullName;
    private readonly AsyncCleanup _cleanup = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _cleanup.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task An_OCPP_pile_passes_identify_verify_step_and_fail_safe()
    {
        var port = Ports.Free();
        var simulated = SimulatedStations.Start(_cleanup, port, ["CP-C"]).Rig;

        var request = new CommissionRequest($"ocpp://127.0.0.1:{port}", 1, null, "CP-C", AllowWrite: true, Yes: true,
            ProbeSetpoint.TryParse("-3", out var step) ? step : throw new InvalidOperationException(), null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2),
            TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(3), Path.Combine(_dir, "report"), null, "n1", Json: true);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CommissionVerb.RunAsync(request, (_, _) => Task.FromResult(true), stdout, stderr, TimeProvider.System);
        var root = JsonDocument.Parse(stdout.ToString()).RootElement;
        Assert.True(code == ExitCodes.Ok, stderr + root.ToString());
        Assert.True(root.GetProperty("verification").GetProperty("passed").GetBoolean());
        Assert.True(root.GetProperty("step").GetProperty("confirmed").GetBoolean());
        Assert.True(root.GetProperty("failSafe").GetProperty("passed").GetBoolean());
        Assert.Equal(0, simulated.Find("ev-0")!.Image.Get("SetpointKw")!.Value, 6);
    }
}
