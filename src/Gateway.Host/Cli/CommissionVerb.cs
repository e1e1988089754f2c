using System.CommandLine;

namespace Gateway.Host.Cli;

/// <summary>
/// <c>gateway commission ENDPOINT [--unit N] [--profile P] [--allow-write [--yes]] [--step 20%|KW] …</c>: walks a device
/// through commissioning — identify, read-only verification, and only with explicit confirmation a setpoint step with
/// read-back and the fail-safe test — and writes a report (Markdown, plot, JSON) and the device's rig entry.
/// </summary>
internal static class CommissionVerb
{
    public static Command Create()
    {
        var endpoint = new Argument<string>("endpoint") { Description = "modbus-tcp://HOST:PORT, modbus-rtu:///dev/ttyX?baud=9600&parity=E, mqtt://HOST:PORT | mqtts://HOST:PORT (a broker; --ca, --cert, --username … secure it), or ocpp://HOST:PORT (listen as the CSMS of the station --device)" };
        var unit = new Option<int>("--unit") { Description = "Modbus unit id (0–255)", DefaultValueFactory = _ => 1 };
        var profile = new Option<string?>("--profile") { Description = "device profile (name or file); a SunSpec device's is picked from its models when left out" };
        var device = new Option<string?>("--device") { Description = "MQTT: the device id in the profile's topics ({device}); OCPP: the station id" };
        var allowWrite = new Option<bool>("--allow-write") { Description = "step the setpoint and test the fail-safe (asks for confirmation at the terminal; without it the session only reads)" };
        var yes = new Option<bool>("--yes") { Description = "confirm --allow-write without asking (for scripts)" };
        var step = new Option<string>("--step") { Description = "the setpoint step: kW (2, -3.5kW; positive = delivered to the grid) or % of the rating (20%)", DefaultValueFactory = _ => "20%" };
        var rating = new Option<double?>("--rating") { Description = "the device's rating in kW from its nameplate, when it does not report one" };
        var revert = new Option<double>("--revert") { Description = "seconds of validity given with the step: the device must fall back within them once the heartbeat stops", DefaultValueFactory = _ => 10 };
        var hold = new Option<double>("--hold") { Description = "seconds to hold the step with the heartbeat running before it stops", DefaultValueFactory = _ => 10 };
        var sample = new Option<double>("--sample") { Description = "seconds between two readings during the step and the fall-back", DefaultValueFactory = _ => 0.5 };
        var timeout = new Option<double>("--timeout") { Description = "seconds to wait for each answer", DefaultValueFactory = _ => 2 };
        var report = new Option<string?>("--report") { Description = "folder for the report (default out/commission/NAME-TIME)" };
        var id = new Option<string?>("--id") { Description = "the device id for the rig entry (over MQTT: the device id)" };
        var node = new Option<string?>("--node") { Description = "the feeder node for the rig entry" };
        var json = new Option<bool>("--json") { Description = "print the result as JSON instead of progress lines" };

        var command = new Command("commission", "Commission a device: identify, verify read-only, and (with --allow-write, confirmed) step its setpoint and test its fail-safe; writes a report and its rig entry.");
        command.Arguments.Add(endpoint);
        foreach (var o in new Option[] { unit, profile, device, allowWrite, yes, step, rating, revert, hold, sample, timeout, report, id, node, json }) command.Options.Add(o);
        var brokerSecurity = new BrokerSecurityOptions();
        brokerSecurity.AddTo(command);
        command.SetAction(async (ParseResult r, CancellationToken ct) =>
        {
            var problems = new List<string>();
            var endpointText = r.GetValue(endpoint)!;
            var mqtt = BrokerSecurityOptions.IsMqtt(endpointText);
            var unitId = r.GetValue(unit);
            if (unitId is < 0 or > 255) problems.Add($"--unit {unitId} is not a Modbus unit id (0–255)");
            if (!ProbeSetpoint.TryParse(r.GetValue(step)!, out var stepValue)) problems.Add($"--step '{r.GetValue(step)}' is not a number of kW (2, -3.5kW) or a percentage of the rating (-100%–100%)");
            var ratingKw = r.GetValue(rating);
            if (ratingKw is { } kw && !(kw > 0 && kw <= 100_000)) problems.Add($"--rating {kw} must be more than 0 and at most 100000 kW");
            var revertSeconds = r.GetValue(revert);
            if (!(revertSeconds is >= 1 and <= 3600)) problems.Add($"--revert {revertSeconds} must be 1–3600 seconds");
            var holdSeconds = r.GetValue(hold);
            if (!(holdSeconds is >= 0 and <= 3600)) problems.Add($"--hold {holdSeconds} must be 0–3600 seconds");
            var sampleSeconds = r.GetValue(sample);
            if (!(sampleSeconds is >= 0.05 and <= 60)) problems.Add($"--sample {sampleSeconds} must be 0.05–60 seconds");
            else if (sampleSeconds > revertSeconds / 2) problems.Add($"--sample {sampleSeconds} must be at most half of --revert {revertSeconds}, or the heartbeat cannot keep the step alive");
            var wait = r.GetValue(timeout);
            if (!(wait is > 0 and <= 600)) problems.Add($"--timeout {wait} must be more than 0 and at most 600 seconds");
            if (r.GetValue(yes) && !r.GetValue(allowWrite)) problems.Add("--yes confirms --allow-write: give both, or neither for a read-only session");
            var ocpp = endpointText.StartsWith("ocpp://", StringComparison.OrdinalIgnoreCase);
            if (r.GetValue(device) is not null && !mqtt && !ocpp) problems.Add("--device is for MQTT devices and OCPP stations; a Modbus device is chosen with --unit");
            if (ocpp && r.GetValue(device) is null) problems.Add("--device is required for an OCPP station (its id, the last segment of the URL it dials)");
            if (mqtt && r.GetValue(profile) is null) problems.Add("--profile is required for an MQTT device (e.g. mqtt-charger)");
            var broker = brokerSecurity.Read(r, endpointText, problems);
            if (problems.Count > 0)
            {
                CliFailure.Write("commission", ExitCodes.BadInput, problems, r.GetValue(json), Console.Out, Console.Error);
                return ExitCodes.BadInput;
            }
            var request = new CommissionRequest(endpointText, (byte)unitId, r.GetValue(profile), r.GetValue(device), r.GetValue(allowWrite), r.GetValue(yes),
                stepValue, ratingKw, TimeSpan.FromSeconds(revertSeconds), TimeSpan.FromSeconds(holdSeconds), TimeSpan.FromSeconds(sampleSeconds),
                TimeSpan.FromSeconds(wait), r.GetValue(report), r.GetValue(id), r.GetValue(node), r.GetValue(json), broker);
            return await RunAsync(request, request.Yes ? Confirmed : AskAtTerminal, Console.Out, Console.Error, TimeProvider.System, ct);
        });
        return command;
    }

    /// <summary>Runs a session, writes its report, prints the outcome; returns the exit code.</summary>
    internal static async Task<int> RunAsync(CommissionRequest request, Func<string, CancellationToken, Task<bool>> confirm, TextWriter stdout, TextWriter stderr,
        TimeProvider time, CancellationToken cancellationToken = default, Func<ProbeRequest, Drivers.Modbus.IModbusClient>? connect = null)
    {
        var result = await new CommissionSession(request, confirm, stdout, time).RunAsync(connect ?? ProbeConnection.Open, cancellationToken).ConfigureAwait(false);
        try
        {
            await CommissionReport.WriteAsync(result, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            result.Notes.Add($"the report could not be written: {e.Message}");
            if (result.ExitCode == ExitCodes.Ok) result.ExitCode = ExitCodes.Failed;
        }
        if (request.Json) await stdout.WriteLineAsync(CommissionReport.Json(result)).ConfigureAwait(false);
        else
        {
            await stdout.WriteLineAsync($"result: {CommissionReport.Verdict(result)}").ConfigureAwait(false);
            if (result.ReportDirectory is { } dir)
            {
                await stdout.WriteLineAsync($"report: {Path.Combine(dir, "report.md")}").ConfigureAwait(false);
                if (result.Profile is not null) await stdout.WriteLineAsync($"rig entry: {Path.Combine(dir, "rig-entry.yaml")}").ConfigureAwait(false);
            }
        }
        foreach (var note in result.Notes) await stderr.WriteLineAsync($"commission: note: {note}").ConfigureAwait(false);
        if (result.Error is not null) await stderr.WriteLineAsync($"commission: {CliFailure.OneLine(result.Error)}").ConfigureAwait(false);
        return result.ExitCode;
    }

    private static Task<bool> Confirmed(string what, CancellationToken cancellationToken) => Task.FromResult(true);

    // The prompt goes to stderr so stdout stays the session's output; no terminal, no confirmation.
    private static async Task<bool> AskAtTerminal(string what, CancellationToken cancellationToken)
    {
        if (Console.IsInputRedirected)
        {
            await Console.Error.WriteLineAsync("commission: --allow-write needs a confirmation at the terminal, and stdin is not one: add --yes in scripts").ConfigureAwait(false);
            return false;
        }
        await Console.Error.WriteAsync($"{what}{Environment.NewLine}Type yes to go on: ").ConfigureAwait(false);
        var answer = await Console.In.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        return string.Equals(answer?.Trim(), "yes", StringComparison.OrdinalIgnoreCase) || string.Equals(answer?.Trim(), "y", StringComparison.OrdinalIgnoreCase);
    }
}
