namespace Gateway.Drivers.Ocpp;

/// <summary>Subprotocol names of <see cref="OcppVersion"/> (OCPP-J 2.0.1 part 4 §3.1.2; 2.1 the same way).</summary>
public static class OcppVersions
{
    /// <summary>The subprotocols in the order the gateway prefers them.</summary>
    public static IReadOnlyList<string> Subprotocols { get; } = ["ocpp2.1", "ocpp2.0.1"];

    /// <summary>The subprotocol of <paramref name="version"/>.</summary>
    public static string Subprotocol(this OcppVersion version) => version switch
    {
        OcppVersion.Ocpp201 => "ocpp2.0.1",
        OcppVersion.Ocpp21 => "ocpp2.1",
        _ => throw new ArgumentOutOfRangeException(nameof(version), version, "not an OCPP version"),
    };

    /// <summary>The version a subprotocol names, or false.</summary>
    public static bool TryParse(string? text, out OcppVersion version)
    {
        switch (text)
        {
            case "ocpp2.0.1": version = OcppVersion.Ocpp201; return true;
            case "ocpp2.1": version = OcppVersion.Ocpp21; return true;
            case "2.0.1": version = OcppVersion.Ocpp201; return true;
            case "2.1": version = OcppVersion.Ocpp21; return true;
            default: version = default; return false;
        }
    }
}
