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

    /// <summary>
    /// How the gateway reaches the MQTT broker the session went through, as a <c>brokers:</c> entry (the TLS files and
    /// the user and password source given to commission); null when the URL alone says it (plain MQTT, no user) or the
    /// device is not on MQTT. A password itself is never written: only where the gateway reads it from.
    /// </summary>
    public static string? BrokerYaml(CommissionResult result)
    {
        var r = result.Request;
        if (!r.IsMqtt || !Drivers.Devices.Mqtt.MqttBrokerAddress.TryParse(r.Endpoint, out var address, out _)) return null;
        var used = BrokerSecurityOptions.Combine(r.Broker, address!);
        if (!used.UsesTls && used.UserName is null) return null;
        var yaml = new StringBuilder();
        yaml.AppendLine("# how the gateway reaches this broker, as commission did: paste under brokers: (one entry per broker)");
        yaml.AppendLine($"- url: {Scalar(address!.WithoutCredentials().ToString())}");
        if (used.UsesTls)
        {
            var tls = new List<string>();
            if (used.CaFile is { } ca) tls.Add($"ca: {Scalar(Path.GetFullPath(ca))}");
            if (used.ClientCertificateFile is { } cert) tls.Add($"certificate: {Scalar(Path.GetFullPath(cert))}");
            if (used.ClientKeyFile is { } key) tls.Add($"key: {Scalar(Path.GetFullPath(key))}");
            if (used.ServerName is { } serverName) tls.Add($"serverName: {Scalar(serverName)}");
            // mqtts:// says TLS by itself; over mqtt:// an empty tls block still does, with the system's CAs.
            if (tls.Count > 0 || !address.UseTls) yaml.AppendLine($"  tls: {{ {string.Join(", ", tls)} }}");
        }
        if (used.UserName is { } user) yaml.AppendLine($"  username: {Scalar(user)}");
        if (used.PasswordEnvironmentVariable is { } variable) yaml.AppendLine($"  passwordEnv: {Scalar(variable)}");
        else if (used.PasswordFile is { } file) yaml.AppendLine($"  passwordFile: {Scalar(Path.GetFullPath(file))}");
        else if (used.Password is not null) yaml.AppendLine("  # the password came in the URL, which a rig does not keep: add passwordEnv: VARIABLE or passwordFile: FILE");
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
