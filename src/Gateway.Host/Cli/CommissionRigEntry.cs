using System.Globalization;
using System.Text;
using Gateway.Drivers.Modbus;

namespace Gateway.Host.Cli;

/// <summary>The commissioned device as a rig entry (YAML, ready to paste under <c>devices:</c>).</summary>
internal static class CommissionRigEntry
{
    /// <summary>The entry for <paramref name="result"/>'s device.</summary>
    public static string Yaml(CommissionResult result)
    {
        var r = result.Request;
        var profile = result.Profile!;
        var id = r.RigId ?? (r.IsMqtt ? r.DeviceId! : $"{profile.Kind}-{r.UnitId}");
        var yaml = new StringBuilder();
        yaml.AppendLine($"# {profile.Kind} commissioned {result.StartedUtc.UtcDateTime:yyyy-MM-dd HH:mm}Z by gateway commission ({Verdict(result)})");
        if (r.IsMqtt) yaml.AppendLine("# over MQTT the id is the {device} of the profile's topics: keep it as the device publishes it");
        yaml.AppendLine($"- id: {Scalar(id)}");
        yaml.AppendLine($"  kind: {profile.Kind}");
        yaml.AppendLine(r.Node is { } node ? $"  node: {Scalar(node)}" : "  node: CHANGE-ME   # the feeder node the device connects at");
        if (r.IsOcpp)
        {
            // The station dials the gateway: its URL is the gateway's endpoint (HOST:PORT of the site box) and the station id.
            yaml.AppendLine("  protocol: ocpp");
            yaml.AppendLine($"  endpoint: {Scalar($"ws://{r.Endpoint["ocpp://".Length..].TrimEnd('/')}/ocpp/{r.DeviceId}")}   # the gateway's OCPP endpoint as the station dials it");
        }
        else if (r.IsMqtt)
        {
            yaml.AppendLine("  protocol: mqtt");
            yaml.AppendLine($"  endpoint: {Scalar(r.Endpoint)}");
        }
        else
        {
            var endpoint = ModbusEndpoint.Parse(r.Endpoint);
            yaml.AppendLine($"  protocol: {(endpoint.IsTcp ? "modbus-tcp" : "modbus-rtu")}");
            yaml.AppendLine($"  endpoint: {Scalar(endpoint.IsTcp ? $"{(endpoint.Host!.Contains(':') ? $"[{endpoint.Host}]" : endpoint.Host)}:{endpoint.Port}" : endpoint.ToString()["modbus-rtu://".Length..])}");
            yaml.AppendLine($"  unitId: {r.UnitId.ToString(CultureInfo.InvariantCulture)}");
        }
        yaml.AppendLine($"  profile: {Scalar(profile.Name)}");
        yaml.AppendLine("  pollSeconds: 5");
        if (result.FailSafePassed != true && profile.FindRole(Drivers.Devices.PointRole.Setpoint) is not null)
            yaml.AppendLine($"  readOnly: true   # {(result.FailSafePassed == false ? "its fail-safe test FAILED" : "its fail-safe was not tested")}: the gateway only reads it until it passes");
        return yaml.ToString();
    }

    private static string Verdict(CommissionResult result) =>
        !result.VerificationPassed ? "verification FAILED"
        : result.FailSafePassed == true ? "verified, step confirmed, fail-safe passed"
        : result.FailSafePassed == false ? "verified, fail-safe FAILED"
        : "verified read-only";

    // Quoted when YAML would read it as something else (a colon, a leading symbol, a number-like text).
    private static string Scalar(string value) =>
        value.Length > 0 && value.All(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' or '/' ) && !char.IsDigit(value[0]) && value[0] != '-'
            ? value
            : "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
