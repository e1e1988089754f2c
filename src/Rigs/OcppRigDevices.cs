using Gateway.Drivers.Devices.Ocpp;
using YamlDotNet.RepresentationModel;

namespace Gateway.Rigs;

/// <summary>Checks a rig's OCPP devices against its <c>ocpp:</c> section and gives each the endpoint's security.</summary>
internal static class OcppRigDevices
{
    /// <summary>
    /// One endpoint per gateway: every OCPP device names the same HOST:PORT, wss:// exactly with security profile 2, each
    /// station once, and with a password hash under profiles 1 and 2.
    /// </summary>
    public static List<RigDevice> Attach(YamlFieldReader reader, YamlMappingNode root, List<RigDevice> devices, OcppRigSection section)
    {
        var urls = devices.Where(d => d.Protocol == "ocpp")
            .Select(d => (Device: d, Url: OcppStationUrl.TryParse(d.Endpoint, out var u, out _) ? u : null))
            .Where(x => x.Url is not null).ToList();
        if (urls.Count == 0) return devices;
        var first = urls[0].Url!;
        var stations = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (device, url) in urls)
        {
            if (url!.Authority != first.Authority || url.Tls != first.Tls)
                reader.Problem(root, "devices", $"device '{device.Id}' dials {url.Authority}, device '{urls[0].Device.Id}' {first.Authority}: the gateway has one OCPP endpoint (one HOST:PORT, ws:// or wss:// for all)");
            if (url.Tls != (section.SecurityProfile == 2))
                reader.Problem(root, "devices", $"device '{device.Id}': {(url.Tls ? "wss:// needs ocpp.securityProfile 2 (a certificate)" : $"ocpp.securityProfile {section.SecurityProfile} is TLS: write wss://")}");
            if (!stations.Add(url.StationId))
                reader.Problem(root, "devices", $"station '{url.StationId}' is named by two devices; the gateway drives one EVSE per station");
            if (section.SecurityProfile > 0 && !section.PasswordHashes.ContainsKey(url.StationId))
                reader.Problem(root, "ocpp.stations", $"station '{url.StationId}' of device '{device.Id}' has no password hash (securityProfile {section.SecurityProfile})");
        }
        return devices.Select(d => d.Protocol == "ocpp" ? d with { Ocpp = section } : d).ToList();
    }
}
