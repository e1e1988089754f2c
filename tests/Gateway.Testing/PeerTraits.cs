namespace Gateway.Testing;

/// <summary>
/// The trait that marks a test needing an external peer process: <c>[Trait(PeerTraits.Name, PeerTraits.Mosquitto)]</c>.
/// <c>scripts/setup.sh</c> installs every peer; the trait lets an engineer run the pure tests alone
/// (<c>--filter "Peer!=mosquitto"</c>) or see at a glance what a failing test depends on.
/// </summary>
public static class PeerTraits
{
    /// <summary>The trait's name.</summary>
    public const string Name = "Peer";

    /// <summary>A real mosquitto broker (and its mosquitto_pub/sub clients).</summary>
    public const string Mosquitto = "mosquitto";

    /// <summary>pymodbus run with /usr/bin/python3.</summary>
    public const string Pymodbus = "pymodbus";

    /// <summary>socat pseudo-terminal pairs.</summary>
    public const string Socat = "socat";

    /// <summary>Node.js (the chaincode, the official Fabric client).</summary>
    public const string Node = "node";

    /// <summary>A headless chromium.</summary>
    public const string Chromium = "chromium";
}
