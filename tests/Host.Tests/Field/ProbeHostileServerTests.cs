using System.Text.Json;
using Gateway.Host.Cli;

namespace Gateway.Host.Tests.Field;

/// <summary>
/// The probe against a deliberately hostile Modbus server: every protocol violation and a device that trickles its
/// bytes end in one line naming what is wrong and the documented exit code (5 for a violation, 4 for too slow), the
/// same in --json, and never a stack trace.
/// </summary>
public sealed class ProbeHostileServerTests
{
    [Theory]
    [InlineData(HostileMode.WrongUnitId, ExitCodes.DeviceException, "carries unit id 4 for a request to unit 3")]
    [InlineData(HostileMode.LengthFFFF, ExitCodes.DeviceException, "MBAP length 65535 is outside 2–254")]
    [InlineData(HostileMode.BadProtocolId, ExitCodes.DeviceException, "MBAP protocol id is 0x0001, must be 0")]
    [InlineData(HostileMode.WrongFunctionCode, ExitCodes.DeviceException, "function code 0x04 does not match request 0x03")]
    [InlineData(HostileMode.BadByteCount, ExitCodes.DeviceException, "byte count")]
    [InlineData(HostileMode.SlowBytes, ExitCodes.Timeout, "did not answer within 0.5 s")]
    public async Task Each_hostile_answer_is_one_line_with_its_exit_code(HostileMode mode, int exitCode, string why)
    {
        await using var server = new HostileModbusServer(mode);
        var request = new ProbeRequest(server.Endpoint, 3, "v2g-charger", false, false, null, TimeSpan.FromSeconds(60), AnswerTimeout(mode));
        var (code, stdout, stderr) = await ProbeAsync(request);
        Assert.Equal(exitCode, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"probe: {server.Endpoint} unit 3 ", line);
        Assert.Contains(why, line);
        Assert.DoesNotContain("measurements", stdout);
        NoStackTrace(stdout + stderr);
    }

    [Theory]
    [InlineData(HostileMode.WrongUnitId, ExitCodes.DeviceException)]
    [InlineData(HostileMode.LengthFFFF, ExitCodes.DeviceException)]
    [InlineData(HostileMode.BadProtocolId, ExitCodes.DeviceException)]
    [InlineData(HostileMode.WrongFunctionCode, ExitCodes.DeviceException)]
    [InlineData(HostileMode.BadByteCount, ExitCodes.DeviceException)]
    [InlineData(HostileMode.SlowBytes, ExitCodes.Timeout)]
    public async Task The_same_in_json(HostileMode mode, int exitCode)
    {
        await using var server = new HostileModbusServer(mode);
        var request = new ProbeRequest(server.Endpoint, 3, "v2g-charger", true, true, null, TimeSpan.FromSeconds(60), AnswerTimeout(mode));
        var (code, stdout, stderr) = await ProbeAsync(request);
        Assert.Equal(exitCode, code);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(exitCode, json.RootElement.GetProperty("exitCode").GetInt32());
        var error = json.RootElement.GetProperty("error").GetString()!;
        Assert.Contains($"{server.Endpoint} unit 3", error);
        Assert.DoesNotContain('\n', error);
        NoStackTrace(stdout + stderr);
    }

    // A broken frame arrives at once; a generous timeout keeps a loaded machine from turning it into "too slow". The
    // trickling device needs a timeout well below its ~1.4 s frame.
    private static TimeSpan AnswerTimeout(HostileMode mode) => TimeSpan.FromSeconds(mode == HostileMode.SlowBytes ? 0.5 : 10);

    private static async Task<(int Code, string Out, string Err)> ProbeAsync(ProbeRequest request)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await ProbeRunner.RunAsync(request, ProbeConnection.Open, stdout, stderr, TimeProvider.System);
        return (code, stdout.ToString(), stderr.ToString());
    }

    internal static void NoStackTrace(string text)
    {
        Assert.DoesNotMatch(@"(?m)^\s+at \S+\(", text);
        Assert.DoesNotContain("Unhandled exception", text);
        Assert.DoesNotContain("Exception:", text);
    }
}
