using System.CommandLine;

namespace Gateway.Host.Cli;

/// <summary>
/// <c>gateway probe ENDPOINT --unit N --profile P [--json] [--sunspec] [--set KW|PCT%] [--rating KW]</c>, or
/// <c>gateway probe mqtt://HOST:PORT --profile P --device ID [--ca F] [--cert F --key F] [--username U --password-env V] …</c>: reads a device through its profile and prints its
/// measurements, for field engineers at a pile. Read-only unless <c>--set</c> is given.
/// </summary>
internal static class ProbeVerb
{
    public static Command Create()
    {
        var endpoint = new Argument<string>("endpoint")
        {
            Description = "modbus-tcp://HOST:PORT, modbus-rtu:///dev/ttyX?baud=9600&parity=E, mqtt://HOST:PORT or mqtts://HOST:PORT (the broker an MQTT device publishes through; --ca, --cert, --username … secure it), or ocpp://HOST:PORT (where the probe listens as the CSMS for OCPP stations: ws://HOST:PORT/ocpp/STATION)",
        };
        var unit = new Option<int>("--unit") { Description = "Modbus unit id (0–255)", DefaultValueFactory = _ => 1 };
        var profile = new Option<string?>("--profile") { Description = "device profile: a shipped name (v2g-charger, sunspec-inverter, sunspec-inverter-float, sunspec-meter, smes-converter; over MQTT mqtt-charger, mqtt-smes-converter, mqtt-pv-inverter, mqtt-meter) or a file; with --sunspec it may be left out and is picked from the device's SunSpec models" };
        var device = new Option<string?>("--device") { Description = "MQTT: the device id in the profile's topics ({device}); OCPP: the station id (without it, every station that dials in is listed)" };
        var json = new Option<bool>("--json") { Description = "print JSON instead of tables" };
        var sunspec = new Option<bool>("--sunspec") { Description = "walk and list the SunSpec models found (and pick the profile from them when --profile is not given)" };
        var set = new Option<string?>("--set") { Description = "write this power setpoint and read it back: kW (2, -3.5kW; positive = delivered to the grid) or % of the device's rating (50%)" };
        var rating = new Option<double?>("--rating") { Description = "the device's rating in kW from its nameplate: the basis of --set N% and of a % setpoint register when the device does not report its rating" };
        var validFor = new Option<double>("--valid-for") { Description = "validity of the setpoint in seconds; the device falls back to 0 kW after it", DefaultValueFactory = _ => 60 };
        var timeout = new Option<double>("--timeout") { Description = "seconds to wait for each answer (MQTT: for telemetry, for the acknowledgement)", DefaultValueFactory = _ => 2 };

        var command = new Command("probe", "Read a device through its profile and print its measurements; optionally write a setpoint.");
        command.Arguments.Add(endpoint);
        foreach (var o in new Option[] { unit, profile, device, json, sunspec, set, rating, validFor, timeout }) command.Options.Add(o);
        var brokerSecurity = new BrokerSecurityOptions();
        brokerSecurity.AddTo(command);
        command.SetAction(async (ParseResult r, CancellationToken ct) =>
        {
            var problems = new List<string>();
            var unitId = r.GetValue(unit);
            if (unitId is < 0 or > 255) problems.Add($"--unit {unitId} is not a Modbus unit id (0–255)");
            ProbeSetpoint? setpoint = null;
            if (r.GetValue(set) is { } text)
            {
                if (ProbeSetpoint.TryParse(text, out var parsed)) setpoint = parsed;
                else problems.Add($"--set '{text}' is not a number of kW (2, -3.5kW) or a percentage of the rating (-100%–100%)");
            }
            var ratingKw = r.GetValue(rating);
            if (ratingKw is { } kw && !(kw > 0 && kw <= 100_000)) problems.Add($"--rating {kw} must be more than 0 and at most 100000 kW");
            var valid = r.GetValue(validFor);
            if (!(valid is >= 1 and <= 86_400)) problems.Add($"--valid-for {valid} must be 1–86400 seconds");
            var wait = r.GetValue(timeout);
            if (!(wait is > 0 and <= 600)) problems.Add($"--timeout {wait} must be more than 0 and at most 600 seconds");
            var endpointText = r.GetValue(endpoint)!;
            var mqtt = BrokerSecurityOptions.IsMqtt(endpointText);
            var ocpp = endpointText.StartsWith("ocpp://", StringComparison.OrdinalIgnoreCase);
            if (r.GetValue(device) is not null && !mqtt && !ocpp) problems.Add("--device is for MQTT devices and OCPP stations; a Modbus device is chosen with --unit");
            if (r.GetValue(sunspec) && (mqtt || ocpp)) problems.Add($"--sunspec walks Modbus registers; an {(ocpp ? "OCPP station" : "MQTT device")} has none");
            if (ocpp && r.GetValue(set) is not null && r.GetValue(device) is null) problems.Add("--set needs --device: the station to send the charging profile to");
            if (r.GetValue(profile) is null && !ocpp && (mqtt || !r.GetValue(sunspec)))
                problems.Add(mqtt ? "--profile is required for an MQTT device (e.g. mqtt-charger)" : "--profile is required (or --sunspec, to pick it from the device's SunSpec models)");
            var broker = brokerSecurity.Read(r, endpointText, problems);
            if (problems.Count > 0)
            {
                CliFailure.Write("probe", ExitCodes.BadInput, problems, r.GetValue(json), Console.Out, Console.Error);
                return ExitCodes.BadInput;
            }
            var request = new ProbeRequest(endpointText, (byte)unitId, r.GetValue(profile), r.GetValue(json), r.GetValue(sunspec),
                setpoint is { IsPercent: false } k ? k.Value : null, TimeSpan.FromSeconds(valid), TimeSpan.FromSeconds(wait), r.GetValue(device),
                setpoint is { IsPercent: true } p ? p.Value : null, ratingKw, broker);
            return await ProbeRunner.RunAsync(request, ProbeConnection.Open, Console.Out, Console.Error, TimeProvider.System, ct);
        });
        return command;
    }
}
