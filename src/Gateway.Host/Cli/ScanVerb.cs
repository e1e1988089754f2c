using System.CommandLine;

namespace Gateway.Host.Cli;

/// <summary>
/// <c>gateway scan modbus-tcp://HOST:PORT|modbus-rtu:///dev/ttyX?… [--units 1-247] [--timeout S] [--parallel N]</c>:
/// which unit ids answer, with their SunSpec models and nameplate; <c>gateway scan mqtt://HOST:PORT [--listen S]</c>: which
/// device ids publish telemetry on the broker, per shipped topic map. Read-only: a scan never writes.
/// </summary>
internal static class ScanVerb
{
    public static Command Create()
    {
        var endpoint = new Argument<string>("endpoint")
        {
            Description = "modbus-tcp://HOST:PORT, modbus-rtu:///dev/ttyX?baud=9600&parity=E, or mqtt://HOST:PORT | mqtts://HOST:PORT (a broker; --ca, --cert, --username … secure it)",
        };
        var units = new Option<string>("--units") { Description = "Modbus: unit ids to ask, e.g. 1-247, 3, 1,3,10-20", DefaultValueFactory = _ => ScanUnitRange.Default };
        var timeout = new Option<double>("--timeout") { Description = "Modbus: seconds each request waits for an answer (bounds the time per unit id)", DefaultValueFactory = _ => 0.5 };
        var parallel = new Option<int>("--parallel") { Description = "Modbus TCP: connections asking at once (a serial line asks one unit at a time)", DefaultValueFactory = _ => 4 };
        var listen = new Option<double>("--listen") { Description = "MQTT: seconds to listen for telemetry", DefaultValueFactory = _ => 5 };
        var profile = new Option<string[]>("--profile") { Description = "MQTT: a profile (name or file) whose topic map to listen for, instead of every shipped one; repeatable", AllowMultipleArgumentsPerToken = false };
        var json = new Option<bool>("--json") { Description = "print JSON instead of tables" };

        var command = new Command("scan", "Find devices: the Modbus unit ids that answer (with SunSpec models), or the MQTT device ids publishing on a broker.");
        command.Arguments.Add(endpoint);
        foreach (var o in new Option[] { units, timeout, parallel, listen, profile, json }) command.Options.Add(o);
        var brokerSecurity = new BrokerSecurityOptions();
        brokerSecurity.AddTo(command);
        command.SetAction(async (ParseResult r, CancellationToken ct) =>
        {
            var problems = new List<string>();
            var endpointText = r.GetValue(endpoint)!;
            var mqtt = BrokerSecurityOptions.IsMqtt(endpointText);
            if (!mqtt && !endpointText.StartsWith("modbus-tcp://", StringComparison.OrdinalIgnoreCase) && !endpointText.StartsWith("modbus-rtu://", StringComparison.OrdinalIgnoreCase))
                problems.Add($"'{endpointText}' is not modbus-tcp://HOST:PORT, modbus-rtu:///dev/ttyX?…, mqtt://HOST:PORT or mqtts://HOST:PORT");
            if (!ScanUnitRange.TryParse(r.GetValue(units)!, out var unitIds, out var unitError)) problems.Add(unitError);
            var wait = r.GetValue(timeout);
            if (!(wait is > 0 and <= 60)) problems.Add($"--timeout {wait} must be more than 0 and at most 60 seconds");
            var workers = r.GetValue(parallel);
            if (workers is < 1 or > 32) problems.Add($"--parallel {workers} must be 1–32");
            var listenSeconds = r.GetValue(listen);
            if (!(listenSeconds is > 0 and <= 3600)) problems.Add($"--listen {listenSeconds} must be more than 0 and at most 3600 seconds");
            var profiles = r.GetValue(profile) is { Length: > 0 } given ? given : null;
            if (profiles is not null && !mqtt) problems.Add("--profile is for mqtt:// (the topic maps to listen for); a Modbus scan asks every unit id for SunSpec models");
            var broker = brokerSecurity.Read(r, endpointText, problems);
            if (problems.Count > 0)
            {
                CliFailure.Write("scan", ExitCodes.BadInput, problems, r.GetValue(json), Console.Out, Console.Error);
                return ExitCodes.BadInput;
            }
            var request = new ScanRequest(endpointText, unitIds, TimeSpan.FromSeconds(wait), workers, TimeSpan.FromSeconds(listenSeconds), profiles, r.GetValue(json), broker);
            return await ScanRunner.RunAsync(request, Console.Out, Console.Error, TimeProvider.System, ct);
        });
        return command;
    }
}
